"""PostgreSQL full-text search over the `search_documents` table, for deployments with more than one host.

Matching. Each language has its own vector and its own query, and a document matches when any language does:

    vector_kk @@ q_kk       -- Kazakh, stemmed by our stemmer on both sides ('simple' over stem_kk)
    OR vector_ru @@ q_ru    -- Russian, stemmed by PostgreSQL ('russian' over text_ru)
    OR vector_en @@ q_en    -- English, stemmed by PostgreSQL ('english' over text_en)

The three vectors are kept apart rather than concatenated into one: a Kazakh stem never meets a Russian
lexeme of the same spelling, an exclusion ("-word") or a "phrase" applies within one language, and a
language filter is just one of the three conditions. Each vector is a stored generated column with its own
GIN index (app/search/models.py VECTOR_COLUMNS, migration 0008), and PostgreSQL combines them with a BitmapOr.

Queries. The text is cleaned as for Whoosh (`clean_query`), then read in websearch syntax: words are ANDed,
"quotes" make a phrase, `or` is an alternative, `-word` excludes; Whoosh's `AND` and `NOT word` are accepted
too. Russian and English go to `websearch_to_tsquery`, which never fails on odd input; for Kazakh each word
is stemmed by `stem_text` first, keeping the operators. A language whose query is empty (only stop words)
or only excludes is left out: it could not use its index and would rank every document.

Ranking: the sum of `ts_rank_cd` over the matching languages, then doc_id, so pages are stable. The vectors
are read back from the stored columns, not parsed again from every matching text: a common word in 20,000
documents of 2 KB took about 1 s with expression indexes, a tenth of that with the columns (bench/pg_search.py).

"Did you mean": when fewer than 3 documents match and the `pg_trgm` extension is installed, each word of
4+ letters that matches nothing on its own is replaced by the most similar word (similarity >= 0.4) in the
texts of the 2,000 most recent documents (by date; their stored `vector_exact`). `ts_stat` still gathers every
word of every vector it is given, so the sample is capped, the query stops after 1 s, and a correction is kept
5 minutes per query; a word found only in older documents is not suggested.
"""

import functools
import logging
import operator
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    case,
    cast,
    delete,
    desc,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, insert
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.search import spelling
from app.search.analysis import exact_tokens, stem_text
from app.search.backend import SUGGEST_BELOW, Backend, Filters, Hit, Page, SearchUnavailableError, clean_query
from app.search.documents import Document
from app.search.models import SearchDocument
from app.search.postgres_query import CONFIGS as CONFIGS  # each language's text search configuration
from app.search.postgres_query import forms_tsquery, plan_tsqueries
from app.search.query import OR, Plan, parse_query, plan

logger = logging.getLogger(__name__)

LANGS = ("kk", "ru", "en")
# Stored generated columns (app/search/models.py VECTOR_COLUMNS), each with a GIN index.
VECTORS = {lang: f"search_documents.vector_{lang}" for lang in LANGS}
# The words as written, every language together, for ranking only (no index): an exact form ranks higher.
EXACT_VECTOR = "search_documents.vector_exact"
EXACT_WEIGHT = 2.0

BATCH = 1000
SUGGEST_MIN_LENGTH = 4
SUGGEST_MAX_WORDS = 5  # each word costs two short queries
SUGGEST_MIN_SIMILARITY = 0.4
SUGGEST_TIMEOUT_MS = 1000  # past this, no suggestion rather than a slow page
SUGGEST_CACHE_SECONDS = 300
SUGGEST_CACHE_SIZE = 1000

# The sample size (2,000) is written into the SQL because ts_stat takes its query as a string.
_SUGGEST_SQL = text(
    """
    WITH vocabulary AS MATERIALIZED (
        SELECT word FROM ts_stat($$
            SELECT vector_exact FROM search_documents ORDER BY date DESC LIMIT 2000
        $$)
    )
    SELECT wanted.word, best.word
    FROM unnest(CAST(:words AS text[])) AS wanted(word)
    CROSS JOIN LATERAL (
        SELECT vocabulary.word, similarity(vocabulary.word, wanted.word) AS score
        FROM vocabulary
        ORDER BY score DESC, vocabulary.word
        LIMIT 1
    ) AS best
    WHERE best.score >= :threshold
    """
)


