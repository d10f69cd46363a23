"""PostgreSQL full-text search over the `search_documents` table, for deployments with more than one host.

Matching. Each language has its own vector and its own query, and a document matches when any language does:

    to_tsvector('simple', coalesce(stem_kk, '')) @@ q_kk       -- Kazakh, stemmed by our stemmer on both sides
    OR to_tsvector('russian', coalesce(text_ru, '')) @@ q_ru   -- Russian, stemmed by PostgreSQL
    OR to_tsvector('english', coalesce(text_en, '')) @@ q_en   -- English, stemmed by PostgreSQL

The three vectors are kept apart rather than concatenated into one: a Kazakh stem never meets a Russian
lexeme of the same spelling, an exclusion ("-word") or a "phrase" applies within one language, and a
language filter is just one of the three conditions. Each condition has its own GIN expression index, and
PostgreSQL combines them with a BitmapOr. The migration must create exactly `INDEX_DDL` below (the
expressions must be the ones in `VECTORS`, or the planner will not use the indexes):

    CREATE INDEX ix_search_documents_fts_kk ON search_documents
        USING gin ((to_tsvector('simple', coalesce(stem_kk, ''))))
    CREATE INDEX ix_search_documents_fts_ru ON search_documents
        USING gin ((to_tsvector('russian', coalesce(text_ru, ''))))
    CREATE INDEX ix_search_documents_fts_en ON search_documents
        USING gin ((to_tsvector('english', coalesce(text_en, ''))))

Queries. The text is cleaned as for Whoosh (`clean_query`), then read in websearch syntax: words are ANDed,
"quotes" make a phrase, `or` is an alternative, `-word` excludes; Whoosh's `AND` and `NOT word` are accepted
too. Russian and English go to `websearch_to_tsquery`, which never fails on odd input; for Kazakh each word
is stemmed by `stem_text` first, keeping the operators. A language whose query is empty (only stop words)
or only excludes is left out: it could not use its index and would rank every document.

Ranking: the sum of `ts_rank_cd` over the matching languages, then doc_id, so pages are stable.
An expression index stores no vector, so ranking (and the total) recomputes `to_tsvector` for every
matching row: about 1 s for a word found in 13,000 documents of 2 KB. Stored generated tsvector columns
would make that ~10 times faster; the switch here is then only `VECTORS` naming those columns.

"Did you mean": when fewer than 3 documents match and the `pg_trgm` extension is installed, each word of
4+ letters that matches nothing on its own is replaced by the most similar word (similarity >= 0.4) in the
texts of the 2,000 most recent documents (by date). `ts_stat` parses every text it is given (about 0.2 s per
1,000 documents of 2 KB), so the sample is capped, the query stops after 1 s, and a correction is kept
5 minutes per query; a word found only in older documents is not suggested.
"""

import functools
import logging
import operator
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Text, cast, delete, desc, func, literal, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import TSQUERY, insert
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.search.analysis import stem_text
from app.search.backend import Backend, Filters, Hit, Page, SearchUnavailableError, clean_query
from app.search.documents import Document
from app.search.models import SearchDocument

logger = logging.getLogger(__name__)

LANGS = ("kk", "ru", "en")
CONFIGS = {"kk": "simple", "ru": "russian", "en": "english"}
VECTORS = {
    "kk": "to_tsvector('simple', coalesce(stem_kk, ''))",
    "ru": "to_tsvector('russian', coalesce(text_ru, ''))",
    "en": "to_tsvector('english', coalesce(text_en, ''))",
}
INDEX_DDL = tuple(
    f"CREATE INDEX ix_search_documents_fts_{lang} ON search_documents USING gin (({vector}))"
    for lang, vector in VECTORS.items()
)

BATCH = 1000
SUGGEST_BELOW = 3  # fewer hits than this and a correction is worth a look
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
            SELECT to_tsvector(
                'simple', coalesce(text_ru, '') || ' ' || coalesce(text_kk, '') || ' ' || coalesce(text_en, '')
            )
            FROM (SELECT text_ru, text_kk, text_en FROM search_documents ORDER BY date DESC LIMIT 2000) AS latest
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


@dataclass
class Term:
    """One unit of a query: a word (or a run of letters and punctuation) or a "quoted phrase"."""

    text: str
    negated: bool = False
    phrase: bool = False


OR = None  # the alternative operator between two terms


