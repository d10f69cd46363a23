"""Moderation: queues, decisions with published reasons, screening, campaigns, appeals and the audit trail."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect moderation to the comment signals and give templates its labels."""
    from app.comments.labels import FLAG_LABELS, STATE_LABELS, label
    from app.moderation import receivers
    from app.moderation.labels import ACCOUNT_STATE_LABELS, ACTION_LABELS, HINT_LABELS, SORT_LABELS

    receivers.connect()
    app.jinja_env.filters.update(
        hint_label=lambda code: label(HINT_LABELS, code),
        action_label=lambda code: label(ACTION_LABELS, code),
        flag_label=lambda code: label(FLAG_LABELS, code),
        sort_label=lambda code: label(SORT_LABELS, code),
        # The audit trail records a comment's state or, for suspensions, an account's.
        audit_state_label=lambda code: label(STATE_LABELS | ACCOUNT_STATE_LABELS, code),
    )