def _as_utc(moment: datetime) -> datetime:
    # The search form sends aware dates; a naive one is taken as UTC, as the Whoosh backend stores them.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _row(document: Document) -> dict:
    texts = document.texts
    return {
        "doc_id": document.doc_id,
        "type": document.type,
        "law": document.law,
        "status": document.status,
        "agency": document.agency,
        "date": document.date,
        "hash": document.hash,
        "text_kk": texts.get("kk") or None,
        "text_ru": texts.get("ru") or None,
        "text_en": texts.get("en") or None,
        "stem_kk": stem_text(texts["kk"], "kk") if texts.get("kk") else None,
    }


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self) -> None:
        self._trigrams = False  # remembered once seen: the extension is not dropped under a running app
        # The search page asks once per result type with the same words: work out a correction once.
        self._suggestions: dict[str, tuple[float, str | None]] = {}

    # --- reading ---------------------------------------------------------------------------------------

    def exists(self) -> bool:
        try:
            with db.session.begin_nested():
                db.session.execute(select(SearchDocument.doc_id).limit(1))
        except DBAPIError:
            return False
        return True

    def hashes(self) -> dict[str, str]:
        try:
            with db.session.begin_nested():
                rows = db.session.execute(select(SearchDocument.doc_id, SearchDocument.hash)).all()
        except DBAPIError as error:
            raise SearchUnavailableError(f"search_documents unreadable: {error.orig}") from error
        return dict(rows)

    def tsqueries(self, asked: Plan, langs: Iterable[str] = LANGS, translated: bool = True) -> tuple[dict, dict]:
        """Return each language's tsquery (as text) of what a match needs, where it can use an index (empty or
        exclusion-only ones are left out), and each language's tsquery of what excludes a document."""
        langs = list(langs)
        columns = []
        for lang in langs:
            for query in plan_tsqueries(asked, lang, translated):
                query = query if query is not None else cast(literal(""), TSQUERY)
                columns += [cast(query, Text), func.querytree(query)]
        row = db.session.execute(select(*columns)).one()
        found: tuple[dict, dict] = ({}, {})
        for n, lang in enumerate(langs):
            for kind in (0, 1):
                query, indexable = row[4 * n + 2 * kind], row[4 * n + 2 * kind + 1]
                # querytree() is '' for an empty query and 'T' when nothing in it can be looked up in an index.
                if indexable not in ("", "T"):
                    found[kind][lang] = query
        return found

    @staticmethod
    def match(queries: dict[str, str], excluded: dict[str, str] | None = None) -> tuple[ColumnElement, ColumnElement]:
        """Return the match condition and the rank for per-language tsqueries; an excluded term in any language
        excludes the document, as in Whoosh (a translation must not bring back a document the query excludes)."""
        conditions, ranks = [], []
        for lang, query in queries.items():
            vector, tsquery = literal_column(VECTORS[lang]), cast(literal(query, Text), TSQUERY)
            conditions.append(vector.bool_op("@@")(tsquery))
            ranks.append(func.ts_rank_cd(vector, tsquery))
        condition = or_(*conditions)
        if excluded:
            excluding = [literal_column(VECTORS[lang]).bool_op("@@")(cast(literal(query, Text), TSQUERY))
                         for lang, query in excluded.items()]  # fmt: skip
            condition = and_(condition, ~or_(*excluding))
        return condition, functools.reduce(operator.add, ranks)

    @staticmethod
    def _filters(filters: Filters) -> list[ColumnElement]:
        conditions = []
        for column, value in (
            (SearchDocument.type, filters.type),
            (SearchDocument.law, filters.law),
            (SearchDocument.status, filters.status),
            (SearchDocument.agency, filters.agency),
        ):
            if value:
                conditions.append(column == value)
        if filters.date_from:
            conditions.append(SearchDocument.date >= _as_utc(filters.date_from))
        if filters.date_to:
            conditions.append(SearchDocument.date <= _as_utc(filters.date_to))
        for column, hidden in ((SearchDocument.law, filters.hidden_laws), (SearchDocument.doc_id, filters.hidden_docs)):
            if hidden:  # in the WHERE clause, so that the window count leaves them out too
                conditions.append(column.not_in(sorted(hidden)))
        return conditions

    def search(self, query: str, filters: Filters, page: int, per_page: int, suggest: bool = True) -> Page:
        cleaned = clean_query(query)
        if not cleaned:
            return Page([], 0)
        page, per_page = max(page, 1), max(per_page, 1)
        langs = [filters.lang] if filters.lang in LANGS else list(LANGS)
        asked = plan(cleaned, filters.lang_only)
        try:
            # A savepoint: a failing statement must not abort the caller's transaction.
            with db.session.begin_nested():
                queries, excluded = self.tsqueries(asked, langs)
                # The language typed ranks first: a document found only through a translation comes after.
                translated = any(not e.own_language for clause in asked.clauses for e in clause.expansions)
                typed = self.tsqueries(asked, langs, translated=False)[0] if translated else {}
                forms = sorted({form for term in asked.typed for form in exact_tokens(term.text)})
                hits, total = self._page(queries, filters, page, per_page, excluded, typed, forms)
        except DBAPIError as error:
            logger.warning("PostgreSQL search failed: %s", error.orig)
            raise SearchUnavailableError(f"search query failed: {error.orig}") from error
        suggestion = self.better_query(cleaned, filters, total) if suggest and total < SUGGEST_BELOW else None
        return Page(hits, total, suggestion)

    def _page(
        self, queries: dict, filters: Filters, page: int, per_page: int, excluded=None, typed=None, forms=()
    ) -> tuple[list[Hit], int]:
        if not queries:
            return [], 0
        condition, _ = self.match(queries, excluded)
        conditions = [condition, *self._filters(filters)]

        def tsquery(value: str) -> ColumnElement:
            return cast(literal(value, Text), TSQUERY)

        def vector(lang: str) -> ColumnElement:
            return literal_column(VECTORS[lang])

        ranks = [func.ts_rank_cd(vector(lang), tsquery(q)) for lang, q in queries.items()]
        score = functools.reduce(operator.add, ranks)
        if forms:
            score = score + EXACT_WEIGHT * func.ts_rank_cd(literal_column(EXACT_VECTOR), forms_tsquery(forms))
        tier = literal(0)
        if typed:
            tier = case((or_(*[vector(lang).bool_op("@@")(tsquery(q)) for lang, q in typed.items()]), 1), else_=0)
        statement = (
            select(SearchDocument.doc_id, SearchDocument.type, score.label("score"), func.count().over().label("total"))
            .select_from(SearchDocument)
            .where(*conditions)
            .order_by(desc(tier), desc("score"), SearchDocument.doc_id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )  # fmt: skip
        rows = db.session.execute(statement).all()
        total = rows[0].total if rows else 0
        if not rows and page > 1:  # past the last page the window count has no row to ride on
            total = db.session.scalar(select(func.count()).select_from(SearchDocument).where(*conditions)) or 0
        return [Hit(doc_id=row.doc_id, type=row.type, score=float(row.score)) for row in rows], total

    # --- "did you mean" --------------------------------------------------------------------------------

    def _has_trigrams(self) -> bool:
        if not self._trigrams:
            self._trigrams = db.session.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")) is not None
        return self._trigrams

    def _unmatched(self, word: str) -> bool:
        """Tell whether a word alone finds nothing in any document (a stop word is never a misspelling)."""
        queries, _ = self.tsqueries(plan(word), translated=False)
        if not queries:
            return False
        condition, _ = self.match(queries)
        return db.session.scalar(select(literal(1)).select_from(SearchDocument).where(condition).limit(1)) is None

    def suggest(self, query: str, lang: str | None = None) -> str | None:
        """Return the query with its unknown words corrected (any language), or None; remembered a while per query."""
        cleaned = clean_query(query)
        now = time.monotonic()
        cached = self._suggestions.get(cleaned)
        if cached and now - cached[0] < SUGGEST_CACHE_SECONDS:
            return cached[1]
        suggestion = self._correct(cleaned)
        if len(self._suggestions) >= SUGGEST_CACHE_SIZE:
            self._suggestions.clear()  # crude, but it refills in a few searches
        self._suggestions[cleaned] = (now, suggestion)
        return suggestion

    def _correct(self, cleaned: str) -> str | None:
        words: list[str] = []
        for term in parse_query(cleaned):
            if term is OR or term.negated:
                continue
            for word in re.findall(r"\w+", term.text.lower()):
                if len(word) >= SUGGEST_MIN_LENGTH and word.isalpha() and word not in words:
                    words.append(word)
        if not words:
            return None
        # Read-only work in a savepoint that is always rolled back: that also ends the local statement_timeout,
        # and a failure or a timeout costs the suggestion, never the results or the caller's transaction.
        savepoint = db.session.begin_nested()
        try:
            if not self._has_trigrams():
                return None
            missing = [word for word in words[:SUGGEST_MAX_WORDS] if self._unmatched(word)]
            if not missing:
                return None
            timeout = {"ms": str(SUGGEST_TIMEOUT_MS)}
            db.session.execute(text("SELECT set_config('statement_timeout', :ms, true)"), timeout)
            rows = db.session.execute(_SUGGEST_SQL, {"words": missing, "threshold": SUGGEST_MIN_SIMILARITY}).all()
        except DBAPIError as error:
            logger.warning("Search suggestion failed: %s", error.orig)
            return None
        finally:
            savepoint.rollback()
        # pg_trgm's similarity alone let "waste" become "act": a correction must also be a few edits away.
        corrections = {wanted: best for wanted, best in rows if spelling.close(wanted, best)}
        return spelling.replace_words(cleaned, corrections)

    # --- writing (the caller holds the writer lock and commits) ----------------------------------------

    def apply(self, upserts: list[Document], deletes: list[str]) -> None:
        table = SearchDocument.__table__
        for start in range(0, len(deletes), BATCH):
            db.session.execute(delete(table).where(table.c.doc_id.in_(deletes[start : start + BATCH])))
        # One row per id: ON CONFLICT cannot touch the same row twice in one statement.
        rows = list({document.doc_id: _row(document) for document in upserts}.values())
        if not rows:
            return
        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.doc_id],
            set_={name: statement.excluded[name] for name in rows[0] if name != "doc_id"},
        )
        for start in range(0, len(rows), BATCH):
            db.session.execute(statement, rows[start : start + BATCH])

    def rebuild(self, documents: Iterable[Document]) -> int:
        """Replace every row; DELETE rather than TRUNCATE, so readers see the old rows until the caller commits."""
        table = SearchDocument.__table__
        db.session.execute(delete(table))
        count = 0
        batch: list[dict] = []
        for document in documents:
            batch.append(_row(document))
            if len(batch) == BATCH:
                db.session.execute(insert(table), batch)
                count += len(batch)
                batch = []
        if batch:
            db.session.execute(insert(table), batch)
            count += len(batch)
        return count
