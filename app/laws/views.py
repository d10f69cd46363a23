"""Public pages of draft laws: the list, a draft's text, its versions and what changed between them."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.i18n import current_lang
from app.laws.access import PUBLIC_STATUSES, get_law_or_404, get_version_or_404, visible_laws_condition
from app.laws.diffs import diff_versions
from app.laws.models import STATUS_VALUES, Law, LawStatus, LawVersion
from app.laws.reading import build_tree, load_sections, text_language
from app.organisations.models import Agency, Committee
from app.web import request_page

bp = Blueprint("laws", __name__, template_folder="templates")


@bp.get("/")
def index():
    """List draft laws with filters by status, agency and committee."""
    query = (
        select(Law)
        .where(visible_laws_condition(current_user))
        .options(selectinload(Law.agency), selectinload(Law.committee))
    )
    status = request.args.get("status", "")
    agency_slug = request.args.get("agency", "")
    committee_slug = request.args.get("committee", "")
    if status in STATUS_VALUES:
        query = query.where(Law.status == status)
    if agency_slug:
        query = query.join(Law.agency).where(Agency.slug == agency_slug)
    if committee_slug:
        query = query.join(Law.committee).where(Committee.slug == committee_slug)
    # Open consultations first, the ones closing soonest at the top; then the most recently changed.
    is_open = case((Law.status == LawStatus.OPEN, 0), else_=1)
    query = query.order_by(is_open, case((Law.status == LawStatus.OPEN, Law.closes_at)), Law.updated_at.desc(), Law.id)
    pagination = db.paginate(query, page=request_page(), per_page=current_app.config["LAWS_PER_PAGE"], error_out=False)
    agencies = db.session.scalars(select(Agency).order_by(Agency.slug)).all()
    committees = db.session.scalars(select(Committee).order_by(Committee.slug)).all()
    return render_template(
        "laws/index.html",
        pagination=pagination,
        laws=pagination.items,
        agencies=agencies,
        committees=committees,
        statuses=STATUS_VALUES if current_user.is_authenticated else PUBLIC_STATUSES,
        filters={"status": status, "agency": agency_slug, "committee": committee_slug},
    )


@bp.get("/<slug>/")
def show(slug: str):
    """Show the latest version of a draft law."""
    law = get_law_or_404(slug, current_user)
    if not law.versions:
        return render_template("laws/empty_law.html", law=law)
    return _render_version(law, law.latest_version)


@bp.get("/<slug>/v/<int:number>/")
def show_version(slug: str, number: int):
    """Show one version of a draft law."""
    law = get_law_or_404(slug, current_user)
    return _render_version(law, get_version_or_404(law, number))


def _render_version(law: Law, version: LawVersion):
    lang = current_lang()
    shown_lang = text_language(version, lang)
    sections = load_sections(version)
    return render_template(
        "laws/show.html",
        law=law,
        version=version,
        tree=build_tree(sections),
        toc=[s for s in sections if s.kind in ("preamble", "section", "chapter", "article")],
        text_lang=shown_lang,
        fallback=shown_lang != lang,
    )


@bp.get("/<slug>/versions/")
def versions(slug: str):
    """List the versions of a draft law."""
    law = get_law_or_404(slug, current_user)
    return render_template("laws/versions.html", law=law)


@bp.get("/<slug>/diff/<int:old>/<int:new>/")
def diff(slug: str, old: int, new: int):
    """Show what changed between two versions, article by article."""
    law = get_law_or_404(slug, current_user)
    old_version, new_version = get_version_or_404(law, old), get_version_or_404(law, new)
    lang = current_lang()
    common = [
        code for code in (lang, "kk", "ru", "en") if old_version.has_language(code) and new_version.has_language(code)
    ]
    if not common:
        return render_template("laws/diff.html", law=law, old=old_version, new=new_version, items=[], text_lang=None)
    text_lang = common[0]
    items = diff_versions(old_version, new_version, text_lang)
    counts = {
        change: sum(1 for item in items if item.change == change)
        for change in ("changed", "added", "removed", "renumbered")
    }
    counts["renumbered"] = sum(1 for item in items if item.renumbered)
    show_all = request.args.get("all") == "1"
    return render_template(
        "laws/diff.html",
        law=law,
        old=old_version,
        new=new_version,
        items=[item for item in items if show_all or item.change != "unchanged"],
        counts=counts,
        text_lang=text_lang,
        fallback=text_lang != lang,
        show_all=show_all,
    )
