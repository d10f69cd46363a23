"""React to what happens to drafts and comments: notify the people concerned, follow drafts one comments on."""

from sqlalchemy import inspect

from app.answers.models import Answer
from app.answers.signals import answer_corrected, answer_given, answer_traced
from app.comments.models import Comment
from app.comments.signals import comment_created, comment_preparing, comment_published, comment_rejected
from app.laws.models import Law, LawStatus, LawVersion
from app.laws.signals import law_status_changed, version_published
from app.notifications import services
from app.notifications.models import NotificationKind
from app.summaries.models import SummarySnapshot
from app.summaries.signals import summary_submitted

FOLLOWS_ALREADY = "kenes_follows_already"  # in a prepared comment's InstanceState.info

# Status changes the MPs of the draft's committee hear about.
COMMITTEE_EVENTS = {
    LawStatus.OPEN.value: NotificationKind.CONSULTATION_OPENED,
    LawStatus.CLOSED.value: NotificationKind.CONSULTATION_CLOSED,
}


def on_version_published(version: LawVersion, **_extra) -> None:
    """Tell the draft's followers about its new version."""
    services.notify_followers(version)


def on_comment_preparing(comment: Comment, **_extra) -> None:
    """Before the write lock: note whether the author follows the draft already (most posts are by followers)."""
    if services.follows(comment.author_id, comment.law_id):
        inspect(comment).info[FOLLOWS_ALREADY] = True


def on_comment_created(comment: Comment, **_extra) -> None:
    """Make the author follow the draft they comment on (not an imported author: nobody would read it)."""
    # A follower found before the lock is left as is: under the lock nothing is read (an unfollow in between wins).
    if inspect(comment).info.get(FOLLOWS_ALREADY):
        return
    if not comment.author.external:
        services.follow(comment.author, comment.law)


def on_comment_published(comment: Comment, **_extra) -> None:
    """Tell the parent's author about a reply, and the author that a moderator published their comment."""
    parent = comment.parent
    # Imported authors never sign in and get no mail: there is no one to tell.
    if parent is not None and parent.author_id != comment.author_id and not parent.author.external:
        services.notify(parent.author, NotificationKind.REPLY, law=comment.law, comment=comment)
    # Comments published at once were never reviewed: there is nothing to tell their author.
    if comment.reviewed_at is not None and not comment.author.external:
        services.notify(comment.author, NotificationKind.APPROVED, law=comment.law, comment=comment)


def on_comment_rejected(comment: Comment, **_extra) -> None:
    """Tell the author that a moderator rejected their comment, and why."""
    if not comment.author.external:
        services.notify(comment.author, NotificationKind.REJECTED, law=comment.law, comment=comment)


def on_law_status_changed(law: Law, *, new: str, **_extra) -> None:
    """Tell the MPs of the draft's committee that its consultation opened or closed."""
    kind = COMMITTEE_EVENTS.get(new)
    if kind is not None:
        services.notify_committee(law, kind)


def on_summary_submitted(snapshot: SummarySnapshot, **_extra) -> None:
    """Tell the MPs of the committee that the drafting agency sent them a summary."""
    services.notify_committee(snapshot.law, NotificationKind.SUMMARY_SUBMITTED, snapshot=snapshot)


def on_answer(answer: Answer, *, comments: list[Comment], **_extra) -> None:
    """Tell the authors of the comments an answer reached (given, corrected or linked to a change): once per author,
    however many of their comments it covers."""
    told: set[int] = set()
    for comment in comments:
        if comment.author_id in told or comment.author.external:
            continue
        told.add(comment.author_id)
        services.notify(comment.author, NotificationKind.ANSWERED, law=comment.law, comment=comment)


def connect() -> None:
    """Subscribe to the signals; connecting again (another create_app in the same process) changes nothing."""
    version_published.connect(on_version_published, weak=False)
    comment_preparing.connect(on_comment_preparing, weak=False)
    comment_created.connect(on_comment_created, weak=False)
    comment_published.connect(on_comment_published, weak=False)
    comment_rejected.connect(on_comment_rejected, weak=False)
    law_status_changed.connect(on_law_status_changed, weak=False)
    summary_submitted.connect(on_summary_submitted, weak=False)
    for signal in (answer_given, answer_corrected, answer_traced):
        signal.connect(on_answer, weak=False)
