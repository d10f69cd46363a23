"""The workspace queues as a moderator narrows and orders them: filters read from the query string, the queries built
from them, and the next comment to read after a decision."""

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select

from app.comments.models import CHANNELS, STANCES, Comment, CommentState, Flag
from app.extensions import db
from app.laws.models import Law, LawVersion, Section
from app.laws.numbering import sections_by_number_path
from app.moderation.labels import HINT_LABELS
from app.moderation.models import Campaign, CommentFingerprint, CommentScreening

QUEUES = ("pending", "flagged")
# The first order of each queue is its default.
SORTS = {"pending": ("oldest", "newest", "largest"), "flagged": ("flags", "oldest", "newest", "largest")}
LANGS = ("kk", "ru", "en")
NO_HINT = "none"  # comments the screening noticed nothing in
HINTS = (*HINT_LABELS, NO_HINT)
MAX_UNIT = 40  # longer than any number path ("12.3.4"); what is longer is a typo, not a unit


@dataclass
class QueueFilters:
    """What a moderator narrowed a queue to, as read from the query string (unknown values dropped)."""

    queue: str = "pending"
    law: Law | None = None
    unit: str = ""
    stance: str = ""
    lang: str = ""
    channel: str = ""
    hint: str = ""
    sort: str = ""
    # The unit and its points in every version of the draft; None when no unit narrows the queue.
    section_ids: list[int] | None = None
    error: str | None = None  # why the unit asked for narrows nothing

    def args(self) -> dict[str, str]:
        """The filters as query arguments, for links and redirects that keep them."""
        values = {
            "law": self.law.slug if self.law else "",
            "unit": self.unit,
            "stance": self.stance,
            "lang": self.lang,
            "channel": self.channel,
            "hint": self.hint,
            "sort": "" if self.sort == SORTS[self.queue][0] else self.sort,
        }
        return {key: value for key, value in values.items() if value}

    def item_args(self) -> dict[str, str]:
        """Query arguments of an item page opened from this queue: the decision there leads to the next item."""
        return {"queue": self.queue, **self.args()}


def choices(queue: str) -> dict[str, tuple[str, ...]]:
    """What the filter lists of a queue offer."""
    return {"stances": STANCES, "channels": CHANNELS, "hints": HINTS, "sorts": SORTS[queue]}


def law_choices() -> list:
    """Every draft as (slug, kk, ru, en title) for the filter's list, by slug."""
    return db.session.execute(select(Law.slug, Law.title_kk, Law.title_ru, Law.title_en).order_by(Law.slug)).all()


def _pick(args: Mapping[str, str], name: str, allowed) -> str:
    value = args.get(name, "")
    return value if value in allowed else ""


def read_filters(args: Mapping[str, str], queue: str) -> QueueFilters:
    """Read a queue's filters; a unit number the chosen draft does not have is explained, not applied."""
    found = QueueFilters(
        queue=queue,
        stance=_pick(args, "stance", STANCES),
        lang=_pick(args, "lang", LANGS),
        channel=_pick(args, "channel", CHANNELS),
        hint=_pick(args, "hint", HINTS),
        sort=_pick(args, "sort", SORTS[queue]) or SORTS[queue][0],
    )
    slug = args.get("law", "").strip()
    if slug:
        found.law = db.session.scalar(select(Law).where(Law.slug == slug[:80]))
    unit = args.get("unit", "").strip()
    if not unit:
        return found
    found.unit = unit[:MAX_UNIT]
    if found.law is None:
        found.error = _("Choose a draft law to pick a unit by its number.")
        return found
    found.section_ids = unit_sections(found.law, found.unit) or None
    if found.section_ids is None:
        found.error = _(
            "The draft has no unit %(unit)s, so the list is not narrowed by unit. Write the number as in the text: "
            "5 for article 5, 4.2 for point 2 of article 4.",
            unit=found.unit,
        )
    return found


