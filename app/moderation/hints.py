"""The screening hints stored for each comment, refreshed when its text changes."""

from functools import lru_cache

from app.comments.models import Comment
from app.db import Prepared, write
from app.extensions import db
from app.moderation import screening
from app.moderation.models import CommentScreening


# The last texts screened in this process: a posted comment is screened before the write lock (prepare_screening),
# and storing its hints under the lock then finds them here. Screening is a pure function of the text.
@lru_cache(maxsize=64)
def _screen_text(text: str) -> screening.Screening:
    return screening.screen(text)


_INSERT_SCREENING = Prepared.insert_into(CommentScreening.__table__)  # once per post, under the write lock


def _text(comment: Comment) -> str:
    return f"{comment.body}\n{comment.proposed_wording or ''}"


def prepare_screening(comment: Comment) -> None:
    """Screen a comment that is not stored yet, so that screen_comment finds the result computed."""
    _screen_text(_text(comment))


def screen_comment(comment: Comment, *, new: bool = False) -> None:
    """Compute or refresh the screening hints of a comment."""
    found = _screen_text(_text(comment))
    values = {
        "links": min(found.links, 32000),
        "profanity": bool(found.profanity),
        "words": ", ".join(found.profanity)[:500] or None,
        "iin": bool(found.iins),
        "phone": bool(found.phones),
        "email": bool(found.emails),
        "hints": ",".join(found.hints),
    }
    if new:
        # A comment just created has no hints yet: they are inserted, without an ORM object (a posted comment's
        # statements hold the write lock, and the object's bookkeeping cost more than the insert).
        write(_INSERT_SCREENING, {"comment_id": comment.id, **values})
        return
    row = db.session.get(CommentScreening, comment.id) or CommentScreening(comment_id=comment.id)
    for name, value in values.items():
        setattr(row, name, value)
    db.session.add(row)
    db.session.flush()