def parse_query(cleaned: str) -> list[Term | None]:
    """Split a cleaned query into terms and ORs, reading both websearch syntax and Whoosh's AND / NOT."""
    terms: list[Term | None] = []
    negate = False
    # clean_query leaves quotes balanced, so every odd piece is the inside of a phrase.
    for position, piece in enumerate(cleaned.split('"')):
        if position % 2:
            if piece.strip():
                terms.append(Term(piece.strip(), negate, phrase=True))
            negate = False
            continue
        for chunk in piece.split():
            if chunk == "AND":
                continue
            if chunk == "NOT" or not chunk.strip("-"):
                negate = True  # also a bare "-" before a word or a "phrase", as websearch reads it
                continue
            if chunk.lower() == "or":
                terms.append(OR)
                negate = False
                continue
            terms.append(Term(chunk.lstrip("-"), negate or chunk.startswith("-")))
            negate = False
    return terms


def websearch_text(terms: list[Term | None], lang: str) -> str:
    """Write the terms back in websearch syntax; Kazakh words are replaced by their stems."""
    parts = []
    for term in terms:
        if term is OR:
            parts.append("or")
            continue
        words = stem_text(term.text, "kk") if lang == "kk" else term.text
        if not words:
            continue  # a stop word: drop it with its "-", which would otherwise negate the next word
        # Several stems from one word (үй-жай) stay together, as websearch keeps a hyphenated word.
        quoted = term.phrase or (lang == "kk" and " " in words)
        part = f'"{words}"' if quoted else words
        parts.append(f"-{part}" if term.negated else part)
    return " ".join(parts)


def _tsquery(lang: str, source: str) -> ColumnElement:
    return func.websearch_to_tsquery(literal_column(f"'{CONFIGS[lang]}'"), source)


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


def _same_case(word: str, like: str) -> str:
    if len(like) > 1 and like.isupper():
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word


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

    def tsqueries(self, cleaned: str, langs: Iterable[str] = LANGS) -> dict[str, str]:
        """Return each language's tsquery (as text) that can use an index; empty or exclusion-only ones are left out."""
        terms = parse_query(cleaned)
        langs = list(langs)
        columns = []
        for lang in langs:
            query = _tsquery(lang, websearch_text(terms, lang))
            columns += [cast(query, Text), func.querytree(query)]
        row = db.session.execute(select(*columns)).one()
        found = {}
        for n, lang in enumerate(langs):
            query, indexable = row[2 * n], row[2 * n + 1]
            # querytree() is '' for an empty query and 'T' when nothing in it can be looked up in an index.
            if indexable not in ("", "T"):
                found[lang] = query
        return found

    @staticmethod
    def match(queries: dict[str, str]) -> tuple[ColumnElement, ColumnElement]:
        """Return the match condition and the rank for per-language tsqueries."""
        conditions, ranks = [], []
        for lang, query in queries.items():
            vector, tsquery = literal_column(VECTORS[lang]), cast(literal(query, Text), TSQUERY)
            conditions.append(vector.bool_op("@@")(tsquery))
            ranks.append(func.ts_rank_cd(vector, tsquery))
        return or_(*conditions), functools.reduce(operator.add, ranks)

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
        try:
            # A savepoint: a failing statement must not abort the caller's transaction.
            with db.session.begin_nested():
                hits, total = self._page(self.tsqueries(cleaned, langs), filters, page, per_page)
        except DBAPIError as error:
            logger.warning("PostgreSQL search failed: %s", error.orig)
            raise SearchUnavailableError(f"search query failed: {error.orig}") from error
        suggestion = self.suggest(cleaned) if suggest and total < SUGGEST_BELOW else None
        return Page(hits, total, suggestion)

    def _page(self, queries: dict[str, str], filters: Filters, page: int, per_page: int) -> tuple[list[Hit], int]:
        if not queries:
            return [], 0
        condition, rank = self.match(queries)
        conditions = [condition, *self._filters(filters)]
        statement = (
            select(SearchDocument.doc_id, SearchDocument.type, rank.label("score"), func.count().over().label("total"))
            .where(*conditions)
            .order_by(desc("score"), SearchDocument.doc_id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
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
        queries = self.tsqueries(word)
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
        corrections = {wanted: best for wanted, best in rows if best != wanted}
        if not corrections:
            return None

        def correct(match: re.Match) -> str:
            word = match.group(0)
            best = corrections.get(word.lower())
            return _same_case(best, word) if best else word

        return re.sub(r"\w+", correct, cleaned)

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
