"""Build the summary of a draft version from its approved comments: the `data` document of a SummarySnapshot.

Pure: two queries (the version's sections; its approved comments with their campaign), then computation; nothing is
written. The document (keys exactly as the summaries contract of issue 10 gives them):

    {"law", "version", "snapshot", "status", "built_at", "totals": {...}, "sections": [...], "campaigns": [...]}

What counts, and how:
- Only APPROVED comments on sections of this version. Replies count too, as comments of their section (they are
  approved public comments; a reply's stance is its own).
- A unit's "comments", "authors", "by_*" include its points and sub-points (rolled up into their article and
  chapter, and into every other ancestor); "own_comments" is what was left on the unit itself.
- Campaigns (app.moderation groups of kind "campaign"; "similar" groups are ordinary comments here) count with every
  approved member in all totals, and appear once among arguments, themes and campaign lists with their size and
  distinct authors. Only approved members on this version count; a campaign with a single such member is an ordinary
  comment here. In a unit's lists a campaign's "size" and "authors" are its members within that unit (with its
  points); the top-level "campaigns" list gives the whole campaign, under the unit that holds most of its members
  ("section_number").
- Arguments "for" are support, "against" oppose, ranked by the stored Wilson bound (Comment.score); a campaign
  stands under its members' majority stance, by its best member's score. Neutral comments are no argument (they are in
  the themes and summary); "amend" comments are listed as proposed wordings, not as arguments.
- Themes and the extractive summary are computed on articles (with their points and sub-points) and on units that
  are in no article (preamble, a chapter's own comments); points and sub-points have none of their own, their
  comments are in their article's. Proposed wordings belong to the unit they were proposed for (diffed against its
  text with its points, as the comment page shows them).
- Sections listed: every chapter, section (раздел) and article, and any other unit with at least one comment.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from heapq import nlargest

from markupsafe import escape
from sqlalchemy import select

from app.comments.models import STANCES
from app.comments.proposals import full_text
from app.extensions import db
from app.laws.diffs import word_diff
from app.laws.models import LANGS, Law, LawVersion, Section
from app.laws.numbering import number_paths
from app.summaries import extractive, text, themes
from app.summaries.rows import Group, Row, count_rows, group_rows, load_rows

ARGUMENTS_PER_SIDE = 5
# Units analysed for themes and summary: an article gathers its points; anything outside an article stands alone.
ANALYSED_INSIDE = frozenset({"point", "subpoint"})
ALWAYS_LISTED = frozenset({"section", "chapter", "article"})
TITLE_CHARS = 120
BOILERPLATE_UNITS = 3  # a sentence written the same way about this many analysed units is left out of summaries

Progress = Callable[[str, int], None]


@dataclass
class Unit:
    section: Section
    own: list[Row] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)  # own + descendants'


def _noop(_step: str, _percent: int) -> None:
    return None


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _argument(group: Group) -> dict:
    lead = group.lead
    return {
        "comment_id": lead.id,
        "excerpt": text.excerpt(lead.body),
        "score": round(lead.score, 4),
        "lang": lead.lang,
        "campaign_id": group.campaign_id,
        "size": group.size,
        "authors": group.authors,
    }


def _arguments(groups: list[Group]) -> dict:
    sides: dict[str, list[Group]] = {"support": [], "oppose": []}
    for group in groups:
        if group.stance in sides:
            sides[group.stance].append(group)

    def rank(group: Group):
        lead = group.lead
        return (lead.score, group.size, -lead.id)

    return {
        "for": [_argument(g) for g in nlargest(ARGUMENTS_PER_SIDE, sides["support"], key=rank)],
        "against": [_argument(g) for g in nlargest(ARGUMENTS_PER_SIDE, sides["oppose"], key=rank)],
    }


def _campaign_entry(group: Group) -> dict:
    moments = [r.at for r in group.rows]
    return {
        "id": group.campaign_id,
        "size": group.size,
        "authors": group.authors,
        "excerpt": text.excerpt(group.lead.body),
        "stance": group.stance,
        "first_at": _iso(min(moments)),
        "last_at": _iso(max(moments)),
    }


def diff_html(ops: list[tuple[str, str]]) -> str:
    """A word diff as escaped HTML with <ins> and <del> only."""
    parts = []
    for op, chunk in ops:
        escaped = str(escape(chunk))
        tag = {"insert": "ins", "delete": "del"}.get(op)
        parts.append(f"<{tag}>{escaped}</{tag}>" if tag else escaped)
    return "".join(parts)


def _wordings(rows: list[Row], unit_text: Callable[[str], str]) -> list[dict]:
    """Every proposed wording on the unit, identical ones (folded, without punctuation) merged, with a diff."""
    merged: dict[str, list[Row]] = {}
    for row in rows:
        if row.wording and row.wording.strip():
            key = text.normalise_wording(row.wording)
            if key:
                merged.setdefault(key, []).append(row)
    result = []
    for members in merged.values():
        shown = Counter(r.wording.strip() for r in members).most_common(1)[0][0]
        lang = Counter(r.lang for r in members).most_common(1)[0][0]
        against = unit_text(lang)
        ops = word_diff(against, shown) if against else [("insert", shown)]
        result.append(
            {"text": shown, "count": len(members), "comment_ids": [r.id for r in members], "diff_html": diff_html(ops)}
        )
    result.sort(key=lambda w: (-w["count"], w["comment_ids"][0]))
    return result


@dataclass
class _Texts:
    """One analysed unit's comments in one language, read for themes and summary."""

    groups: list[Group]
    docs: list[list[str]]  # stems of each group's lead comment
    sentences: list[tuple[str, list[str]]]
    surfaces: list[dict[str, Counter]]  # per group: each stem's written forms in that group's lead comment


