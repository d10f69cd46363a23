"""Comments on draft laws: posting, replies, votes, flags."""

from flask import Flask
from sqlalchemy import func, select

from app.comments.forms import new_token
from app.comments.labels import CHANNEL_LABELS, REJECTION_LABELS, STANCE_LABELS, STATE_LABELS, label


def comment_counts(version_id: int) -> dict[int, int]:
    """Count published comments per section of a version, in one query (for the table of contents)."""
    from app.comments.models import Comment, CommentState
    from app.extensions import db
    from app.laws.models import Section

    rows = db.session.execute(
        select(Comment.section_id, func.count(Comment.id))
        .join(Section, Section.id == Comment.section_id)
        .where(Section.version_id == version_id, Comment.state == CommentState.APPROVED)
        .group_by(Comment.section_id)
    ).all()
    return dict(rows)


def count_listed_comments(sender, laws, figures: dict[int, dict]) -> None:
    """Add each draft's published comments to `flask laws list`, in one query."""
    from app.comments.models import Comment, CommentState
    from app.extensions import db

    rows = db.session.execute(
        select(Comment.law_id, func.count(Comment.id))
        .where(Comment.law_id.in_([law.id for law in laws]), Comment.state == CommentState.APPROVED)
        .group_by(Comment.law_id)
    ).all()
    counts = dict(rows)
    for law in laws:
        figures[law.id]["comments"] = counts.get(law.id, 0)


def init_app(app: Flask) -> None:
    """Give templates the comment labels and counts, and `flask laws list` the number of comments."""
    from app.laws.signals import laws_listed

    laws_listed.connect(count_listed_comments, weak=False)
    app.jinja_env.filters.update(
        stance_label=lambda code: label(STANCE_LABELS, code),
        comment_state_label=lambda code: label(STATE_LABELS, code),
        rejection_label=lambda code: label(REJECTION_LABELS, code),
        channel_label=lambda code: label(CHANNEL_LABELS, code),
    )
    app.jinja_env.globals.update(comment_counts=comment_counts, new_token=new_token)
