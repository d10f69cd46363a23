"""A comment's look-alikes on its draft: the stored comments that share an LSH bucket with it and reach THRESHOLD.

Each band row carries its comment's group (campaign_id, copied from the fingerprint), and the bucket index ends in
it, so a bucket's groups are found by one index seek per group and a group's members by a range of that index. The
work of a new copy no longer grows with its campaign: reading every copy sharing a bucket cost 10 ms per post at
1,500 copies, under SQLite's write lock (bench/http_pages.py).
"""

from sqlalchemy import bindparam, or_, select, text, union_all, update

from app.db import Prepared, read
from app.extensions import db
from app.moderation.minhash import BANDS, THRESHOLD, cached_bands, similarity
from app.moderation.models import CommentBand, CommentFingerprint

SAMPLE = 4  # members of a group read first from each shared bucket; all of them only if none of these is alike
IDS_AT_ONCE = 500  # comment ids per UPDATE (SQLite takes at most 32,766 parameters)

# The groups present in the comment's buckets: per bucket the smallest group id, then the next above it, each an
# index seek (a loose index scan, which neither SQLite nor PostgreSQL does by itself for DISTINCT). Only the band
# numbers are written into the text; every value is a parameter.
_BUCKETS = ", ".join(f"({band}, :hash_{band})" for band in range(BANDS))
_GROUPS = Prepared(
    text(
        f"WITH RECURSIVE buckets(band, hash) AS (VALUES {_BUCKETS}), "  # noqa: S608  # nosec B608
        "found(band, hash, group_id) AS ("
        " SELECT band, hash, (SELECT min(b.campaign_id) FROM comment_bands b WHERE b.law_id = :law_id"
        "  AND b.band = buckets.band AND b.hash = buckets.hash AND b.campaign_id IS NOT NULL) FROM buckets"
        " UNION ALL"
        " SELECT band, hash, (SELECT min(b.campaign_id) FROM comment_bands b WHERE b.law_id = :law_id"
        "  AND b.band = found.band AND b.hash = found.hash AND b.campaign_id > found.group_id)"
        " FROM found WHERE found.group_id IS NOT NULL"
        ") SELECT DISTINCT group_id FROM found WHERE group_id IS NOT NULL"
    )
)


def _bucket(band: int, group):
    # The draft and the group are repeated in every term: each is then one range of ix_comment_bands_lookup.
    return (
        (CommentBand.law_id == bindparam("law_id"))
        & (CommentBand.band == band)
        & (CommentBand.hash == bindparam(f"hash_{band}"))
        & group
    )


def _candidates(ids):
    return select(CommentFingerprint.comment_id, CommentFingerprint.campaign_id, CommentFingerprint.signature).where(
        CommentFingerprint.comment_id.in_(ids),
        CommentFingerprint.comment_id != bindparam("comment_id"),
        CommentFingerprint.excluded.is_(False),
    )


# Built once, with parameters: composing sixteen terms anew for every comment cost more than running the query; and
# prepared (app.db.Prepared): even SQLAlchemy's cache key of a statement this size cost more than SQLite's work.
_LOOSE = Prepared(
    _candidates(
        select(CommentBand.comment_id).where(
            or_(*[_bucket(band, CommentBand.campaign_id.is_(None)) for band in range(BANDS)])
        )
    )
)
_IN_GROUP = [_bucket(band, CommentBand.campaign_id == bindparam("group_id")) for band in range(BANDS)]
_SAMPLE = Prepared(
    _candidates(
        union_all(
            *[
                select(part.c.comment_id)
                for part in (
                    select(CommentBand.comment_id).where(term).limit(SAMPLE).subquery(f"b{band}")
                    for band, term in enumerate(_IN_GROUP)
                )
            ]
        )
    )
)
_MEMBERS = Prepared(_candidates(select(CommentBand.comment_id).where(or_(*_IN_GROUP))))


def look_alikes(comment_id: int, law_id: int, sig: bytes) -> list[tuple[int, int | None]]:
    """(comment id, campaign id) of the stored comments sharing a bucket that reach THRESHOLD.

    Every comment in no group that is alike comes back; of a group, the first member found alike (one brings the
    whole group along).
    """
    band_hashes = cached_bands(sig)
    if not band_hashes:
        return []
    params = {"law_id": law_id, "comment_id": comment_id}
    params.update((f"hash_{band}", value) for band, value in enumerate(band_hashes))
    alike: list[tuple[int, int | None]] = []
    seen: set[int] = set()

    def compare(rows, first_only: bool) -> bool:
        """Keep the rows alike to the comment (each compared once); True once one is found, if that is all we need."""
        for other_id, group_id, other_sig in rows:
            if other_id in seen:
                continue
            seen.add(other_id)
            if similarity(other_sig, sig) >= THRESHOLD:
                alike.append((other_id, group_id))
                if first_only:
                    return True
        return False

    compare(read(_LOOSE, params), first_only=False)
    for group_id in read(_GROUPS, params).scalars().all():
        if compare(read(_SAMPLE, {**params, "group_id": group_id}), first_only=True):
            continue
        rows = read(_MEMBERS, {**params, "group_id": group_id})
        compare(rows, first_only=True)
        rows.close()  # the rest of the group need not be read nor compared
    return alike


def copy_groups(comment_ids: list[int] | None = None, *, law_id: int | None = None) -> None:
    """Give band rows their comment's group again, after fingerprints changed group (by comment, or a whole draft)."""
    group_of = (
        select(CommentFingerprint.campaign_id)
        .where(CommentFingerprint.comment_id == CommentBand.comment_id)
        .scalar_subquery()
    )
    db.session.flush()
    if law_id is not None:
        db.session.execute(
            update(CommentBand)
            .where(CommentBand.law_id == law_id)
            .values(campaign_id=group_of)
            .execution_options(synchronize_session=False)
        )
        return
    ids = sorted(set(comment_ids or ()))
    for start in range(0, len(ids), IDS_AT_ONCE):
        db.session.execute(
            update(CommentBand)
            .where(CommentBand.comment_id.in_(ids[start : start + IDS_AT_ONCE]))
            .values(campaign_id=group_of)
            .execution_options(synchronize_session=False)
        )


def move_group(old: list[int], new: int) -> None:
    """Band rows of merged groups follow their members, already moved, into the group they were merged into."""
    # Found through the members' fingerprints (their group's index), not by reading every band row of the draft.
    members = select(CommentFingerprint.comment_id).where(CommentFingerprint.campaign_id == new)
    db.session.execute(
        update(CommentBand)
        .where(CommentBand.comment_id.in_(members), CommentBand.campaign_id.in_(old))
        .values(campaign_id=new)
        .execution_options(synchronize_session=False)
    )
