"""Search listens to laws and comments and queues what changed, inside the same transaction."""

from sqlalchemy import select

from app.comments.models import Comment
from app.comments.signals import comment_changed, comment_published, comment_rejected
from app.extensions import db
from app.laws.models import Law, LawVersion, Section
from app.laws.signals import law_changed, version_changed, version_published
from app.search.queue import enqueue


def on_comment(comment: Comment, **_extra) -> None:
    enqueue(f"comment:{comment.id}")


def _section_ids(version_ids: list[int]) -> list[str]:
    rows = db.session.scalars(select(Section.id).where(Section.version_id.in_(version_ids)))
    return [f"section:{section_id}" for section_id in rows]


def on_version(version: LawVersion, **_extra) -> None:
    # The new version's sections come in, the previous version's go out, and the draft's date changes.
    version_ids = [v.id for v in version.law.versions]
    enqueue(f"law:{version.law_id}", *_section_ids(version_ids))


def on_law(law: Law, **_extra) -> None:
    # A status change can make a draft public or hide it again: everything under it is looked at.
    comment_ids = db.session.scalars(select(Comment.id).where(Comment.law_id == law.id))
    enqueue(f"law:{law.id}", *_section_ids([v.id for v in law.versions]), *[f"comment:{cid}" for cid in comment_ids])


def connect() -> None:
    """Subscribe to the signals; connecting again changes nothing."""
    # Not comment_created: only published comments are indexed, and a comment published at once also sends
    # comment_published. A pending one queued nothing but a write of the index that removed nothing.
    for signal in (comment_published, comment_changed, comment_rejected):
        signal.connect(on_comment, weak=False)
    version_published.connect(on_version, weak=False)
    version_changed.connect(on_version, weak=False)
    law_changed.connect(on_law, weak=False)
