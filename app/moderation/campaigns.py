"""Mass campaigns: near-identical comments found by MinHash and banded LSH, and kept grouped as comments change."""

import math
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm.util import identity_key

from app.auth.models import User
from app.comments.models import Comment
from app.db import Prepared, read, write
from app.extensions import db
from app.moderation.actions import audit, require_moderator
from app.moderation.errors import ModerationError
from app.moderation.lookalikes import copy_groups, look_alikes, move_group
from app.moderation.minhash import cached_bands, group, signature
from app.moderation.models import Campaign, CommentBand, CommentFingerprint

# A group is a campaign only if it is this many times the size of the draft's largest ordinary group below it.
# Independent authors who share an opinion form a ladder of look-alike groups of gradually growing sizes
# (2, 3, 5, 8 ... and, through shared sentences, some dozens); a copy-paste campaign stands apart from that ladder.
STAND_OUT = 3
# ... or it holds at least this share of the draft's comments: a tenth of a consultation in one text is mass
# pasting even where look-alike groups of ordinary comments chain into large ones.
MASS_SHARE = 0.1
# A group is shown as having arrived in a burst when most of its copies came within this long.
BURST_WINDOW = timedelta(hours=6)
CAMPAIGN = "campaign"
SIMILAR = "similar"
# PostgreSQL advisory lock space for a draft's groups (the second key is the draft's id); app/search/queue.py uses
# another. SQLite needs none: a writer holds the database's one write lock.
GROUPS_LOCK_SPACE = 0x4B47


def _lock_groups(law_id: int) -> None:
    """Let one transaction at a time change a draft's campaigns (PostgreSQL; until it commits)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: this transaction holds the one write lock already, nothing changed since it read
    db.session.execute(select(func.pg_advisory_xact_lock(GROUPS_LOCK_SPACE, law_id)))


def campaign_kinds(sizes: dict[int, int], min_size: int, comments: int = 0) -> set[int]:
    """The ids of the groups that are campaigns: at least min_size, and standing out in size on their draft."""
    floor = max(min_size, math.ceil(MASS_SHARE * comments)) if comments else None
    chosen = {group_id for group_id, size in sizes.items() if floor is not None and size >= floor}
    # Walk down the sizes to the first leap: a size at least STAND_OUT times the next one (a lone comment below the
    # smallest). The groups above it stand out if they are large enough; two mass texts on one draft both do.
    ladder = sorted(set(sizes.values()), reverse=True) + [1]
    for size, below in zip(ladder, ladder[1:], strict=False):
        if size >= STAND_OUT * below:
            if size >= min_size:
                chosen |= {group_id for group_id, group_size in sizes.items() if group_size >= size}
            break
    return chosen


def densest(times: list[datetime], window: timedelta = BURST_WINDOW) -> int:
    """The most of these arrival times that fall within one window: a burst when it is most of a group's copies."""
    times = sorted(times)
    best = start = 0
    for end, moment in enumerate(times):
        while moment - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def classify_law(law_id: int) -> None:
    """Mark each look-alike group of a draft as a campaign or as similar comments, from the sizes of all of them."""
    # It runs under the write lock whenever a copy joins a group, so the draft's comments are counted only when
    # they can change the answer, and only as far as they can: a group the ladder of sizes leaves out is a campaign
    # by its share when it holds a tenth of them, so past ten times the largest such group the count changes
    # nothing, and a draft with 100,000 comments is not counted whole each time a copy joins a campaign.
    rows = read(_GROUP_SIZES, {"law_id": law_id}).all()
    if not rows:
        return
    min_size = current_app.config.get("CAMPAIGN_MIN_SIZE", 10)
    sizes = {row.id: row.size for row in rows}
    chosen = campaign_kinds(sizes, min_size)
    by_share = max((size for group_id, size in sizes.items() if group_id not in chosen and size >= min_size), default=0)
    if by_share:
        # Every top-level comment has a fingerprint row (short ones too): they count the draft's comments.
        comments = read(_COMMENTS, {"law_id": law_id, "limit": 10 * by_share + 1}).scalar()
        chosen = campaign_kinds(sizes, min_size, comments)
    for kind in (CAMPAIGN, SIMILAR):
        changed = [row.id for row in rows if (row.id in chosen) == (kind == CAMPAIGN) and row.kind != kind]
        if changed:
            db.session.execute(update(Campaign).where(Campaign.id.in_(changed)).values(kind=kind))


