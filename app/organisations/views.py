"""Administration pages for drafting agencies and parliamentary committees (admins only)."""

from functools import partial

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from app.auth.decorators import require_role
from app.extensions import db
from app.organisations import services
from app.organisations.forms import OrganisationForm
from app.organisations.models import Agency, Committee
from app.web import commit_or_flash

bp = Blueprint("organisations", __name__, template_folder="templates")

ORGANISATION_PAGES = {
    "agency": {
        "model": Agency,
        "create": services.create_agency,
        "update": services.update_agency,
        "list_endpoint": "organisations.agencies",
        "new_endpoint": "organisations.new_agency",
        "edit_endpoint": "organisations.edit_agency",
        "title": _l("Drafting agencies"),
        "new_title": _l("New drafting agency"),
        "edit_title": _l("Edit drafting agency"),
        "add_label": _l("Add a drafting agency"),
        "empty": _l("There are no drafting agencies yet."),
        "saved": _l("The drafting agency is saved."),
    },
    "committee": {
        "model": Committee,
        "create": services.create_committee,
        "update": services.update_committee,
        "list_endpoint": "organisations.committees",
        "new_endpoint": "organisations.new_committee",
        "edit_endpoint": "organisations.edit_committee",
        "title": _l("Parliamentary committees"),
        "new_title": _l("New parliamentary committee"),
        "edit_title": _l("Edit parliamentary committee"),
        "add_label": _l("Add a parliamentary committee"),
        "empty": _l("There are no parliamentary committees yet."),
        "saved": _l("The parliamentary committee is saved."),
    },
}


@bp.before_request
@require_role("admin")
def _admins_only():
    """Let only administrators in; checking here means a new page cannot forget it."""


def _organisation_list(kind: str):
    page = ORGANISATION_PAGES[kind]
    rows = services.organisations_with_member_counts(page["model"])
    return render_template("organisations/index.html", page=page, rows=rows, kind=kind)


def _organisation_form(kind: str, organisation=None):
    page = ORGANISATION_PAGES[kind]
    form = OrganisationForm(model=page["model"], current=organisation)
    if form.validate_on_submit():
        values = {field: form[field].data for field in ("slug", "name_kk", "name_ru", "name_en")}
        if organisation is None:
            save = partial(page["create"], **values)
        else:
            save = partial(page["update"], organisation, **values)
        # A refusal (the slug was taken meanwhile) is shown next to the slug, like the form's own check.
        if commit_or_flash(save, page["saved"], on_error=form.slug.errors.append):
            return redirect(url_for(page["list_endpoint"]))
    title = page["edit_title"] if organisation else page["new_title"]
    return render_template(
        "organisations/form.html", page=page, form=form, organisation=organisation, title=title, kind=kind
    )


@bp.get("/agencies")
def agencies():
    """List the drafting agencies with their number of members."""
    return _organisation_list("agency")


@bp.route("/agencies/new", methods=["GET", "POST"])
def new_agency():
    """Create a drafting agency."""
    return _organisation_form("agency")


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
def edit_agency(agency_id: int):
    """Change a drafting agency's short name and names."""
    return _organisation_form("agency", db.get_or_404(Agency, agency_id))


@bp.get("/committees")
def committees():
    """List the parliamentary committees with their number of members."""
    return _organisation_list("committee")


@bp.route("/committees/new", methods=["GET", "POST"])
def new_committee():
    """Create a parliamentary committee."""
    return _organisation_form("committee")


@bp.route("/committees/<int:committee_id>", methods=["GET", "POST"])
def edit_committee(committee_id: int):
    """Change a parliamentary committee's short name and names."""
    return _organisation_form("committee", db.get_or_404(Committee, committee_id))
