"""Notifications: users follow drafts and hear, in the app and by e-mail, about versions and their comments."""

from flask import Flask, g
from flask_login import current_user


def unread_notification_count() -> int:
    """Return the signed-in user's unread count, queried at most once per request (0 for visitors)."""
    from app.notifications.services import unread_count

    if not current_user.is_authenticated:
        return 0
    if "unread_notification_count" not in g:
        g.unread_notification_count = unread_count(current_user)
    return g.unread_notification_count


def is_following(law) -> bool:
    """Return True if the signed-in user follows the draft."""
    from app.notifications.services import is_following as following

    return following(current_user, law)


def init_app(app: Flask) -> None:
    """Connect the signal receivers and give templates the unread count and the follow state."""
    from app.notifications import receivers

    receivers.connect()
    app.jinja_env.globals.update(is_following=is_following)

    @app.context_processor
    def _notifications_context():
        # A callable, so the count is only queried on pages that show it.
        return {"unread_notification_count": unread_notification_count}
