"""Who may see a draft law: the one rule that law pages, search, the API and the other domains ask.

A draft still in preparation is seen only by the editors of its drafting agency and by admins. Public channels
(search, the open-data API, the home page) show public laws only, whoever asks.
"""

from functools import cache

from flask import abort
from sqlalchemy import ColumnElement, bindparam, select, true
from sqlalchemy.orm import contains_eager, selectinload

from app.extensions import db
from app.laws.models import STATUS_VALUES, Law, LawStatus, LawVersion, Section

# The statuses a public filter (search, the API) offers and accepts.
PUBLIC_STATUSES = tuple(status for status in STATUS_VALUES if status != LawStatus.DRAFT)


def public_laws_condition() -> ColumnElement[bool]:
    """Return a where() condition for the laws anyone may see."""
    return Law.is_public


def visible_laws_condition(user) -> ColumnElement[bool]:
    """Return a where() condition for the laws this user may see: Law.is_visible_to in SQL."""
    if user is None or not user.is_authenticated:
        return public_laws_condition()
    if user.is_admin:
        return true()
    # has_role, as in Law.can_edit: a suspended editor sees what the public sees.
    if user.has_role("editor") and user.agency_id:
        return public_laws_condition() | (Law.agency_id == user.agency_id)
    return public_laws_condition()


def get_law_or_404(slug: str, user, *, pages: bool = True) -> Law:
    """Load a law the user may see, or answer 404 (pages=False: without its versions and agency, for a POST)."""
    if len(slug) > 80:
        abort(404)
    query = select(Law).where(Law.slug == slug)
    if pages:
        query = query.options(selectinload(Law.versions), selectinload(Law.agency))
    law = db.session.scalar(query)
    if law is None or not law.is_visible_to(user):
        abort(404)
    return law


@cache  # built on first use (the mappers are configured by then), once: see get_section_of_law_or_404
def _section_of_law(pages: bool):
    law = contains_eager(Section.version).contains_eager(LawVersion.law)
    query = (
        select(Section)
        .join(Section.version)
        .join(LawVersion.law)
        .where(Section.id == bindparam("section_id"), Law.slug == bindparam("slug"))
        .options(law)
    )
    return query.options(law.selectinload(Law.versions), law.selectinload(Law.agency)) if pages else query


def get_section_of_law_or_404(slug: str, section_id: int, user, *, pages: bool = True) -> Section:
    """Load a section (any version) of a law the user may see, with its version and law, or answer 404.

    One statement for the section, its version and law; pages=True also loads the law's versions and agency (two
    more), which a page shows and a POST does not need."""
    if len(slug) > 80 or section_id >= 2**31:
        abort(404)
    # The statement is built once: composing its joins and loader options anew cost a third of loading the section.
    section = db.session.scalar(_section_of_law(pages), {"section_id": section_id, "slug": slug})
    if section is None or not section.version.law.is_visible_to(user):
        abort(404)
    return section


def get_law_for_edit(slug: str, user) -> Law:
    """Load a law the user may edit: 404 if missing, 403 if not theirs."""
    law = db.session.scalar(select(Law).where(Law.slug == slug[:80]).options(selectinload(Law.versions)))
    if law is None:
        abort(404)
    if not law.can_edit(user):
        abort(403)
    return law


def get_version_or_404(law: Law, number: int) -> LawVersion:
    """Return the law's version with this number, or answer 404."""
    version = law.version(number)
    if version is None:
        abort(404)
    return version
