"""What the workspace queues load: comments with their joins, the hint filters, and what is shown next to each."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.comments.models import Comment
from app.extensions import db
from app.moderation.flags import flag_reports
from app.moderation.models import Campaign, CommentFingerprint, CommentScreening

HINT_COLUMNS = {
    "links": CommentScreening.links >= 2,
    "profanity": CommentScreening.profanity.is_(True),
    "iin": CommentScreening.iin.is_(True),
    "phone": CommentScreening.phone.is_(True),
    "email": CommentScreening.email.is_(True),
}


def item_context(comments: list[Comment], *, resolved_flags: bool = False) -> dict:
    """Everything a queue shows next to each comment, in a fixed number of queries."""
    ids = [c.id for c in comments]
    author_ids = list({c.author_id for c in comments})
    screenings, campaigns, records, flags = {}, {}, {}, {}
    flaggers = flag_reports(ids, open_only=not resolved_flags)
    if ids:
        screenings = {
            s.comment_id: s
            for s in db.session.scalars(select(CommentScreening).where(CommentScreening.comment_id.in_(ids)))
        }
        campaigns = dict(
            db.session.execute(
                select(CommentFingerprint.comment_id, Campaign)
                .join(Campaign, Campaign.id == CommentFingerprint.campaign_id)
                .where(CommentFingerprint.comment_id.in_(ids))
            ).all()
        )
        for author_id, state, n in db.session.execute(
            select(Comment.author_id, Comment.state, func.count(Comment.id))
            .where(Comment.author_id.in_(author_ids))
            .group_by(Comment.author_id, Comment.state)
        ):
            records.setdefault(author_id, {})[state] = n
        flags = {
            comment_id: sum(1 for r in reports if r.flag.resolved_at is None)
            for comment_id, reports in flaggers.items()
        }
    return {
        "screenings": screenings,
        "campaigns": campaigns,
        "records": records,
        "flag_counts": flags,
        "flaggers": flaggers,
    }


def queue_query(base):
    """Load each comment with its author, section, draft and parent in the same query."""
    return base.options(
        joinedload(Comment.author), joinedload(Comment.section), joinedload(Comment.law), joinedload(Comment.parent)
    )