def unit_sections(law: Law, path: str) -> list[int]:
    """The ids of the unit with this number path ("5", "4.2") and of its points, in every version of the draft."""
    sections = db.session.scalars(
        select(Section)
        .join(LawVersion, LawVersion.id == Section.version_id)
        .where(LawVersion.law_id == law.id)
        .order_by(Section.version_id, Section.position)
    ).all()
    by_version: dict[int, list[Section]] = {}
    for section in sections:
        by_version.setdefault(section.version_id, []).append(section)
    ids: list[int] = []
    for version_sections in by_version.values():
        unit = sections_by_number_path(version_sections).get(path)
        if unit is None:
            continue
        # Its points follow it in document order, deeper than it, until the next unit of its level.
        start = version_sections.index(unit)
        ids.append(unit.id)
        for section in version_sections[start + 1 :]:
            if section.depth <= unit.depth:
                break
            ids.append(section.id)
    return ids


def _open_flag_counts():
    return (
        select(Flag.comment_id, func.count(func.distinct(Flag.user_id)).label("n"))
        .where(Flag.resolved_at.is_(None))
        .group_by(Flag.comment_id)
        .subquery()
    )


def _has_hint(code: str):
    screened = CommentScreening.comment_id == Comment.id
    if code == NO_HINT:
        return ~exists().where(screened, CommentScreening.hints != "")
    # Codes are stored comma-separated; the commas around both sides keep "iin" from matching inside another code.
    return exists().where(screened, ("," + CommentScreening.hints + ",").like(f"%,{code},%"))


def filtered(filters: QueueFilters, query=None):
    """The queue's comments under the filters, unordered; with the open-flag counts for the flagged queue."""
    query = query if query is not None else select(Comment)
    flags = None
    if filters.queue == "flagged":
        flags = _open_flag_counts()
        query = query.join(flags, flags.c.comment_id == Comment.id).where(
            Comment.state.in_([CommentState.APPROVED, CommentState.PENDING])
        )
    else:
        query = query.where(Comment.state == CommentState.PENDING)
    if filters.law is not None:
        query = query.where(Comment.law_id == filters.law.id)
    if filters.section_ids:
        query = query.where(Comment.section_id.in_(filters.section_ids))
    for column, value in ((Comment.stance, filters.stance), (Comment.lang, filters.lang),
                          (Comment.channel, filters.channel)):  # fmt: skip
        if value:
            query = query.where(column == value)
    if filters.hint:
        query = query.where(_has_hint(filters.hint))
    return query, flags


def ordered(filters: QueueFilters):
    """The queue's comments under the filters, in the order the moderator chose."""
    query, flags = filtered(filters)
    oldest = (Comment.created_at, Comment.id)
    if filters.sort == "newest":
        return query.order_by(Comment.created_at.desc(), Comment.id.desc())
    if filters.sort == "flags" and flags is not None:
        return query.order_by(flags.c.n.desc(), *oldest)
    if filters.sort == "largest":
        size = _group_size(filters)
        query = query.outerjoin(CommentFingerprint, CommentFingerprint.comment_id == Comment.id).outerjoin(
            size, size.c.campaign_id == CommentFingerprint.campaign_id
        )
        # A comment in no group counts as a group of one; members of one group stay together.
        return query.order_by(func.coalesce(size.c.n, 1).desc(), CommentFingerprint.campaign_id, *oldest)
    return query.order_by(*oldest)


def _group_size(filters: QueueFilters):
    """Each group's size as this queue sees it: its pending members in the pending queue, all of them otherwise."""
    if filters.queue == "pending":
        return (
            select(CommentFingerprint.campaign_id, func.count().label("n"))
            .join(Comment, Comment.id == CommentFingerprint.comment_id)
            .where(Comment.state == CommentState.PENDING, CommentFingerprint.campaign_id.is_not(None))
            .group_by(CommentFingerprint.campaign_id)
            .subquery()
        )
    return select(Campaign.id.label("campaign_id"), Campaign.size.label("n")).subquery()


def next_item(filters: QueueFilters, after: Comment, actor_id: int) -> int | None:
    """The comment to read after deciding `after`: the next one in the queue oldest first, else the oldest left."""
    query, _flags = filtered(filters, select(Comment.id))
    # Not the moderator's own comments: another moderator decides those, so they would be a dead end here.
    query = query.where(Comment.id != after.id, Comment.author_id != actor_id)
    later = or_(
        Comment.created_at > after.created_at, and_(Comment.created_at == after.created_at, Comment.id > after.id)
    )
    for candidates in (query.where(later), query):
        found = db.session.scalar(candidates.order_by(Comment.created_at, Comment.id).limit(1))
        if found is not None:
            return found
    return None
