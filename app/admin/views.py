"""Administration pages: users and their roles, drafting agencies, parliamentary committees."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.admin import services
from app.admin.forms import OrganisationForm, UserFilterForm, UserRoleForm
from app.admin.services import AdminError
from app.auth.decorators import require_role
from app.auth.models import ROLE_VALUES, User
from app.auth.services import AuthError
from app.auth.two_factor import services as two_factor
from app.extensions import db
from app.laws.models import Agency, Committee

bp = Blueprint("admin", __name__, template_folder="templates")

# Far beyond any real list; keeps a hand-typed ?page=10**30 from overflowing the database's OFFSET.
MAX_PAGE = 100_000

ORGANISATION_PAGES = {
    "agency": {
        "model": Agency,
        "create": services.create_agency,
        "update": services.update_agency,
        "list_endpoint": "admin.agencies",
        "new_endpoint": "admin.new_agency",
        "edit_endpoint": "admin.edit_agency",
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
        "list_endpoint": "admin.committees",
        "new_endpoint": "admin.new_committee",
        "edit_endpoint": "admin.edit_committee",
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
    """Let only administrators in; checking here means a new admin page cannot forget it."""


def _page_number() -> int:
    # Anything that is not a positive number (abc, -1, 0) means the first page.
    page = request.args.get("page", 1, type=int)
    return min(page, MAX_PAGE) if page >= 1 else 1


@bp.get("/")
def index():
    """Open the administration on the user list."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    """List users, searchable by e-mail or name and filterable by role."""
    form = UserFilterForm(request.args)
    search = (form.q.data or "").strip()
    role = form.role.data if form.role.data in ROLE_VALUES else ""
    query = services.users_query(search, role)
    per_page = current_app.config["ADMIN_USERS_PER_PAGE"]
    pagination = db.paginate(query, page=_page_number(), per_page=per_page, error_out=False)
    if pagination.pages and pagination.page > pagination.pages:
        pagination = db.paginate(query, page=pagination.pages, per_page=per_page, error_out=False)
    filtered = bool(search or role)
    return render_template("admin/users.html", form=form, pagination=pagination, filtered=filtered)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change a user's role, agency and committee."""
    user = db.get_or_404(User, user_id)
    form = UserRoleForm(obj=user)
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency_id.data) if form.agency_id.data else None
        committee = db.session.get(Committee, form.committee_id.data) if form.committee_id.data else None
        try:
            services.change_role(current_user._get_current_object(), user, form.role.data, agency, committee)
        except (AdminError, AuthError) as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The role of %(name)s is saved.", name=user.display_name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", form=form, user=user)


@bp.post("/users/<int:user_id>/two-factor/reset")
def reset_two_factor(user_id: int):
    """Turn off a user's two-factor sign-in, e.g. after a lost phone; they set it up again at the next login."""
    user = db.get_or_404(User, user_id)
    two_factor.reset(user, acting_user=current_user._get_current_object())
    db.session.commit()
    flash(
        _(
            "Two-factor sign-in of %(name)s is reset and they are logged out. Staff set it up again at next login.",
            name=user.display_name,
        ),
        "success",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _organisation_list(kind: str):
    page = ORGANISATION_PAGES[kind]
    rows = services.organisations_with_member_counts(page["model"])
    return render_template("admin/organisations.html", page=page, rows=rows, kind=kind)


def _organisation_form(kind: str, organisation=None):
    page = ORGANISATION_PAGES[kind]
    form = OrganisationForm(model=page["model"], current=organisation)
    if form.validate_on_submit():
        values = {field: form[field].data for field in ("slug", "name_kk", "name_ru", "name_en")}
        try:
            if organisation is None:
                page["create"](**values)
            else:
                page["update"](organisation, **values)
        except AdminError as error:
            db.session.rollback()
            form.slug.errors.append(error.message)
        else:
            db.session.commit()
            flash(page["saved"], "success")
            return redirect(url_for(page["list_endpoint"]))
    title = page["edit_title"] if organisation else page["new_title"]
    return render_template(
        "admin/organisation_form.html", page=page, form=form, organisation=organisation, title=title, kind=kind
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