def _read(rows: list[Row], campaigns: set[int]) -> dict[str, _Texts]:
    """Split an analysed unit's comments by language and into stemmed documents and sentences (campaigns once)."""
    by_lang: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_lang[row.lang].append(row)
    result = {}
    for lang in LANGS:
        if not by_lang.get(lang):
            continue
        texts = _Texts(group_rows(by_lang[lang], campaigns), [], [], [])
        for group in texts.groups:
            stems: list[str] = []
            surfaces: dict[str, Counter] = defaultdict(Counter)
            texts.surfaces.append(surfaces)
            for sentence in text.sentences(text.plain(group.lead.body)):
                sentence_stems = text.words(sentence, lang, surfaces)
                stems.extend(sentence_stems)
                texts.sentences.append((sentence, sentence_stems))
            texts.docs.append(stems)
        result[lang] = texts
    return result


def _analyse(
    section_id: int, read: dict[str, _Texts], idf: dict[str, dict[str, float]], boilerplate: set[str]
) -> tuple[list[dict], dict[str, list[str]]]:
    """Themes and extractive summary of one analysed unit, language by language."""
    found = []
    summary = {}
    for lang, texts in read.items():
        for theme in themes.find_themes(texts.docs, idf.get(lang)):
            members = [texts.groups[i] for i in theme.members]
            member_rows = [r for g in members for r in g.rows]
            by_stance = dict.fromkeys(STANCES, 0)
            for row in member_rows:
                by_stance[row.stance] += 1
            ids = sorted(r.id for r in member_rows)
            # A label shows the words as the theme's own comments wrote them: one stem covers many forms (айтпайды,
            # айтуға), and the unit's most frequent form may be in none of this theme's comments.
            surfaces: dict[str, Counter] = defaultdict(Counter)
            for i in theme.members:
                for stem, forms in texts.surfaces[i].items():
                    surfaces[stem].update(forms)
            label = themes.surface_label(theme.terms, surfaces)
            found.append((len(members), label, by_stance, lang, ids))
        sentences = extractive.central_sentences(texts.sentences, idf.get(lang), boilerplate)
        if sentences:
            summary[lang] = sentences
    # Most voices first: a campaign is one voice however many copies, so it cannot push every other theme down.
    found.sort(key=lambda t: (-t[0], -len(t[4]), t[4][0]))
    listed = [
        {"id": f"s{section_id}-t{k}", "label": label, "size": len(ids), "by_stance": by_stance, "lang": lang,
         "comment_ids": ids}
        for k, (_voices, label, by_stance, lang, ids) in enumerate(found, start=1)
    ]  # fmt: skip
    return listed, summary