# Prepared (app.db.Prepared): each runs on every post of a copy, under SQLite's write lock.
_GROW = Prepared(update(Campaign).where(Campaign.id == bindparam("group_id")).values(size=Campaign.size + 1))
_COMMENTS = Prepared(
    select(func.count()).select_from(
        select(CommentFingerprint.comment_id)
        .where(CommentFingerprint.law_id == bindparam("law_id"))
        .limit(bindparam("limit"))
        .subquery()
    )
)
_GROUP_SIZES = Prepared(select(Campaign.id, Campaign.size, Campaign.kind).where(Campaign.law_id == bindparam("law_id")))
_INSERT_FINGERPRINT = Prepared.insert_into(CommentFingerprint.__table__)
_INSERT_BANDS = Prepared.insert_into(CommentBand.__table__)


# --- stored fingerprints and campaigns ------------------------------------------------------------------------


def _fingerprint_text(comment: Comment) -> str:
    """The text a comment's signature is computed from, on every path that computes one."""
    # What the author wrote, not the masked text: masking one copy's phone number must not take it out of its campaign.
    return f"{comment.original_body or comment.body}\n{comment.original_wording or comment.proposed_wording or ''}"


# The last signatures computed in this process: a posted comment's is computed before the write lock
# (prepare_fingerprint), and fingerprint_comment then finds it here. A signature is a pure function of the text.
_signature = lru_cache(maxsize=64)(signature)


def prepare_fingerprint(comment: Comment) -> None:
    """Work out a new comment's signature and bands before the write lock, so that fingerprint_comment finds them."""
    if comment.parent_id is None:
        cached_bands(_signature(_fingerprint_text(comment)))


def _add_bands(comment_id: int, law_id: int, sig: bytes, campaign_id: int | None = None) -> None:
    rows = [
        {"comment_id": comment_id, "band": band, "law_id": law_id, "hash": value, "campaign_id": campaign_id}
        for band, value in enumerate(cached_bands(sig))
    ]
    if rows:
        # One executemany, not sixteen ORM objects: nothing reads bands back as objects, and on an import of
        # thousands of comments the objects' bookkeeping cost more than the rest of the fingerprint.
        write(_INSERT_BANDS, rows)


def fingerprint_comment(comment: Comment, *, new: bool = False) -> CommentFingerprint | None:
    """Store a comment's signature and keep it in the campaign of its look-alikes on the draft, or in none."""
    if comment.parent_id is not None:
        return None
    sig = _signature(_fingerprint_text(comment))
    # A comment just created has no row yet: not looked for (a posted comment's statements hold the write lock).
    row = None if new else db.session.get(CommentFingerprint, comment.id)
    if row is None:
        # On PostgreSQL a comment long enough to have look-alikes takes the draft's lock before it looks for them:
        # copies posted at once would otherwise each find none of the others (none committed yet) and a campaign
        # posted all at once would be no group at all. Short texts have no bands and never wait.
        if cached_bands(sig):
            _lock_groups(comment.law_id)
        alike = look_alikes(comment.id, comment.law_id, sig)
        groups = {campaign_id for _, campaign_id in alike}
        if len(groups) <= 1 and None not in groups:
            # The usual cases, no look-alike or one more copy of one campaign: the row is inserted with its group,
            # without an ORM object (its bookkeeping cost more than the statement, each post, under the write lock).
            # Short texts get a row too (no bands), as from fingerprint_missing, so they are not looked at again.
            group_id = next(iter(groups), None)
            write(_INSERT_FINGERPRINT, {"comment_id": comment.id, "law_id": comment.law_id, "signature": sig,
                                        "campaign_id": group_id, "excluded": False})  # fmt: skip
            if group_id is not None:
                _grow(group_id, comment.law_id)
            _add_bands(comment.id, comment.law_id, sig, group_id)
            return None
        row = CommentFingerprint(comment_id=comment.id, law_id=comment.law_id, signature=sig)
        db.session.add(row)
        _join_campaign(row, alike, comment.law_id)
        # Its bands are written once its group is known, with that group.
        _add_bands(comment.id, comment.law_id, sig, row.campaign_id)
        db.session.flush()
        return row
    _lock_groups(comment.law_id)  # an edit may split, merge or leave a campaign
    if row.signature != sig:
        row.signature = sig
        db.session.execute(delete(CommentBand).where(CommentBand.comment_id == comment.id))
        _add_bands(comment.id, comment.law_id, sig)
        db.session.flush()
        if row.campaign_id is not None:
            # The edit may have taken it away from its look-alikes, or cut the campaign where it was the link.
            _settle(row.campaign_id)
    # A comment a moderator took out of its group stays out, even after an edit.
    alike = [] if row.excluded else look_alikes(comment.id, comment.law_id, sig)
    if alike:
        _join_campaign(row, alike, comment.law_id)
    copy_groups([comment.id])
    return row


