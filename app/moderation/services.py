"""Moderation services: decisions with an audit row each, screening, campaign decisions, appeals, suspensions.

They flush and never commit. Every decision locks the comment and re-reads its state first, so two
moderators deciding the same comment at once produce one decision and one audit row.
"""

import hashlib
import logging
import statistics
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.auth.models import Role, User
from app.comments.models import REJECTION_REASONS, Comment, CommentState, Flag
from app.comments.rendering import render_comment
from app.comments.services import approve_comment, bump_version, reject_comment
from app.comments.signals import comment_changed
from app.db import utcnow
from app.errors import UserError
from app.extensions import db
from app.moderation import screening
from app.moderation.flags import flag_reports
from app.moderation.models import (
    Appeal,
    Campaign,
    CommentFingerprint,
    CommentScreening,
    ModerationAction,
)

logger = logging.getLogger(__name__)

DECISIONS = ("approve", "reject", "hide", "restore", "publish_masked")
MAX_APPEAL = 1000


class ModerationError(UserError):
    """A refused moderation action, with a translated message and an HTTP status."""


class CommentChangedError(ModerationError):
    """The comment's text moved since the moderator read it: the decision would be about another text."""

    def __init__(self) -> None:
        super().__init__(_l("This comment changed since you opened it. Read it again before deciding."), status=409)


class CampaignChangedError(ModerationError):
    """A campaign's pending members were edited, added or decided since the moderator looked at it."""

    def __init__(self) -> None:
        super().__init__(
            _l(
                "This campaign changed since you opened it: comments in it were edited, added or decided. "
                "Nothing was decided; look at it again."
            ),
            status=409,
        )


def _require_moderator(actor: User, message=None) -> None:
    """Refuse anyone who may not act as a moderator now, a suspended moderator or admin included."""
    if actor.is_suspended:
        raise ModerationError(_l("Your account is suspended, so you cannot moderate."), status=403)
    if not actor.has_role("moderator"):
        raise ModerationError(message or _l("Only moderators can do this."), status=403)


def _audit(actor: User | None, action: str, comment: Comment | None = None, **values) -> ModerationAction:
    row = ModerationAction(actor_id=actor.id if actor else None, action=action, comment=comment, **values)
    db.session.add(row)
    return row


def _lock(comment: Comment) -> Comment:
    """Lock the comment's row and reload it, so the state checked is the state decided on."""
    locked = db.session.scalar(
        select(Comment).where(Comment.id == comment.id).with_for_update().execution_options(populate_existing=True)
    )
    if locked is None:
        raise ModerationError(_l("This comment no longer exists."), status=404)
    return locked


def _resolve_flags(comment: Comment) -> int:
    result = db.session.execute(
        update(Flag).where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None)).values(resolved_at=utcnow())
    )
    return result.rowcount or 0


def decide(
    comment: Comment,
    *,
    actor: User,
    action: str,
    seen_version: int,
    reason: str | None = None,
    note: str | None = None,
    bulk_id: str | None = None,
) -> Comment:
    """Apply one moderator decision to the version of a comment the moderator read, and record it."""
    if action not in DECISIONS:
        raise ModerationError(_l("Unknown decision."))
    _require_moderator(actor, _l("Only moderators decide on comments."))
    comment = _lock(comment)
    if comment.author_id == actor.id:
        raise ModerationError(_l("You cannot decide on your own comment."), status=403)
    # Checked on the locked row: an edit cannot slip in between this check and the decision.
    if comment.version != seen_version:
        raise CommentChangedError()
    before = comment.state
    note = (note or "").strip() or None
    if action == "approve":
        if before != CommentState.PENDING:
            raise ModerationError(_l("This comment was already decided by someone else."), status=409)
        approve_comment(comment)
        _resolve_flags(comment)
    elif action == "publish_masked":
        if before != CommentState.PENDING:
            raise ModerationError(_l("This comment was already decided by someone else."), status=409)
        mask_comment(comment)
        approve_comment(comment)
        _resolve_flags(comment)
    elif action == "reject":
        if reason not in REJECTION_REASONS:
            raise ModerationError(_l("Choose a reason from the moderation policy."))
        if reason == "other" and not note:
            raise ModerationError(_l("Explain the reason in a note when you choose “other”."))
        if before != CommentState.PENDING:
            raise ModerationError(_l("This comment was already decided by someone else."), status=409)
        reject_comment(comment, reason=reason, note=note)
        _resolve_flags(comment)
    elif action == "hide":
        if reason not in REJECTION_REASONS:
            raise ModerationError(_l("Choose a reason from the moderation policy."))
        if before != CommentState.APPROVED:
            raise ModerationError(_l("Only a published comment can be hidden."), status=409)
        comment.state = CommentState.HIDDEN
        comment.rejection_reason, comment.rejection_note = reason, note
        comment.reviewed_at = utcnow()
        _resolve_flags(comment)
        db.session.flush()
        comment_changed.send(comment)
    elif action == "restore":
        if before not in (CommentState.HIDDEN, CommentState.REJECTED):
            raise ModerationError(_l("Only a hidden or rejected comment can be restored."), status=409)
        comment.state = CommentState.PENDING  # approve_comment publishes from pending
        approve_comment(comment)
        comment.rejection_reason = comment.rejection_note = None
    _audit(actor, action, comment, reason=reason, note=note, state_before=before, state_after=comment.state,
           bulk_id=bulk_id)  # fmt: skip
    db.session.flush()
    logger.info("Moderator %s: %s comment %s (%s → %s)", actor.id, action, comment.id, before, comment.state)
    return comment


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # comment id → why
    # Comments whose text moved since the moderator read them. When there is any, nothing at all is decided.
    changed: list[int] = field(default_factory=list)
    bulk_id: str = ""


