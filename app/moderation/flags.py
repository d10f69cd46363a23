"""Flags as moderators see them: who reported, how old their account was, and whether the report counts.

Only reports that count can send a published comment back to review (review_if_flagged); the others
are kept and shown, because a young account may well be right about a comment.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import User
from app.comments.models import Comment, CommentState, Flag
from app.comments.signals import comment_changed
from app.db import utcnow
from app.extensions import db
from app.moderation.actions import audit

FLAG_COUNTS = _l("counts toward the automatic review")
FLAG_TOO_NEW = _l("does not count: the account was too new when it reported")
FLAG_UNCONFIRMED = _l("does not count: the e-mail address is not confirmed")
FLAG_SUSPENDED = _l("does not count: the account is suspended")


@dataclass
class FlagReport:
    """One flag as a moderator sees it: who made it, how old their account was then, and whether it counts."""

    flag: Flag
    flagger: User
    account_age: timedelta  # when the flag was made
    counted: bool  # toward FLAG_THRESHOLD
    verdict: str  # translatable: why it counts or not


def _assess(flag: Flag, flagger: User, min_age: timedelta) -> FlagReport:
    # Age at the time of the report, so registering many accounts now and reporting with them later is
    # the only way to count, and a flag's standing does not change while moderators look at it.
    age = (flag.created_at or utcnow()) - flagger.created_at
    if flagger.is_suspended:
        return FlagReport(flag, flagger, age, False, FLAG_SUSPENDED)
    if not flagger.email_confirmed:
        return FlagReport(flag, flagger, age, False, FLAG_UNCONFIRMED)  # made before confirmation was required
    if age < min_age:
        return FlagReport(flag, flagger, age, False, FLAG_TOO_NEW)
    return FlagReport(flag, flagger, age, True, FLAG_COUNTS)


def flag_reports(comment_ids: list[int], *, open_only: bool = True) -> dict[int, list[FlagReport]]:
    """Each comment's flags with their flaggers and whether they count, in one query."""
    if not comment_ids:
        return {}
    min_age = timedelta(hours=current_app.config["FLAG_MIN_ACCOUNT_AGE_HOURS"])
    query = select(Flag, User).join(User, User.id == Flag.user_id).where(Flag.comment_id.in_(comment_ids))
    if open_only:
        query = query.where(Flag.resolved_at.is_(None))
    reports: dict[int, list[FlagReport]] = {}
    for flag, flagger in db.session.execute(query.order_by(Flag.id)):
        reports.setdefault(flag.comment_id, []).append(_assess(flag, flagger, min_age))
    return reports


def review_if_flagged(comment: Comment) -> bool:
    """Send a published comment back to review once enough established, confirmed accounts have flagged it."""
    if comment.state != CommentState.APPROVED:
        return False
    counted = [report for report in flag_reports([comment.id]).get(comment.id, []) if report.counted]
    if len(counted) < current_app.config["FLAG_THRESHOLD"]:
        return False
    comment.state = CommentState.PENDING  # hidden from the public until a moderator decides
    # The note names the flags that triggered this, so an abuse of the threshold can be traced to accounts.
    flags = ", ".join(f"#{r.flag.id} (user #{r.flagger.id})" for r in counted)
    audit(None, "review_requested", comment, state_before="approved", state_after="pending",
          note=f"{len(counted)} counted flags: {flags}")  # fmt: skip
    db.session.flush()
    comment_changed.send(comment)
    return True