def _title(section: Section, lang: str) -> str:
    heading = getattr(section, f"heading_{lang}") or ""
    if heading:
        return heading
    body = " ".join((getattr(section, f"body_{lang}") or "").split())
    return body if len(body) <= TITLE_CHARS else body[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def build_summary(law: Law, version: LawVersion, progress: Progress = _noop) -> dict:
    """Return the summary document of a version's approved comments ("snapshot" and "status" left for the caller)."""
    progress("loading", 5)
    sections = list(
        db.session.scalars(select(Section).where(Section.version_id == version.id).order_by(Section.position))
    )
    rows = load_rows(law, version)
    progress("counting", 20)

    by_id = {s.id: s for s in sections}
    paths = number_paths(sections)
    units = {s.id: Unit(s) for s in sections}
    for row in rows:
        units[row.section_id].own.append(row)
    # Children follow their parent in document order: walking backwards, each unit is complete before its parent.
    for section in reversed(sections):
        unit = units[section.id]
        unit.rows = unit.own + unit.rows
        if section.parent_id in units:
            units[section.parent_id].rows.extend(unit.rows)

    members_by_campaign: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.campaign_id is not None:
            members_by_campaign[row.campaign_id].append(row)
    campaigns = {cid for cid, members in members_by_campaign.items() if len(members) > 1}

    # The unit whose themes and summary a comment belongs to: its article, or its own unit outside articles.
    analysed_of: dict[int, int] = {}
    for section in sections:
        parent = by_id.get(section.parent_id) if section.parent_id else None
        inside = section.kind in ANALYSED_INSIDE and parent is not None and parent.id in analysed_of
        analysed_of[section.id] = analysed_of[parent.id] if inside else section.id
    analysed_rows: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        analysed_rows[analysed_of[row.section_id]].append(row)

    first_lang = (version.language_list or list(LANGS))[0]
    subtrees: dict[int, list[Section]] = {s.id: [s] for s in sections}
    for section in sections:
        ancestor = by_id.get(section.parent_id) if section.parent_id else None
        while ancestor is not None:
            subtrees[ancestor.id].append(section)
            ancestor = by_id.get(ancestor.parent_id) if ancestor.parent_id else None

    listed = [s for s in sections if s.kind in ALWAYS_LISTED or units[s.id].rows]
    analysed = [s for s in listed if analysed_of[s.id] == s.id and analysed_rows.get(s.id)]
    progress("reading", 22)
    read = {section.id: _read(analysed_rows[section.id], campaigns) for section in analysed}
    docs_by_lang: dict[str, list[list[str]]] = defaultdict(list)
    for by_lang in read.values():
        for lang, texts in by_lang.items():
            docs_by_lang[lang].extend(texts.docs)
    idf = themes.draft_idf(docs_by_lang)
    del docs_by_lang
    # A sentence written word for word about several units ("Прошу учесть моё мнение.") summarises none of them.
    spread: Counter = Counter()
    for by_lang in read.values():
        spread.update({text.normalise_wording(s) for texts in by_lang.values() for s, _stems in texts.sentences})
    boilerplate = {key for key, units_with in spread.items() if units_with >= BOILERPLATE_UNITS}
    analysis: dict[int, tuple[list[dict], dict[str, list[str]]]] = {}
    for done, section in enumerate(analysed):
        progress("themes", 35 + 55 * done // max(len(analysed), 1))
        analysis[section.id] = _analyse(section.id, read.pop(section.id), idf, boilerplate)

    progress("assembling", 92)
    result_sections = []
    for section in listed:
        unit = units[section.id]
        groups = group_rows(unit.rows, campaigns)
        texts: dict[str, str] = {}

        def unit_text(lang: str, _subtree=subtrees[section.id], _texts=texts) -> str:
            for code in (lang, first_lang, *LANGS):
                if code not in _texts:
                    _texts[code] = full_text(_subtree, code)
                if _texts[code]:
                    return _texts[code]
            return ""

        section_themes, summary = analysis.get(section.id, ([], {}))
        counts = count_rows(unit.rows)
        result_sections.append(
            {
                "id": section.id,
                "kind": section.kind,
                "number": paths[section.id],
                "title": _title(section, first_lang),
                "titles": {lang: _title(section, lang) or None for lang in LANGS},
                "parent_id": section.parent_id,
                "comments": counts["comments"],
                "own_comments": len(unit.own),
                "authors": counts["authors"],
                "by_stance": counts["by_stance"],
                "by_language": counts["by_language"],
                "by_channel": counts["by_channel"],
                "arguments": _arguments(groups),
                "themes": section_themes,
                "proposed_wordings": _wordings(unit.own, unit_text),
                "campaigns": sorted(
                    (_campaign_entry(g) for g in groups if g.campaign_id is not None),
                    key=lambda c: (-c["size"], c["id"]),
                ),
                "summary": summary,
            }
        )

    campaign_list = []
    for campaign_id in sorted(campaigns):
        members = members_by_campaign[campaign_id]
        where = Counter(r.section_id for r in members)
        # A campaign posted on several units is listed where most of its copies are (document order breaks ties).
        home = min(where, key=lambda sid: (-where[sid], by_id[sid].position))
        entry = _campaign_entry(Group(members, campaign_id))
        campaign_list.append({"id": entry.pop("id"), "section_number": paths[home], **entry})
    campaign_list.sort(key=lambda c: (-c["size"], c["id"]))

    progress("saving", 96)
    return {
        "law": law.slug,
        "version": version.number,
        "snapshot": None,
        "status": None,
        "built_at": None,
        "totals": count_rows(rows),
        "sections": result_sections,
        "campaigns": campaign_list,
    }
