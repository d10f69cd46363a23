"""What the workspace queues load: comments with their joins, and what is shown next to each."""

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.comments.models import Comment
from app.comments.rendering import render_comment
from app.extensions import db
from app.moderation.flags import flag_reports
from app.moderation.models import Campaign, CommentFingerprint, CommentScreening


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
        "originals": originals(comments),
        "screenings": screenings,
        "campaigns": campaigns,
        "records": records,
        "flag_counts": flags,
        "flaggers": flaggers,
    }


def originals(comments: list[Comment]) -> dict[int, Markup]:
    """What the authors of masked comments wrote, rendered as their public text is, for moderators' eyes only."""
    # body_html holds the masked text; the original goes through the same renderer and sanitizer (render_comment
    # returns allow-listed HTML), here at read time only for the few comments published masked.
    return {
        c.id: Markup(render_comment(c.original_body))  # noqa: S704  # nosec B704
        for c in comments
        if c.masked_at and c.original_body
    }


def queue_query(base):
    """Load each comment with its author, section, draft and parent in the same query."""
    return base.options(
        joinedload(Comment.author), joinedload(Comment.section), joinedload(Comment.law), joinedload(Comment.parent)
    )
