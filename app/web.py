"""Small helpers shared by views of several domains."""

from collections.abc import Callable

from flask import flash

from app.comments.services import CommentError
from app.extensions import db


def commit_or_flash(action: Callable[[], object], success: str | None = None) -> bool:
    """Run one service call: commit and flash `success`, or roll back and flash the refusal's message."""
    try:
        action()
    except CommentError as error:  # moderation's refusals are CommentErrors too
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    if success:
        flash(success, "success")
    return True
