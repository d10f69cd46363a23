"""Public pages of draft laws: the list, a draft's text, its versions and what changed between them."""

from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.i18n import current_lang
from app.laws.models import STATUS_VALUES, Agency, Committee, Law, LawStatus, LawVersion, Section
from app.laws.services import diff_versions, load_sections

bp = Blueprint("laws", __name__, template_folder="templates")


def request_page() -> int:
    """Return ?page= as a positive integer; anything else is page 1."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def get_law_or_404(slug: str) -> Law:
    """Load a law the current user may see, or answer 404."""
    if len(slug) > 80:
        abort(404)
    law = db.session.scalar(
        select(Law).where(Law.slug == slug).options(selectinload(Law.versions), selectinload(Law.agency))
    )
    if law is None or not law.can_view(current_user):
        abort(404)
    return law


def get_version_or_404(law: Law, number: int) -> LawVersion:
    version = law.version(number)
    if version is None:
        abort(404)
    return version


def visible_laws_query():
    """Laws the public may see: everything except drafts still in preparation."""
    query = select(Law).where(Law.status != LawStatus.DRAFT)
    if current_user.is_authenticated and current_user.is_admin:
        return select(Law)
    if current_user.is_authenticated and current_user.has_role("editor") and current_user.agency_id:
        return select(Law).where((Law.status != LawStatus.DRAFT) | (Law.agency_id == current_user.agency_id))
    return query


@dataclass
class TreeNode:
    section: Section
    children: list["TreeNode"] = field(default_factory=list)


def build_tree(sections: list[Section]) -> list[TreeNode]:
    """Nest sections loaded in one query, so templates never lazy-load children."""
    nodes = {s.id: TreeNode(s) for s in sections}
    roots: list[TreeNode] = []
    for s in sections:
        parent = nodes.get(s.parent_id) if s.parent_id else None
        (parent.children if parent else roots).append(nodes[s.id])
    return roots


def text_language(version: LawVersion, lang: str) -> str:
    """Return the language to show a version's text in: the reader's, else the first available."""
    if version.has_language(lang):
        return lang
    for code in ("kk", "ru", "en"):
        if version.has_language(code):
            return code
    return lang


@bp.get("/")
def index():
    """List draft laws with filters by status, agency and committee."""
    query = visible_laws_query().options(selectinload(Law.agency), selectinload(Law.committee))
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
        statuses=[s for s in STATUS_VALUES if s != "draft" or current_user.is_authenticated],
        filters={"status": status, "agency": agency_slug, "committee": committee_slug},
    )


@bp.get("/<slug>/")
def show(slug: str):
    """Show the latest version of a draft law."""
    law = get_law_or_404(slug)
    if not law.versions:
        return render_template("laws/empty_law.html", law=law)
    return _render_version(law, law.latest_version)


@bp.get("/<slug>/v/<int:number>/")
def show_version(slug: str, number: int):
    """Show one version of a draft law."""
    law = get_law_or_404(slug)
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
    law = get_law_or_404(slug)
    return render_template("laws/versions.html", law=law)


@bp.get("/<slug>/diff/<int:old>/<int:new>/")
def diff(slug: str, old: int, new: int):
    """Show what changed between two versions, article by article."""
    law = get_law_or_404(slug)
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
