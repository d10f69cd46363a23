"""Search for the pages and the API: ask the engine, fall back to the database, turn hits into results."""

import logging
from dataclasses import dataclass, field, replace

from flask import current_app, url_for
from markupsafe import Markup
from sqlalchemy import Row, and_, or_, select
from sqlalchemy.orm import contains_eager

from app.comments.models import Comment, CommentState
from app.extensions import db
from app.i18n import current_lang, localized
from app.laws.access import public_laws_condition
from app.laws.models import LANGS, Law, LawVersion, Section
from app.organisations.models import Agency
from app.search import get_backend
from app.search.backend import SUGGEST_BELOW, Filters, Hit, Page, SearchUnavailableError, clean_query
from app.search.documents import (
    TYPES,
    Part,
    comment_parts,
    latest_version_ids,
    private_law_slugs,
    searchable_texts,
    unsearchable_queued,
)
from app.search.query import plan
from app.search.snippets import matches, passage
from app.template_helpers import heading_label, unit_name

logger = logging.getLogger(__name__)

GROUP_SIZES = {"law": 5, "section": 10, "comment": 10}
FALLBACK_LIMIT = 200


@dataclass
class Result:
    type: str
    doc_id: str
    url: str
    title: str
    law_title: str
    snippet: Markup
    lang: str | None
    score: float
    part: str = ""  # a comment's part the snippet quotes: "body" or "wording"