class _UndoBulkError(Exception):
    """Raised inside the bulk savepoint to roll back every decision already applied."""


def decide_many(
    seen: dict[int, int], *, actor: User, action: str, reason: str | None = None, note: str | None = None
) -> BulkResult:
    """Apply one decision to a selection of {comment id: version read}; all or nothing if any text changed.

    Comments that cannot take the decision (already decided, one's own) are skipped and reported. A comment
    whose text changed refuses the whole selection: the moderator judged the selection as it was shown.
    """
    _require_moderator(actor, _l("Only moderators decide on comments."))
    result = BulkResult(bulk_id=uuid.uuid4().hex)
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.id.in_(list(seen)))
        .order_by(Comment.id)
        .execution_options(populate_existing=True)  # versions as stored now, not as first loaded in this session
    ).all()
    # A cheap look first, so a stale selection of hundreds is refused before anything is locked.
    result.changed = [c.id for c in comments if c.version != seen[c.id]]
    if result.changed:
        return result
    try:
        with db.session.begin_nested():
            for comment in comments:
                try:
                    with db.session.begin_nested():
                        decide(comment, actor=actor, action=action, seen_version=seen[comment.id], reason=reason,
                               note=note, bulk_id=result.bulk_id)  # fmt: skip
                except CommentChangedError:
                    result.changed.append(comment.id)  # edited between the look above and the lock
                except ModerationError as error:
                    result.skipped[comment.id] = str(error)
                else:
                    result.done.append(comment.id)
            if result.changed:
                raise _UndoBulkError
    except _UndoBulkError:
        result.done.clear()
    return result


def campaign_revision(members: list[tuple[int, int]]) -> str:
    """A short digest of a campaign's pending members and their versions, as the moderator saw them."""
    # A digest, not the list: a campaign may have thousands of members and the page shows a hundred campaigns.
    text = ",".join(f"{comment_id}:{version}" for comment_id, version in sorted(members))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def campaign_revisions(campaign_ids: list[int]) -> dict[int, str]:
    """The revision of each campaign's pending members, in one query."""
    members: dict[int, list[tuple[int, int]]] = {campaign_id: [] for campaign_id in campaign_ids}
    if campaign_ids:
        rows = db.session.execute(
            select(CommentFingerprint.campaign_id, Comment.id, Comment.version)
            .join(Comment, Comment.id == CommentFingerprint.comment_id)
            .where(CommentFingerprint.campaign_id.in_(campaign_ids), Comment.state == CommentState.PENDING)
        )
        for campaign_id, comment_id, version in rows:
            members[campaign_id].append((comment_id, version))
    return {campaign_id: campaign_revision(pairs) for campaign_id, pairs in members.items()}


