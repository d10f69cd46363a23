"""Administration: find users, change their roles, keep the lists of agencies and committees.

Functions here flush and never commit: the view that calls them commits once.
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.auth.models import ROLE_VALUES, Role, User
from app.auth.services import assign_role
from app.extensions import db
from app.laws.models import Agency, Committee

logger = logging.getLogger(__name__)

SLUG_TAKEN = _l("This short name is already used. Please choose another one.")


class AdminError(Exception):
    """A refused administrative change; `message` is translatable and meant for the admin."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def users_query(search: str = "", role: str = "") -> Select:
    """Return a query for users whose e-mail or name contains the search text, optionally of one role."""
    query = select(User).options(joinedload(User.agency), joinedload(User.committee))
    search = search.strip()
    if search:
        query = query.where(
            or_(User.email.icontains(search, autoescape=True), User.display_name.icontains(search, autoescape=True))
        )
    if role in ROLE_VALUES:
        query = query.where(User.role == role)
    return query.order_by(User.email)


def change_role(acting_user: User, user: User, role: str, agency: Agency | None, committee: Committee | None) -> None:
    """Give a user a role; an admin may not take the admin role away from themselves."""
    if user.id == acting_user.id and user.is_admin and role != Role.ADMIN:
        raise AdminError(_l("You cannot remove your own administrator role. Ask another administrator to do it."))
    assign_role(user, role, agency=agency, committee=committee)
    logger.info("Admin %s gave user %s the role %s", acting_user.id, user.id, role)


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
        raise AdminError(SLUG_TAKEN)
    organisation.slug = slug
    organisation.name_kk = name_kk.strip()
    organisation.name_ru = name_ru.strip()
    organisation.name_en = (name_en or "").strip() or None
    try:
        # Two admins saving the same slug at once: the loser gets the message, not a 500.
        with db.session.begin_nested():
            db.session.add(organisation)
    except IntegrityError as error:
        raise AdminError(SLUG_TAKEN) from error
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