def _count_members(campaign: Campaign) -> int:
    return db.session.scalar(
        select(func.count()).select_from(CommentFingerprint).where(CommentFingerprint.campaign_id == campaign.id)
    )


def _grow(campaign_id: int, law_id: int) -> None:
    """One more copy joined this campaign: it grows by one (counted in SQL) and the draft's groups are reclassified."""
    # Not synchronized by the ORM (evaluating it cost more than the statement, each post, under the write lock):
    # a copy of the row loaded in this session forgets its size instead.
    write(_GROW, {"group_id": campaign_id})
    loaded = db.session.identity_map.get(identity_key(Campaign, campaign_id))
    if loaded is not None:
        db.session.expire(loaded, ["size"])
    classify_law(law_id)


def _join_campaign(row: CommentFingerprint, alike: list[tuple[int, int | None]], law_id: int) -> None:
    """Put the comment and its look-alikes in one campaign, merging the campaigns it bridges into the oldest."""
    existing = sorted({campaign_id for campaign_id in [row.campaign_id, *(c for _, c in alike)] if campaign_id})
    if row.campaign_id is None and len(existing) == 1 and all(campaign_id for _, campaign_id in alike):
        # The usual case, one more copy of one campaign: it grows by one, counted in SQL so that two copies
        # joining at once on PostgreSQL wait for each other's row lock and both count.
        row.campaign_id = existing[0]
        _grow(existing[0], law_id)
        return
    # Locked, so two comments joining at once on PostgreSQL both count the other in the campaign's size.
    campaign = db.session.get(Campaign, existing[0], with_for_update=True) if existing else Campaign(law_id=law_id)
    db.session.add(campaign)
    db.session.flush()
    if len(existing) > 1:
        db.session.execute(
            update(CommentFingerprint)
            .where(CommentFingerprint.campaign_id.in_(existing[1:]))
            .values(campaign_id=campaign.id)
        )
        move_group(existing[1:], campaign.id)
        # Their members are all in this campaign now; kept, the emptied rows would still show their old sizes.
        db.session.execute(delete(Campaign).where(Campaign.id.in_(existing[1:])))
    row.campaign_id = campaign.id
    # Look-alikes in a campaign are in this one now; those in none join it.
    loose = [comment_id for comment_id, campaign_id in alike if campaign_id is None]
    for start in range(0, len(loose), 500):
        db.session.execute(
            update(CommentFingerprint)
            .where(CommentFingerprint.comment_id.in_(loose[start : start + 500]))
            .values(campaign_id=campaign.id)
        )
    copy_groups(loose)
    campaign.size = _count_members(campaign)
    classify_law(law_id)