def decide_campaign(campaign: Campaign, *, actor: User, action: str, seen_revision: str, reason: str | None = None,
                    note: str | None = None) -> BulkResult:  # fmt: skip
    """Decide every pending comment of a campaign at once, if the campaign is still the one the moderator saw."""
    _require_moderator(actor, _l("Only moderators decide on comments."))
    # Locked, so no member is edited, added or decided between this comparison and the decisions.
    members = db.session.execute(
        select(Comment.id, Comment.version)
        .join(CommentFingerprint, CommentFingerprint.comment_id == Comment.id)
        .where(CommentFingerprint.campaign_id == campaign.id, Comment.state == CommentState.PENDING)
        .with_for_update(of=Comment)
    ).all()
    if campaign_revision([tuple(row) for row in members]) != seen_revision:
        raise CampaignChangedError()
    return decide_many(dict(members), actor=actor, action=action, reason=reason, note=note)


# --- personal data ---------------------------------------------------------------------------------------


def mask_comment(comment: Comment) -> Comment:
    """Replace personal data in the public text; keep the original for moderators."""
    if comment.masked_at is None:
        comment.original_body, comment.original_wording = comment.body, comment.proposed_wording
    comment.body = screening.mask_personal_data(comment.original_body or comment.body)
    comment.body_html = render_comment(comment.body)
    if comment.original_wording:
        comment.proposed_wording = screening.mask_personal_data(comment.original_wording)
    comment.masked_at = utcnow()
    bump_version(comment)
    db.session.flush()
    return comment


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


# --- flags ------------------------------------------------------------------------------------------------


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
    _audit(None, "review_requested", comment, state_before="approved", state_after="pending",
           note=f"{len(counted)} counted flags: {flags}")  # fmt: skip
    db.session.flush()
    comment_changed.send(comment)
    return True


# --- accounts and appeals -------------------------------------------------------------------------------


def suspension_refusal(actor: User, user: User, *, lifting: bool = False):
    """Why the actor may not suspend the user (or lift their suspension), or None if they may."""
    if actor.is_suspended:
        return _l("Your account is suspended, so you cannot moderate.")
    if not actor.has_role("moderator"):
        return _l("Only moderators can do this.")
    if user.id == actor.id:
        return _l("You cannot lift your own suspension.") if lifting else _l("You cannot suspend your own account.")
    # The raw role, not has_role(): a suspended moderator holds no role but is still staff.
    if user.role != Role.CITIZEN and not actor.is_admin:
        return _l(
            "Only an administrator can suspend or reinstate a moderator, editor, member of parliament or administrator."
        )
    return None


def suspend(user: User, *, actor: User, reason: str) -> User:
    """Suspend an abusive account; its pending comments stay in the queue."""
    if refusal := suspension_refusal(actor, user):
        raise ModerationError(refusal, status=403)
    if not (reason or "").strip():
        raise ModerationError(_l("Give the reason for the suspension."))
    if user.is_suspended:
        raise ModerationError(_l("This account is already suspended."), status=409)
    user.suspended_at, user.suspension_reason = utcnow(), reason.strip()
    _audit(actor, "suspend", None, user_id=user.id, note=user.suspension_reason, state_before="active",
           state_after="suspended")  # fmt: skip
    db.session.flush()
    return user


def unsuspend(user: User, *, actor: User) -> User:
    """Lift a suspension; only an administrator lifts a staff member's, and nobody their own."""
    if refusal := suspension_refusal(actor, user, lifting=True):
        raise ModerationError(refusal, status=403)
    if not user.is_suspended:
        raise ModerationError(_l("This account is not suspended."), status=409)
    user.suspended_at = user.suspension_reason = None
    _audit(actor, "unsuspend", None, user_id=user.id, state_before="suspended", state_after="active")
    db.session.flush()
    return user


def file_appeal(comment: Comment, *, author: User, text: str) -> Appeal:
    """Let the author appeal a rejection once, with a short text."""
    if comment.author_id != author.id:
        raise ModerationError(_l("Only the author can appeal."), status=403)
    if author.is_suspended:
        raise ModerationError(_l("Your account is suspended, so you cannot appeal."), status=403)
    if comment.state != CommentState.REJECTED:
        raise ModerationError(_l("Only a rejected comment can be appealed."), status=409)
    text = (text or "").strip()
    if not text:
        raise ModerationError(_l("Explain why the decision should change."))
    if len(text) > MAX_APPEAL:
        raise ModerationError(_l("The appeal is too long: at most %(max)d characters."), max=MAX_APPEAL)
    if db.session.scalar(select(Appeal.id).where(Appeal.comment_id == comment.id)):
        raise ModerationError(_l("You have already appealed this decision."), status=409)
    appeal = Appeal(comment_id=comment.id, author_id=author.id, text=text)
    db.session.add(appeal)
    db.session.flush()
    return appeal


