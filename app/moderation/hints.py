"""The screening hints stored for each comment, refreshed when its text changes."""

from functools import lru_cache

from app.comments.models import Comment
from app.extensions import db
from app.moderation import screening
from app.moderation.models import CommentScreening


# The last texts screened in this process: a posted comment is screened before the write lock (prepare_screening),
# and storing its hints under the lock then finds them here. Screening is a pure function of the text.
@lru_cache(maxsize=64)
def _screen_text(text: str) -> screening.Screening:
    return screening.screen(text)


def _text(comment: Comment) -> str:
    return f"{comment.body}\n{comment.proposed_wording or ''}"


def prepare_screening(comment: Comment) -> None:
    """Screen a comment that is not stored yet, so that screen_comment finds the result computed."""
    _screen_text(_text(comment))


def screen_comment(comment: Comment, *, new: bool = False) -> CommentScreening:
    """Compute or refresh the screening hints of a comment."""
    found = _screen_text(_text(comment))
    # A comment just created has no hints yet: they are not looked for.
    row = (None if new else db.session.get(CommentScreening, comment.id)) or CommentScreening(comment_id=comment.id)
    row.links = min(found.links, 32000)
    row.profanity = bool(found.profanity)
    row.words = ", ".join(found.profanity)[:500] or None
    row.iin, row.phone, row.email = bool(found.iins), bool(found.phones), bool(found.emails)
    row.hints = ",".join(found.hints)
    db.session.add(row)
    db.session.flush()
    return row
