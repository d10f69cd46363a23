"""Moderation reacts to comments: screening hints, campaign fingerprints, the flag threshold."""

from app.comments.models import Comment
from app.comments.signals import comment_changed, comment_created, comment_flagged, comment_preparing
from app.moderation import campaigns, flags, hints


def on_comment_preparing(comment: Comment, **_extra) -> None:
    # Before the write lock: the text work is done here, and on_comment_created only stores its results.
    hints.prepare_screening(comment)
    campaigns.prepare_fingerprint(comment)


def on_comment_created(comment: Comment, **_extra) -> None:
    hints.screen_comment(comment, new=True)
    campaigns.fingerprint_comment(comment, new=True)


def on_comment_changed(comment: Comment, **_extra) -> None:
    # A masked comment keeps the hints of its original text: the moderator must still see why it was masked.
    if comment.masked_at is None:
        hints.screen_comment(comment)
        # An edit can take the comment out of its campaign or into another: membership is re-evaluated.
        campaigns.fingerprint_comment(comment)


def on_comment_flagged(comment: Comment, **_extra) -> None:
    flags.review_if_flagged(comment)


def connect() -> None:
    """Subscribe to the comment signals; connecting again changes nothing."""
    comment_preparing.connect(on_comment_preparing, weak=False)
    comment_created.connect(on_comment_created, weak=False)
    comment_changed.connect(on_comment_changed, weak=False)
    comment_flagged.connect(on_comment_flagged, weak=False)
