"""The screening hints stored for each comment, refreshed when its text changes."""

from app.comments.models import Comment
from app.extensions import db
from app.moderation import screening
from app.moderation.models import CommentScreening


def screen_comment(comment: Comment) -> CommentScreening:
    """Compute or refresh the screening hints of a comment."""
    found = screening.screen(f"{comment.body}\n{comment.proposed_wording or ''}")
    row = db.session.get(CommentScreening, comment.id) or CommentScreening(comment_id=comment.id)
    row.links = min(found.links, 32000)
    row.profanity = bool(found.profanity)
    row.words = ", ".join(found.profanity)[:500] or None
    row.iin, row.phone, row.email = bool(found.iins), bool(found.phones), bool(found.emails)
    row.hints = ",".join(found.hints)
    db.session.add(row)
    db.session.flush()
    return row
