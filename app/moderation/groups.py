"""Pending comments gathered so a moderator can clear them a group at a time: by group of similar comments (or
campaign), and, for the rest, by draft and identical screening hints."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.comments.models import Comment, CommentState
from app.extensions import db
from app.moderation.models import Campaign, CommentFingerprint, CommentScreening
from app.moderation.screening import PERSONAL_DATA_KINDS

GROUPS_SHOWN = 50
SAMPLES = 3
# The comments one group decision carries, oldest first: each is a form field, and a form holds 1,000 at most
# (Flask's MAX_FORM_PARTS). A larger group is cleared in several rounds.
MAX_PER_DECISION = 500


@dataclass
class PendingGroup:
    """Pending comments decided together: a campaign, a group of similar comments, or comments with the same hints."""

    kind: str  # "campaign", "similar" or "hints"
    law_id: int
    members: list[tuple[int, int]] = field(default_factory=list)  # (comment id, version read), oldest first
    campaign_id: int | None = None
    campaign: Campaign | None = None
    hints: list[str] = field(default_factory=list)  # what a group by hints was gathered on
    hint_counts: dict[str, int] = field(default_factory=dict)  # how many members have each hint
    samples: list[Comment] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def personal_data(self) -> bool:
        """Some member holds personal data (an IIN, a phone number...): publishing it unmasked would expose it."""
        return any(code in self.hint_counts for code in PERSONAL_DATA_KINDS)

    @property
    def selection(self) -> list[str]:
        """The "id:version" values a group decision carries, so it is refused if any of them changed."""
        return [f"{comment_id}:{version}" for comment_id, version in self.members[:MAX_PER_DECISION]]


@dataclass
class PendingGroups:
    groups: list[PendingGroup]  # the largest first, at most GROUPS_SHOWN
    pending: int  # every pending comment (on the chosen draft)
    alone: int  # pending comments in no group: decided in the queue
    more: int  # groups left out of the page


def pending_groups(law_id: int | None = None) -> PendingGroups:
    """Group the pending comments (of one draft, or all) by similar-comments group, else by identical hints."""
    query = (
        select(Comment.id, Comment.version, Comment.law_id, CommentFingerprint.campaign_id, CommentScreening.hints)
        .outerjoin(CommentFingerprint, CommentFingerprint.comment_id == Comment.id)
        .outerjoin(CommentScreening, CommentScreening.comment_id == Comment.id)
        .where(Comment.state == CommentState.PENDING)
        .order_by(Comment.created_at, Comment.id)
    )
    if law_id is not None:
        query = query.where(Comment.law_id == law_id)
    found: dict[tuple, PendingGroup] = {}
    pending = alone = 0
    for comment_id, version, comment_law_id, campaign_id, hints in db.session.execute(query):
        pending += 1
        if campaign_id is not None:
            key = ("group", campaign_id)
        elif hints:
            # Hints only group comments on one draft: the same hint on two drafts says nothing about the texts.
            key = ("hints", comment_law_id, hints)
        else:
            alone += 1
            continue
        if key not in found:
            found[key] = (
                PendingGroup(kind="similar", law_id=comment_law_id, campaign_id=campaign_id)
                if campaign_id is not None
                else PendingGroup(kind="hints", law_id=comment_law_id, hints=hints.split(","))
            )
        group = found[key]
        group.members.append((comment_id, version))
        for code in filter(None, (hints or "").split(",")):
            group.hint_counts[code] = group.hint_counts.get(code, 0) + 1
    # One pending comment is no group to clear at once: it is read in the queue.
    groups = [group for group in found.values() if group.size > 1]
    alone += sum(group.size for group in found.values() if group.size == 1)
    groups.sort(key=lambda group: (-group.size, group.members[0][0]))
    shown = groups[:GROUPS_SHOWN]
    _complete(shown)
    return PendingGroups(groups=shown, pending=pending, alone=alone, more=len(groups) - len(shown))


def _complete(groups: list[PendingGroup]) -> None:
    """Attach each group's campaign and its first members to read, in two queries."""
    campaign_ids = [group.campaign_id for group in groups if group.campaign_id is not None]
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids)))}
    for group in groups:
        group.campaign = campaigns.get(group.campaign_id)
        if group.campaign is not None:
            group.kind = group.campaign.kind
    sample_ids = {comment_id: group for group in groups for comment_id, _version in group.members[:SAMPLES]}
    if not sample_ids:
        return
    for comment in db.session.scalars(
        select(Comment)
        .where(Comment.id.in_(list(sample_ids)))
        .options(joinedload(Comment.law), joinedload(Comment.section), joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    ):
        sample_ids[comment.id].samples.append(comment)
