"""Access checks for views: log in first, then hold the right role."""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from app.extensions import login_manager


class AccountSuspended(Forbidden):
    """A suspended account asked for a page of its role: 403, with a page that says why."""

    message = _l(
        "Your account is suspended, so you cannot use this page. Ask an administrator if you think this is a mistake."
    )


def require_role(*roles: str):
    """Send anonymous users to log in and answer 403 to users without one of the roles (admins pass)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.is_suspended:
                raise AccountSuspended()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
