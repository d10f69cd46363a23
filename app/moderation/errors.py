"""Refusals of moderation actions: a translated message and an HTTP status."""

from flask_babel import lazy_gettext as _l

from app.errors import UserError


class ModerationError(UserError):
    """A refused moderation action, with a translated message and an HTTP status."""


class CommentChangedError(ModerationError):
    """The comment's text moved since the moderator read it: the decision would be about another text."""

    def __init__(self) -> None:
        super().__init__(_l("This comment changed since you opened it. Read it again before deciding."), status=409)


class CampaignChangedError(ModerationError):
    """A campaign's pending members were edited, added or decided since the moderator looked at it."""

    def __init__(self) -> None:
        super().__init__(
            _l(
                "This campaign changed since you opened it: comments in it were edited, added or decided. "
                "Nothing was decided; look at it again."
            ),
            status=409,
        )
