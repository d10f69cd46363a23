"""The interface every search engine implements, and the result types the rest of Kenes sees."""

from dataclasses import dataclass, field, replace
from datetime import datetime

from app.search.documents import Document

SUGGEST_BELOW = 3  # fewer results than this, and a "did you mean" is worth a look


def clean_query(text: str) -> str:
    """Keep what a person typed but drop what only confuses the parser: control characters, excess length."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)[:500]
    if text.count('"') % 2:
        text = text.replace('"', " ")
    return " ".join(text.split())


class SearchUnavailableError(Exception):
    """The engine cannot answer now (no index, a lock, a half-written segment): fall back to the database."""


@dataclass
class Filters:
    type: str | None = None  # law / section / comment
    law: str | None = None  # slug
    status: str | None = None
    agency: str | None = None
    lang: str | None = None  # search only this language's text
    lang_only: bool = False  # "only in my language": no glossary translations, only synonyms in the language typed
    date_from: datetime | None = None
    date_to: datetime | None = None
    # Visibility, applied by the engine before it counts, so totals are what can be paged through: the index lags
    # the database by the writer's round trip, and meanwhile still holds what nobody may find any more.
    hidden_laws: frozenset[str] = frozenset()  # slugs of drafts in preparation: none of their documents
    hidden_docs: frozenset[str] = frozenset()  # documents no longer searchable ("comment:12")


@dataclass
class Hit:
    doc_id: str
    type: str
    score: float
    lang: str | None = None  # the language the best snippet is in
    snippet: str = ""  # HTML: text escaped, matches in <mark>


@dataclass
class Page:
    hits: list[Hit]
    total: int  # exact: every match past the filters and the hidden documents, so pages can be built from it
    suggestion: str | None = None  # "did you mean"
    incomplete: bool = False  # answered by the database fallback


@dataclass
class IndexReport:
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not in the database
    stale: list[str] = field(default_factory=list)  # in both, but different

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale)


class Backend:
    """A search engine behind Kenes. Writes come only from the queue writer or a rebuild."""

    name = "abstract"

    def apply(self, upserts: list[Document], deletes: list[str]) -> None:
        raise NotImplementedError

    def rebuild(self, documents) -> int:
        raise NotImplementedError

    def search(self, query: str, filters: Filters, page: int, per_page: int, suggest: bool = True) -> Page:
        """One page of hits and their exact total; with suggest, a "did you mean" when fewer than 3 match."""
        raise NotImplementedError

    def search_types(self, query: str, filters: Filters, sizes: dict[str, int]) -> dict[str, Page]:
        """The first page of each type (type -> page size), each with its exact total; filters.type is ignored."""
        return {
            kind: self.search(query, replace(filters, type=kind), 1, size, suggest=False)
            for kind, size in sizes.items()
        }

    def close(self) -> None:
        """Let go of what this process holds open on the engine (its files); the next search opens them again."""

    def suggest(self, query: str, lang: str | None = None) -> str | None:
        """The query with its misspelt words corrected (each close to the word typed: app/search/spelling.py)."""
        raise NotImplementedError

    def better_query(self, query: str, filters: Filters, found: int) -> str | None:
        """A "did you mean" worth offering: a correction that finds more than the query did, under the same filters."""
        suggestion = self.suggest(query, filters.lang)
        if not suggestion or suggestion == clean_query(query):
            return None
        return suggestion if self.search(suggestion, filters, 1, 1, suggest=False).total > found else None

    def hashes(self) -> dict[str, str]:
        """Every indexed document id with its content hash."""
        raise NotImplementedError

    def exists(self) -> bool:
        raise NotImplementedError