def decide_appeal(appeal: Appeal, *, actor: User, overturn: bool, note: str | None = None) -> Appeal:
    """Uphold or overturn a rejection on appeal."""
    _require_moderator(actor)
    locked = db.session.scalar(
        select(Appeal).where(Appeal.id == appeal.id).with_for_update().execution_options(populate_existing=True)
    )
    if locked.state != "open":
        raise ModerationError(_l("This appeal was already decided by someone else."), status=409)
    if locked.author_id == actor.id:
        raise ModerationError(_l("You cannot decide on your own appeal."), status=403)
    first_decider = db.session.scalar(
        select(ModerationAction.actor_id)
        .where(ModerationAction.comment_id == locked.comment_id, ModerationAction.action == "reject")
        .order_by(ModerationAction.id.desc())
        .limit(1)
    )
    if first_decider == actor.id:
        # A second pair of eyes: the moderator who rejected the comment does not judge the appeal.
        raise ModerationError(_l("Another moderator must decide this appeal: you took the first decision."), status=403)
    comment = _lock(locked.comment)
    locked.state, locked.decided_by_id, locked.decided_at = ("overturned" if overturn else "upheld"), actor.id, utcnow()
    locked.decision_note = (note or "").strip() or None
    before = comment.state
    if overturn:
        comment.state = CommentState.PENDING
        approve_comment(comment)
        comment.rejection_reason = comment.rejection_note = None
    _audit(actor, "appeal_overturned" if overturn else "appeal_upheld", comment, note=locked.decision_note,
           state_before=before, state_after=comment.state)  # fmt: skip
    db.session.flush()
    return locked


# --- figures --------------------------------------------------------------------------------------------


@dataclass
class QueueStats:
    pending: int
    flagged: int
    appeals: int
    oldest_pending_at: datetime | None


def queue_stats() -> QueueStats:
    """Sizes of the three queues and when the oldest pending comment arrived."""
    pending, oldest = db.session.execute(
        select(func.count(Comment.id), func.min(Comment.created_at)).where(Comment.state == CommentState.PENDING)
    ).one()
    flagged = db.session.scalar(
        select(func.count(func.distinct(Flag.comment_id)))
        .join(Comment, Comment.id == Flag.comment_id)
        .where(Flag.resolved_at.is_(None), Comment.state.in_([CommentState.APPROVED, CommentState.PENDING]))
    )
    appeals = db.session.scalar(select(func.count(Appeal.id)).where(Appeal.state == "open"))
    return QueueStats(pending, flagged, appeals, oldest)


@dataclass
class LawModerationStats:
    received: int
    approved: int
    pending: int
    rejected_by_reason: dict[str, int]
    hidden: int
    withdrawn: int
    median_time_to_decision: timedelta | None


def law_stats(law_id: int) -> LawModerationStats:
    """Public figures for one draft: what came in and what was decided, and how fast."""
    counts = dict(
        db.session.execute(
            select(Comment.state, func.count(Comment.id)).where(Comment.law_id == law_id).group_by(Comment.state)
        ).all()
    )
    reasons = dict(
        db.session.execute(
            select(Comment.rejection_reason, func.count(Comment.id))
            .where(Comment.law_id == law_id, Comment.state == CommentState.REJECTED)
            .group_by(Comment.rejection_reason)
        ).all()
    )
    decided = db.session.execute(
        select(Comment.created_at, Comment.reviewed_at).where(
            Comment.law_id == law_id, Comment.reviewed_at.is_not(None)
        )
    ).all()
    waits = [reviewed - created for created, reviewed in decided]
    return LawModerationStats(
        received=sum(counts.values()),
        approved=counts.get(CommentState.APPROVED, 0),
        pending=counts.get(CommentState.PENDING, 0),
        rejected_by_reason={reason: reasons.get(reason, 0) for reason in REJECTION_REASONS},
        hidden=counts.get(CommentState.HIDDEN, 0),
        withdrawn=counts.get(CommentState.WITHDRAWN, 0),
        median_time_to_decision=statistics.median(waits) if waits else None,
    )
