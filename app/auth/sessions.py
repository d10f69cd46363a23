"""Logging in and out on a fresh session, so nothing the browser held before survives the change of user."""

from flask import current_app, g, session
from flask_login import login_user, logout_user

from app.auth.models import User


def _renew() -> None:
    # A session (and the CSRF token kept in it) planted or read before login must not be good after it.
    session.clear()
    # Flask-WTF caches the token for the request; drop it so a page rendered now gets a token of the new session.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def start_session(user: User, remember: bool = False) -> None:
    """Log the user in on a new session."""
    _renew()
    login_user(user, remember=remember)


def end_session() -> None:
    """Log out and start a new, empty session."""
    _renew()
    # After the clear, so that Flask-Login can still mark the remember-me cookie for deletion.
    logout_user()
