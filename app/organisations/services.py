"""Keep the lists of drafting agencies and parliamentary committees.

Functions here flush and never commit: the view that calls them commits once.
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.errors import UserError
from app.extensions import db
from app.organisations.models import Agency, Committee

logger = logging.getLogger(__name__)

SLUG_TAKEN = _l("This short name is already used. Please choose another one.")


class OrganisationError(UserError):
    """A refused change to an agency or committee; `message` is translatable and meant for the admin."""


def organisations_with_member_counts(model: type[Agency] | type[Committee]) -> list[tuple]:
    """Return (organisation, number of members) pairs ordered by slug, in one query."""
    members = User.agency_id if model is Agency else User.committee_id
    query = (
        select(model, func.count(User.id)).outerjoin(User, members == model.id).group_by(model.id).order_by(model.slug)
    )
    return [tuple(row) for row in db.session.execute(query).all()]


def slug_taken(model: type[Agency] | type[Committee], slug: str, current=None) -> bool:
    """Return True if another agency (or committee) already uses the slug."""
    query = select(model.id).filter_by(slug=slug)
    if current is not None and current.id is not None:
        query = query.where(model.id != current.id)
    return db.session.execute(query.limit(1)).first() is not None


def save_organisation(organisation: Agency | Committee, slug: str, name_kk: str, name_ru: str, name_en: str | None):
    """Store the slug and names of a new or existing agency or committee."""
    model = type(organisation)
    slug = slug.strip().lower()
    if slug_taken(model, slug, current=organisation):
        raise OrganisationError(SLUG_TAKEN)
    organisation.slug = slug
    organisation.name_kk = name_kk.strip()
    organisation.name_ru = name_ru.strip()
    organisation.name_en = (name_en or "").strip() or None
    try:
        # Two admins saving the same slug at once: the loser gets the message, not a 500.
        with db.session.begin_nested():
            db.session.add(organisation)
    except IntegrityError as error:
        raise OrganisationError(SLUG_TAKEN) from error
    logger.info("Saved %r", organisation)
    return organisation


def create_agency(slug: str, name_kk: str, name_ru: str, name_en: str | None = None) -> Agency:
    """Create a drafting agency."""
    return save_organisation(Agency(), slug, name_kk, name_ru, name_en)


def update_agency(agency: Agency, slug: str, name_kk: str, name_ru: str, name_en: str | None = None) -> Agency:
    """Change a drafting agency's slug and names."""
    return save_organisation(agency, slug, name_kk, name_ru, name_en)


def create_committee(slug: str, name_kk: str, name_ru: str, name_en: str | None = None) -> Committee:
    """Create a parliamentary committee."""
    return save_organisation(Committee(), slug, name_kk, name_ru, name_en)


def update_committee(
    committee: Committee, slug: str, name_kk: str, name_ru: str, name_en: str | None = None
) -> Committee:
    """Change a parliamentary committee's slug and names."""
    return save_organisation(committee, slug, name_kk, name_ru, name_en)