def _settle(campaign_id: int) -> None:
    """Regroup a campaign's members after one changed: split it where it broke, dissolve what is below MIN_CAMPAIGN."""
    campaign = db.session.get(Campaign, campaign_id, with_for_update=True)
    law_id = campaign.law_id
    members = db.session.scalars(select(CommentFingerprint).where(CommentFingerprint.campaign_id == campaign_id)).all()
    homes: dict[int, Campaign] = {}
    # The largest part keeps the campaign (and its id); any other part that still holds together becomes its own.
    for number, ids in enumerate(group({member.comment_id: member.signature for member in members})):
        part = campaign if number == 0 else Campaign(law_id=campaign.law_id)
        part.size = len(ids)
        db.session.add(part)
        homes.update(dict.fromkeys(ids, part))
    db.session.flush()
    for member in members:
        home = homes.get(member.comment_id)
        member.campaign_id = home.id if home else None
    copy_groups([member.comment_id for member in members])
    if not homes:
        # A campaign row is derived data, as regroup_law treats it; the comments and their history stay.
        db.session.delete(campaign)
    db.session.flush()
    classify_law(law_id)


def take_out(comment: Comment, *, actor: User) -> Campaign | None:
    """Take a comment out of its group for good and audit it; the rest is regrouped, re-sized and re-classified."""
    require_moderator(actor, _l("Only moderators decide on comments."))
    row = db.session.get(CommentFingerprint, comment.id)
    if row is None or row.campaign_id is None:
        raise ModerationError(_l("This comment is not in a group."), status=409)
    _lock_groups(comment.law_id)
    db.session.refresh(row)  # as it is now that no other transaction changes the draft's groups
    if row.campaign_id is None:
        raise ModerationError(_l("This comment is not in a group."), status=409)
    campaign_id = row.campaign_id
    row.campaign_id, row.excluded = None, True
    copy_groups([row.comment_id])
    _settle(campaign_id)
    audit(actor, "ungroup", comment, note=f"#{campaign_id}")
    db.session.flush()
    return db.session.get(Campaign, campaign_id)


def fingerprint_missing(law_id: int, batch: int = 500) -> int:
    """Compute signatures for a draft's comments that have none yet (comments loaded in bulk, old data)."""
    done = 0
    while True:
        missing = db.session.scalars(
            select(Comment)
            .outerjoin(CommentFingerprint, CommentFingerprint.comment_id == Comment.id)
            .where(Comment.law_id == law_id, Comment.parent_id.is_(None), CommentFingerprint.comment_id.is_(None))
            .order_by(Comment.id)
            .limit(batch)
        ).all()
        for comment in missing:
            sig = signature(_fingerprint_text(comment))
            # Short texts get a fingerprint row too (no bands), so they are not looked at again.
            db.session.add(CommentFingerprint(comment_id=comment.id, law_id=law_id, signature=sig))
            _add_bands(comment.id, law_id, sig)
            done += bool(sig)
        db.session.flush()
        if len(missing) < batch:
            return done


def regroup_law(law_id: int) -> list[Campaign]:
    """Recompute every campaign of a draft from stored signatures (for imports and threshold changes)."""
    _lock_groups(law_id)
    rows = db.session.scalars(select(CommentFingerprint).where(CommentFingerprint.law_id == law_id)).all()
    banded = set(
        db.session.scalars(select(CommentBand.comment_id).where(CommentBand.law_id == law_id, CommentBand.band == 0))
    )
    groups = group({row.comment_id: row.signature for row in rows if row.comment_id in banded and not row.excluded})
    by_id = {row.comment_id: row for row in rows}
    for row in rows:
        row.campaign_id = None
    db.session.flush()
    # Through the ORM, so campaigns loaded in this session go with their rows (a new one may reuse an id).
    db.session.execute(delete(Campaign).where(Campaign.law_id == law_id).execution_options(synchronize_session="fetch"))
    created = []
    for members in groups:
        campaign = Campaign(law_id=law_id, size=len(members))
        db.session.add(campaign)
        db.session.flush()
        for comment_id in members:
            by_id[comment_id].campaign_id = campaign.id
        created.append(campaign)
    copy_groups(law_id=law_id)
    classify_law(law_id)
    return created
