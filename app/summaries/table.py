"""The summary table of a snapshot ("жиынтық кесте" / "сводная таблица"): one row per comment group.

What Kazakh and Russian legislative practice sends with a draft: for each remark, the structural unit it is about,
that unit's text in the draft, the remark or the wording proposed, its author, and the drafting agency's decision
with its reasoning. Here a row is a comment group, as in the summary: a campaign of near-identical comments is one
row marked ×N (its members' count), every other comment is a row of its own. The decision and reasoning columns stay
empty until the agency answers; they are read when the table is made, so a submitted snapshot's table shows the
answers given since (members of a campaign answered apart are counted per decision).

The snapshot keeps figures, not every comment, so the rows are read from the database: the approved comments on the
snapshot's version that had been written and published when it was built (one hidden since is no longer listed).
Campaigns count as the builder counts them: only approved members on this version, and a campaign with a single
such member is an ordinary comment.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, or_, select

from app.auth.models import User
from app.comments.labels import CHANNEL_LABELS, label
from app.comments.models import STANCES, Comment, CommentState
from app.comments.proposals import full_text
from app.extensions import db
from app.i18n import fallback_order
from app.laws.models import Section
from app.moderation.models import Campaign, CommentFingerprint
from app.summaries import text
from app.summaries.models import SummarySnapshot
from app.summaries.signals import summary_table_made
from app.template_helpers import heading_label

# A unit is named from its article (or chapter, part, preamble) down: "14-бап, 2-тармақ", "Статья 14, пункт 2".
NAMED_INSIDE = frozenset({"point", "subpoint"})
# Units quoted with everything under them; a chapter is quoted without its articles.
WITH_POINTS = frozenset({"article", "point", "subpoint"})
_BLANK_LINE = re.compile(r"\n\s*\n")

# The columns Kazakh and Russian practice gives the table, in order.
COLUMNS = (
    _l("No."),
    _l("Structural unit"),
    _l("Text of the draft"),
    _l("Comment or proposed wording"),
    _l("Author"),
    _l("Decision of the drafting agency"),
    _l("Reasoning"),
)


@dataclass
class TableRow:
    """One comment group of the summary table."""

    number: int
    section_id: int
    unit: str  # "14-бап, 2-тармақ"
    unit_text: str  # the unit's text in the draft, with its points
    stance: str
    comment: str  # plain text of the (lead) comment
    proposed_wording: str | None
    author: str  # a name (with the channel), or "×40: … from 34 authors"
    size: int  # comments in the group
    authors: int
    comment_ids: list[int]
    campaign_id: int | None = None
    other_units: list[str] = field(default_factory=list)  # where else a campaign's copies were left
    decision: str = ""
    reasoning: str = ""

    @property
    def author_text(self) -> str:
        """The author column: the author (or the campaign's ×N), and where else a campaign's copies were left."""
        lines = [self.author]
        if self.other_units:
            lines.append(_("Also on: %(units)s", units="; ".join(self.other_units)))
        return "\n".join(lines)


@dataclass
class _Member:
    id: int
    section_id: int
    author_id: int
    author_name: str
    stance: str
    body: str
    wording: str | None
    channel: str
    ref: str | None
    score: float
    at: datetime
    campaign_id: int | None


def in_snapshot(snapshot: SummarySnapshot):
    """The condition on Comment (joined with its Section) for the comments a snapshot counts, still published."""
    return and_(
        Comment.law_id == snapshot.law_id,
        Section.version_id == snapshot.version_id,
        Comment.state == CommentState.APPROVED,
        # Written and published by then (an imported letter's date may be older than its import: created_at
        # is when it entered Kenes).
        Comment.created_at <= snapshot.built_at,
        or_(Comment.published_at.is_(None), Comment.published_at <= snapshot.built_at),
    )


def _members(snapshot: SummarySnapshot) -> list[_Member]:
    query = (
        select(
            Comment.id,
            Comment.section_id,
            Comment.author_id,
            User.display_name,
            Comment.stance,
            Comment.body,
            Comment.proposed_wording,
            Comment.channel,
            Comment.ref,
            Comment.score,
            Comment.received_at,
            Comment.created_at,
            Campaign.id,
        )
        .join(Section, Section.id == Comment.section_id)
        .join(User, User.id == Comment.author_id)
        .outerjoin(CommentFingerprint, CommentFingerprint.comment_id == Comment.id)
        # As the builder counts them: only a campaign is one text ×N; "similar" look-alikes are rows of their own.
        .outerjoin(Campaign, (Campaign.id == CommentFingerprint.campaign_id) & (Campaign.kind == "campaign"))
        .where(in_snapshot(snapshot))
        .order_by(Comment.id)
    )
    return [
        _Member(cid, sid, aid, name, stance, body, wording, channel, ref, score or 0.0, received or created, campaign)
        for cid, sid, aid, name, stance, body, wording, channel, ref, score, received, created, campaign in (
            db.session.execute(query)
        )
    ]


class _Units:
    """Names and texts of a version's units, from one query."""

    def __init__(self, version_id: int, lang: str):
        self.lang = lang
        self.sections = list(
            db.session.scalars(select(Section).where(Section.version_id == version_id).order_by(Section.position))
        )
        self.by_id = {s.id: s for s in self.sections}
        self.children: dict[int, list[Section]] = defaultdict(list)
        for section in self.sections:
            if section.parent_id:
                self.children[section.parent_id].append(section)
        self._texts: dict[int, str] = {}

    def position(self, section_id: int) -> int:
        return self.by_id[section_id].position

    def name(self, section_id: int) -> str:
        """The unit named from its article down, in the export's language: "Статья 14, пункт 2"."""
        chain = []
        section = self.by_id.get(section_id)
        while section is not None:
            chain.append(section)
            if section.kind not in NAMED_INSIDE or not section.parent_id:
                break
            section = self.by_id.get(section.parent_id)
        parts = [heading_label(s.kind, s.number, self.lang) for s in reversed(chain)]
        # "Статья 14, пункт 2": only the first part keeps its capital (Kazakh parts start with the number).
        return ", ".join([parts[0], *(p[:1].lower() + p[1:] for p in parts[1:])])

    def _subtree(self, section: Section) -> list[Section]:
        found = [section]
        for child in self.children.get(section.id, []):
            found.extend(self._subtree(child))
        return found

    def text(self, section_id: int) -> str:
        """The unit's heading and text with its points, in the export's language or the first there is (a chapter's
        or part's own heading and text only: its articles have rows of their own)."""
        if section_id not in self._texts:
            section = self.by_id[section_id]
            subtree = self._subtree(section) if section.kind in WITH_POINTS else [section]
            found = ""
            for code in fallback_order(self.lang):
                body = full_text(subtree, code)
                heading = getattr(section, f"heading_{code}") or ""
                if body or heading:
                    found = "\n".join(part for part in (heading, body) if part)
                    break
            self._texts[section_id] = found
        return self._texts[section_id]


def campaign_note(size: int, authors: int) -> str:
    """Describe a campaign: "×40 near-identical comments; authors: 34" (a bare figure, so no noun agrees with it)."""
    return ngettext(
        "×%(num)d near-identical comment; authors: %(authors)d",
        "×%(num)d near-identical comments; authors: %(authors)d",
        size,
        authors=authors,
    )


def _author(member: _Member) -> str:
    if member.channel == "web":
        return member.author_name
    channel = label(CHANNEL_LABELS, member.channel)
    if member.ref:
        return _("%(name)s (%(channel)s, ref. %(ref)s)", name=member.author_name, channel=channel, ref=member.ref)
    return _("%(name)s (%(channel)s)", name=member.author_name, channel=channel)


def _lead(members: list[_Member]) -> _Member:
    # As the builder's groups: the best scored member speaks for a campaign, the earliest among equals.
    return min(members, key=lambda m: (-m.score, m.at, m.id))


def _majority_stance(members: list[_Member]) -> str:
    counts = Counter(m.stance for m in members)
    return min(counts, key=lambda s: (-counts[s], STANCES.index(s)))


def _paragraphs(body: str) -> str:
    # Plain text that keeps a letter's paragraphs apart (a table cell shows line breaks).
    return "\n".join(filter(None, (text.plain(part) for part in _BLANK_LINE.split(body))))


def summary_table(snapshot: SummarySnapshot, lang: str) -> list[TableRow]:
    """The rows of the snapshot's summary table in document order, with names and texts in `lang` (call it
    inside the export's locale: the author column is translated)."""
    members = _members(snapshot)
    units = _Units(snapshot.version_id, lang)
    by_campaign: dict[int, list[_Member]] = defaultdict(list)
    for member in members:
        if member.campaign_id is not None:
            by_campaign[member.campaign_id].append(member)
    campaigns = {cid for cid, group in by_campaign.items() if len(group) > 1}

    groups: list[tuple[int, list[_Member]]] = []  # (home section id, members)
    for member in members:
        if member.campaign_id not in campaigns:
            groups.append((member.section_id, [member]))
    for campaign_id in campaigns:
        group = by_campaign[campaign_id]
        where = Counter(m.section_id for m in group)
        # Listed where most of its copies are, as in the summary's campaigns (document order breaks ties).
        home = min(where, key=lambda sid: (-where[sid], units.position(sid)))
        groups.append((home, group))
    groups.sort(key=lambda g: (units.position(g[0]), min(m.at for m in g[1]), min(m.id for m in g[1])))

    rows = []
    for number, (home, group) in enumerate(groups, start=1):
        lead = _lead(group)
        campaign_id = group[0].campaign_id if len(group) > 1 else None
        authors = len({m.author_id for m in group})
        if campaign_id is None:
            author = _author(lead)
        else:
            author = campaign_note(len(group), authors)
        elsewhere = sorted({m.section_id for m in group} - {home}, key=units.position)
        rows.append(
            TableRow(
                number=number,
                section_id=home,
                unit=units.name(home),
                unit_text=units.text(home),
                stance=_majority_stance(group),
                comment=_paragraphs(lead.body),
                proposed_wording=(lead.wording or "").strip() or None,
                author=author,
                size=len(group),
                authors=authors,
                comment_ids=sorted(m.id for m in group),
                campaign_id=campaign_id,
                other_units=[units.name(sid) for sid in elsewhere],
            )
        )
    # The agency's decisions are read now, not frozen: answers come after the summary is submitted.
    summary_table_made.send(snapshot, rows=rows, lang=lang)
    return rows


def column_names() -> list[str]:
    """The table's column headings in the current locale."""
    return [str(name) for name in COLUMNS]
