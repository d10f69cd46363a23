"""Decisions on comments, one at a time, by selection or by campaign, each with an audit row; masking.

They flush and never commit. Every decision locks the comment and re-reads its state first, so two
moderators deciding the same comment at once produce one decision and one audit row.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.auth.models import User
from app.comments.models import REJECTION_REASONS, Comment, CommentState, Flag
from app.comments.rendering import render_comment
from app.comments.services import approve_comment, bump_version, reject_comment
from app.comments.signals import comment_changed
from app.db import utcnow
from app.extensions import db
from app.moderation import screening
from app.moderation.actions import audit, lock_comment, require_moderator
from app.moderation.errors import CampaignChangedError, CommentChangedError, ModerationError
from app.moderation.models import Campaign, CommentFingerprint

logger = logging.getLogger(__name__)

ALREADY_PUBLISHED = _l(
    "This comment is already published. To keep it published and close its flags, "
    "choose “Keep published, dismiss flags”."
)

DECISIONS = ("approve", "reject", "hide", "restore", "publish_masked", "dismiss_flags")
# The audit names a decision by what happened: "flags dismissed", not the button's verb.
AUDITED_AS = {"dismiss_flags": "flags_dismissed"}


def _resolve_flags(comment: Comment) -> int:
    result = db.session.execute(
        update(Flag).where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None)).values(resolved_at=utcnow())
    )
    return result.rowcount or 0


def _dismiss_flags(comment: Comment) -> None:
    """Keep a flagged comment published and close its flags; one the flags sent back to review is published again."""
    has_open = db.session.scalar(
        select(Flag.id).where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None)).limit(1)
    )
    if comment.state == CommentState.PENDING and has_open is None:
        raise ModerationError(_l("This comment waits for a decision: approve or reject it."), status=409)
    if comment.state not in (CommentState.APPROVED, CommentState.PENDING):
        raise ModerationError(_l("Only the flags on a published comment can be dismissed."), status=409)
    if has_open is None:
        raise ModerationError(_l("This comment has no open flags: they were already dealt with."), status=409)
    if comment.state == CommentState.PENDING:
        # Comments are flagged only while published: this one was, until the flags sent it back to review.
        approve_comment(comment)
    _resolve_flags(comment)


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
    require_moderator(actor, _l("Only moderators decide on comments."))
    comment = lock_comment(comment)
    if comment.author_id == actor.id:
        raise ModerationError(_l("You cannot decide on your own comment."), status=403)
    # Checked on the locked row: an edit cannot slip in between this check and the decision.
    if comment.version != seen_version:
        raise CommentChangedError()
    before = comment.state
    note = (note or "").strip() or None
    if action == "approve":
        if before == CommentState.APPROVED:
            # Approving from the flagged queue: say what to do instead of blaming a colleague who did nothing.
            raise ModerationError(ALREADY_PUBLISHED, status=409)
        if before != CommentState.PENDING:
            raise ModerationError(_l("This comment was already decided by someone else."), status=409)
        approve_comment(comment)
        _resolve_flags(comment)
    elif action == "dismiss_flags":
        reason = None  # nothing is held against the comment: a reason picked by mistake is not recorded
        _dismiss_flags(comment)
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
    audit(actor, AUDITED_AS.get(action, action), comment, reason=reason, note=note, state_before=before,
          state_after=comment.state, bulk_id=bulk_id)  # fmt: skip
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
    require_moderator(actor, _l("Only moderators decide on comments."))
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
    require_moderator(actor, _l("Only moderators decide on comments."))
    if not campaign.is_campaign:
        # Similar comments may be independent people who agree: each is decided on its own.
        raise ModerationError(_l("Similar comments are not a campaign: decide them one by one."), status=409)
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
