"""Administration: find users and change their roles.

Functions here flush and never commit: the view that calls them commits once.
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from app.auth.models import ROLE_VALUES, Role, User
from app.auth.services import assign_role
from app.errors import UserError
from app.organisations.models import Agency, Committee

logger = logging.getLogger(__name__)


class AdminError(UserError):
    """A refused administrative change; `message` is translatable and meant for the admin."""


def users_query(search: str = "", role: str = "") -> Select:
    """Return a query for users whose e-mail or name contains the search text, optionally of one role."""
    # Authors of imported letters are not accounts: nobody signs in as them, so they have no role to manage.
    query = select(User).where(User.external.is_(False)).options(joinedload(User.agency), joinedload(User.committee))
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
    if user.external:
        raise AdminError(
            _l("This author's comments were imported from another channel: there is no account to manage.")
        )
    if user.id == acting_user.id and user.is_admin and role != Role.ADMIN:
        raise AdminError(_l("You cannot remove your own administrator role. Ask another administrator to do it."))
    assign_role(user, role, agency=agency, committee=committee)
    logger.info("Admin %s gave user %s the role %s", acting_user.id, user.id, role)
