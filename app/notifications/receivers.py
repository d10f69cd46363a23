"""React to what happens to drafts and comments: notify the people concerned, follow drafts one comments on."""

from app.comments.models import Comment
from app.comments.signals import comment_created, comment_published, comment_rejected
from app.laws.models import LawVersion
from app.laws.signals import version_published
from app.notifications import services
from app.notifications.models import NotificationKind


def on_version_published(version: LawVersion, **_extra) -> None:
    """Tell the draft's followers about its new version."""
    services.notify_followers(version)


def on_comment_created(comment: Comment, **_extra) -> None:
    """Make the author follow the draft they comment on."""
    services.follow(comment.author, comment.law)


def on_comment_published(comment: Comment, **_extra) -> None:
    """Tell the parent's author about a reply, and the author that a moderator published their comment."""
    parent = comment.parent
    if parent is not None and parent.author_id != comment.author_id:
        services.notify(parent.author, NotificationKind.REPLY, law=comment.law, comment=comment)
    # Comments published at once were never reviewed: there is nothing to tell their author.
    if comment.reviewed_at is not None:
        services.notify(comment.author, NotificationKind.APPROVED, law=comment.law, comment=comment)


def on_comment_rejected(comment: Comment, **_extra) -> None:
    """Tell the author that a moderator rejected their comment, and why."""
    services.notify(comment.author, NotificationKind.REJECTED, law=comment.law, comment=comment)


def connect() -> None:
    """Subscribe to the signals; connecting again (another create_app in the same process) changes nothing."""
    version_published.connect(on_version_published, weak=False)
    comment_created.connect(on_comment_created, weak=False)
    comment_published.connect(on_comment_published, weak=False)
    comment_rejected.connect(on_comment_rejected, weak=False)
