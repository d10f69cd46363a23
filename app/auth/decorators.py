"""Access checks for views: log in first, then hold the right role."""

from functools import wraps

from flask import abort
from flask_login import current_user

from app.extensions import login_manager


def require_role(*roles: str):
    """Send anonymous users to log in and answer 403 to users without one of the roles (admins pass)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