@dataclass
class Results:
    query: str
    groups: dict[str, list[Result]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    suggestion: str | None = None
    incomplete: bool = False
    # The glossary's synonyms and translations of the query's legal terms, as (language, term).
    also_searched: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def search(query: str, filters: Filters, page: int = 1, per_page: int | None = None) -> Results:
    """Search drafts, sections and comments; with a type filter one type is paginated, else each type's best."""
    query = clean_query(query)
    results = Results(query)
    if not query:
        return results
    per_page = per_page or current_app.config["SEARCH_PER_PAGE"]
    types = [filters.type] if filters.type in TYPES else list(TYPES)
    # The index lags the database by the writer's round trip: what it still holds but nobody may find any more is
    # left out by the engine itself, before it counts, so every total is what can be paged through.
    filters = replace(filters, hidden_laws=private_law_slugs(), hidden_docs=unsearchable_queued())
    also = _glossary_terms(query, filters)
    results.also_searched = [(lang, term) for lang, terms in also.items() for term in terms]
    if filters.type in TYPES:
        pages = {filters.type: _engine_or_database(query, filters, page, per_page)}
    else:
        pages = _engine_or_database_types(query, filters)
    for kind in types:
        size, kind_page = (per_page, page) if filters.type else (GROUP_SIZES[kind], 1)
        found, items = _hydrated(pages[kind], query, replace(filters, type=kind), kind_page, size, also)
        results.incomplete |= found.incomplete
        results.totals[kind] = found.total
        results.groups[kind] = items
    if results.total < SUGGEST_BELOW and not results.incomplete:
        # Once for the whole search, not once per type (each type alone is often small): it is the slow part.
        results.suggestion = _suggestion(query, filters, results.total)
    return results


def _suggestion(query: str, filters: Filters, found: int) -> str | None:
    try:
        return get_backend().better_query(query, filters, found)
    except Exception:
        # A "did you mean" is a courtesy: whatever goes wrong, the results stand without one.
        logger.exception("Search suggestion failed")
        return None


def _glossary_terms(query: str, filters: Filters) -> dict[str, list[str]]:
    """The glossary's terms the query also searches, by language (the filters' language, or every one)."""
    planned = plan(query, filters.lang_only)
    return {lang: planned.expansions(lang) for lang in ([filters.lang] if filters.lang in LANGS else LANGS)}


def _hydrated(
    found: Page, query: str, filters: Filters, page: int, per_page: int, also: dict[str, list[str]]
) -> tuple[Page, list[Result]]:
    """One type's page and its results; a hit the database no longer shows is left out and the search run again."""
    items = hydrate(found.hits, query, filters, also)
    dropped = {hit.doc_id for hit in found.hits} - {item.doc_id for item in items}
    if dropped:
        # Changed without a queued index change (a direct database edit): rare, and the count must still hold.
        logger.warning("Search index holds %s document(s) the database does not show: %s", len(dropped), dropped)
        found = _engine_or_database(query, replace(filters, hidden_docs=filters.hidden_docs | dropped), page, per_page)
        items = hydrate(found.hits, query, filters, also)
        found.total -= len(found.hits) - len(items)  # a third disagreement: at least not counted on this page
    return found, items


def _engine_or_database_types(query: str, filters: Filters) -> dict[str, Page]:
    """Each type's best hits (in one pass where the engine can), or the database's when the engine cannot answer."""
    try:
        return get_backend().search_types(query, filters, GROUP_SIZES)
    except SearchUnavailableError as error:
        logger.warning("Search falls back to the database: %s", error)
    except Exception:
        logger.exception("Search engine failed; falling back to the database")
    return {kind: database_search(query, replace(filters, type=kind), 1, size) for kind, size in GROUP_SIZES.items()}


def _engine_or_database(query: str, filters: Filters, page: int, per_page: int) -> Page:
    try:
        return get_backend().search(query, filters, page, per_page, suggest=False)
    except SearchUnavailableError as error:
        logger.warning("Search falls back to the database: %s", error)
    except Exception:
        # Whatever the engine does, a search page answers: with what the database can find.
        logger.exception("Search engine failed; falling back to the database")
    return database_search(query, filters, page, per_page)


def _like_all(columns, words: list[str]):
    """Every word appears in at least one of the columns (a few spellings: SQLite folds ASCII only)."""
    conditions = []
    for word in words:
        variants = {word, word.lower(), word.capitalize(), word.upper()}
        conditions.append(or_(*[column.contains(v, autoescape=True) for column in columns for v in variants]))
    return and_(*conditions)


def database_search(query: str, filters: Filters, page: int, per_page: int) -> Page:
    """A plain substring search in the database, for when the index cannot answer."""
    words = [word for word in query.replace('"', " ").split() if word.upper() not in ("AND", "OR", "NOT")][:8]
    if not words:
        return Page([], 0, incomplete=True)
    langs = [filters.lang] if filters.lang in LANGS else list(LANGS)
    law_conditions = [public_laws_condition()]
    if filters.law:
        law_conditions.append(Law.slug == filters.law)
    if filters.status:
        law_conditions.append(Law.status == filters.status)
    if filters.agency:
        law_conditions.append(Law.agency.has(Agency.slug == filters.agency))
    if filters.type == "law":
        columns = [getattr(Law, f"{name}_{lang}") for lang in langs for name in ("title", "description")]
        query_ = select(Law.id).where(*law_conditions, _like_all(columns, words)).order_by(Law.id)
        prefix = "law"
    elif filters.type == "section":
        columns = [getattr(Section, f"{name}_{lang}") for lang in langs for name in ("heading", "body")]
        query_ = (
            select(Section.id)
            .join(LawVersion, LawVersion.id == Section.version_id)
            .join(Law, Law.id == LawVersion.law_id)
            .where(*law_conditions, Section.version_id.in_(latest_version_ids()), _like_all(columns, words))
            .order_by(Section.position)
        )
        prefix = "section"
    else:
        query_ = (
            select(Comment.id)
            .join(Law, Law.id == Comment.law_id)
            .where(
                *law_conditions,
                Comment.state == CommentState.APPROVED,
                _like_all([Comment.body, Comment.proposed_wording], words),
            )
            .order_by(Comment.id.desc())
        )
        if filters.lang in LANGS:
            # As indexed, a body counts in the language it was detected in too (the wording's is not stored).
            query_ = query_.where(or_(Comment.lang == filters.lang, Comment.lang_detected == filters.lang))
        prefix = "comment"
    ids = db.session.scalars(query_.limit(FALLBACK_LIMIT)).all()
    chunk = ids[(page - 1) * per_page : page * per_page]
    return Page([Hit(f"{prefix}:{i}", prefix, 0.0) for i in chunk], len(ids), incomplete=True)


def _best_snippet(parts: list[Part], query: str, also: dict[str, list[str]]) -> tuple[Markup, Part | None]:
    """The passage of the part that matches the query best: the words as typed before the glossary's terms (also),
    the reader's language on a tie."""
    reader = current_lang()
    best: tuple[bool, int, int, list, Part | None] = (False, -1, 0, [], None)
    for part in parts:
        if not part.text:
            continue
        spans, own = matches(part.text, query, part.lang, also.get(part.lang, ()))
        rank = (own > 0, len(spans), 1 if part.lang == reader else 0)
        if rank > best[:3]:
            best = (*rank, spans, part)
    # Only the passage shown is cut: the other parts were needed for their counts alone.
    part = best[4]
    return (passage(part.text, best[3]) if part else Markup("")), part


def _text_parts(texts: dict[str, str]) -> list[Part]:
    return [Part("text", lang, text) for lang, text in texts.items()]


def hydrate(
    hits: list[Hit], query: str, filters: Filters | None = None, also: dict[str, list[str]] | None = None
) -> list[Result]:
    """Turn hits into results with titles, links and snippets, dropping what is no longer public; one query per type."""
    ids: dict[str, list[int]] = {kind: [] for kind in TYPES}
    for hit in hits:
        kind, _, raw = hit.doc_id.partition(":")
        if kind in ids and raw.isdigit():
            ids[kind].append(int(raw))
    # Each query re-checks visibility as documents.load does: the index may not have heard of a change yet.
    found = {
        "law": _public_laws(ids["law"]),
        "section": _public_sections(ids["section"]),
        "comment": _public_comments(ids["comment"]),
    }
    build = {"law": _law_result, "section": _section_result, "comment": _comment_result}
    # A text found through the glossary shows its own language's term marked, not the word typed.
    # (also: the glossary's terms by language, when the caller has them already: search() works them out once.)
    if also is None:
        also = _glossary_terms(query, filters or Filters()) if hits else {}
    results = []
    for hit in hits:
        kind, _, raw = hit.doc_id.partition(":")
        item = found.get(kind, {}).get(int(raw) if raw.isdigit() else -1)
        if item is not None:
            results.append(build[kind](item, hit, query, also))
    return results


def _public_laws(ids: list[int]) -> dict[int, Law]:
    if not ids:
        return {}
    return {law.id: law for law in db.session.scalars(select(Law).where(Law.id.in_(ids), public_laws_condition()))}


def _public_sections(ids: list[int]) -> dict[int, Section]:
    if not ids:
        return {}
    return {
        s.id: s
        for s in db.session.scalars(
            select(Section)
            .join(LawVersion, LawVersion.id == Section.version_id)
            .join(Law, Law.id == LawVersion.law_id)
            .where(Section.id.in_(ids), public_laws_condition(), Section.version_id.in_(latest_version_ids()))
            # The version and draft come from the joins the filter needs, not from two more joined copies of them
            # (a third of the time). Not load_only: its deferred columns cost more per object than they save.
            .options(contains_eager(Section.version).contains_eager(LawVersion.law))
        )
    }


# What comment_parts and _comment_result read of a comment, its section and its draft.
_COMMENT_COLUMNS = (
    Comment.id, Comment.body, Comment.lang, Comment.lang_detected, Comment.proposed_wording,
    Section.kind, Section.number, Law.slug, *(getattr(Law, f"title_{lang}") for lang in LANGS),
)  # fmt: skip


def _public_comments(ids: list[int]) -> dict[int, Row]:
    """The columns a comment's result shows, not Comment objects: each came with its draft and its section (the
    section's whole text too), some sixty columns, and loading them was most of the comments' share of a search."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(*_COMMENT_COLUMNS)
        .join(Law, Law.id == Comment.law_id)
        .join(Section, Section.id == Comment.section_id)
        .where(Comment.id.in_(ids), Comment.state == CommentState.APPROVED, public_laws_condition())
    )
    return {row.id: row for row in rows}


def _law_result(law: Law, hit: Hit, query: str, also: dict[str, list[str]]) -> Result:
    html, part = _best_snippet(_text_parts(searchable_texts(law)), query, also)
    lang = part.lang if part else None
    title = localized(law, "title")[0] or law.slug
    return Result("law", hit.doc_id, url_for("laws.show", slug=law.slug), title, title, html, lang, hit.score)


def _section_result(section: Section, hit: Hit, query: str, also: dict[str, list[str]]) -> Result:
    law = section.version.law
    html, part = _best_snippet(_text_parts(searchable_texts(section)), query, also)
    lang = part.lang if part else None
    # "Статья 14, пункт 1": a point alone ("1-тармақ") does not say where it is.
    label = unit_name(section, lang or current_lang())
    heading = getattr(section, f"heading_{lang}", None) if lang else None
    title = f"{label}. {heading}" if heading else label
    url = url_for("laws.show", slug=law.slug) + f"#{section.anchor}"
    return Result("section", hit.doc_id, url, title, localized(law, "title")[0] or law.slug, html, lang, hit.score)


def _comment_result(comment: Row, hit: Hit, query: str, also: dict[str, list[str]]) -> Result:
    html, part = _best_snippet(comment_parts(comment), query, also)
    label = heading_label(comment.kind, comment.number, current_lang())
    url = url_for("comments.show_comment", comment_id=comment.id)
    law_title = localized(comment, "title")[0] or comment.slug  # the row carries the draft's slug and titles
    lang, name = (part.lang, part.name) if part else (None, "")
    return Result("comment", hit.doc_id, url, label, law_title, html, lang, hit.score, name)
