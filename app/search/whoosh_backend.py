"""The on-disk Whoosh index: one writer at a time, searchers kept open per process, atomic rebuilds.

Layout: SEARCH_INDEX_DIR/current is a symlink to SEARCH_INDEX_DIR/index-<stamp>/. A rebuild fills a new
directory and replaces the link in one rename, so readers see the old index or the new one, never half.
"""

import logging
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.index import EmptyIndexError, LockError
from whoosh.matching import AndNotMatcher
from whoosh.query import And, AndNot, DateRange, Or, Term

from app.laws.models import LANGS
from app.search.analysis import analyzer_for
from app.search.backend import Backend, Filters, Hit, Page, SearchUnavailableError, clean_query
from app.search.documents import Document

logger = logging.getLogger(__name__)

# Whoosh raises these (and a few of its own) when an index is missing, being swapped or half-written.
READ_ERRORS = (OSError, EmptyIndexError, LockError, ValueError, EOFError, KeyError)


def make_schema() -> Schema:
    fields = {
        "doc_id": ID(unique=True, stored=True),
        "type": ID(stored=True),
        "law": ID(stored=True),
        "status": ID,
        "agency": ID,
        "date": DATETIME,
        "hash": STORED,
    }
    for lang in LANGS:
        # Not stored: snippets are cut from the database text, which keeps the index small.
        fields[f"text_{lang}"] = TEXT(analyzer=analyzer_for(lang), stored=False, spelling=True)
    return Schema(**fields)


class _AndNotMatcher(AndNotMatcher):
    """Whoosh's, except that the first match is checked like the others.

    whoosh 2.7 lets the first document of "a ANDNOT b" through when b's postings start before it, so counting
    (which walks the matches without scoring) included an excluded document: a hidden comment was still counted.
    """

    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class _AndNot(AndNot):
    def matcher(self, searcher, context=None):
        return _AndNotMatcher(self.a.matcher(searcher, context), self.b.matcher(searcher, searcher.boolean_context()))


def _fix_and_not(query):
    """Use the corrected matcher everywhere, the parser's NOT included."""
    return query.accept(lambda q: _AndNot(q.a, q.b) if type(q) is AndNot else q)


def _fields_for(lang: str | None) -> list[str]:
    return [f"text_{lang}"] if lang in LANGS else [f"text_{code}" for code in LANGS]


def _parse(searcher, text: str, lang: str | None, group=qparser.AndGroup):
    parser = qparser.MultifieldParser(_fields_for(lang), searcher.schema, group=group)
    # Field prefixes and wildcards would let a query reach stored ids or scan every term.
    parser.remove_plugin_class(qparser.FieldsPlugin)
    parser.remove_plugin_class(qparser.WildcardPlugin)
    return parser.parse(text)


def _correct(searcher, parsed, text: str) -> str | None:
    corrected = searcher.correct_query(parsed, text)
    return corrected.string if corrected.query != parsed else None


class WhooshBackend(Backend):
    name = "whoosh"

    def __init__(self, root: str):
        self.root = Path(root)
        self._searcher = None
        self._index = None
        self._index_dir: str | None = None
        self._lock = threading.Lock()
        self._law_slugs: tuple[object, frozenset[str]] = (None, frozenset())  # (searcher, the slugs it holds)

    # --- reading ---------------------------------------------------------------------------------------

    @property
    def current(self) -> Path:
        return self.root / "current"

    def exists(self) -> bool:
        return self.current.exists() and whoosh_index.exists_in(str(self.current))

    def _open_searcher(self):
        """Return this process's searcher, reopened when the index changed since it was opened."""
        with self._lock:
            target = os.path.realpath(self.current)
            if self._searcher is not None and (self._index_dir != target or not self._searcher.up_to_date()):
                # refresh() misbehaves in whoosh-reloaded (docs/tech-notes.md): close and reopen instead.
                self._searcher.close()
                self._searcher = None
            if self._searcher is None:
                if not whoosh_index.exists_in(target):
                    raise SearchUnavailableError("no index")
                self._index = whoosh_index.open_dir(target)
                self._index_dir = target
                self._searcher = self._index.searcher()
            return self._searcher

    def _with_searcher(self, work):
        for attempt in (1, 2):
            try:
                return work(self._open_searcher())
            except SearchUnavailableError:
                raise
            except READ_ERRORS as error:
                # A segment vanished under us (another process merged or swapped): reopen once, then give up.
                logger.warning("Search index read failed (attempt %s): %s", attempt, error)
                with self._lock:
                    if self._searcher is not None:
                        try:
                            self._searcher.close()
                        except READ_ERRORS:
                            pass
                    self._searcher = None
        raise SearchUnavailableError("index unreadable")

    def search(self, query: str, filters: Filters, page: int, per_page: int, suggest: bool = True) -> Page:
        text = clean_query(query)
        if not text:
            return Page([], 0)

        def parse(searcher, group):
            return _parse(searcher, text, filters.lang, group)

        def run(searcher):
            conditions = []
            for name, value in (
                ("type", filters.type),
                ("law", filters.law),
                ("status", filters.status),
                ("agency", filters.agency),
            ):
                if value:
                    conditions.append(Term(name, value))
            if filters.date_from or filters.date_to:
                conditions.append(DateRange("date", filters.date_from, filters.date_to))
            hidden = self._hidden(searcher, filters)

            def restrict(parsed):
                # Inside the query, so that the count below leaves them out too.
                query = And([parsed, *conditions])
                return _fix_and_not(AndNot(query, Or(hidden)) if hidden else query)

            # Every word must match (as PostgreSQL's websearch does, and people expect); intersecting posting
            # lists is also 2-3x faster than scoring every document with any word. Only when that finds
            # nothing do any-word matches, best first, get a chance.
            # optimize=False: every match is scored and counted in one pass. Whoosh's block skipping leaves only an
            # estimate (which ignores the filters: a word in 111 sections of every draft was reported for a draft of
            # 20), and counting after it walks the matches a second time, which measured slower than this.
            parsed = parse(searcher, qparser.AndGroup)
            results = searcher.search(restrict(parsed), limit=page * per_page, optimize=False)
            if results.is_empty() and len(text.split()) > 1:
                parsed = parse(searcher, qparser.OrGroup.factory(0.9))
                results = searcher.search(restrict(parsed), limit=page * per_page, optimize=False)
            hits = [
                Hit(doc_id=hit["doc_id"], type=hit["type"], score=hit.score or 0.0)
                for hit in results[(page - 1) * per_page : page * per_page]
            ]
            total = len(results)  # exact, as pages are built from it
            suggestion = _correct(searcher, parsed, text) if suggest and total < 3 else None
            return Page(hits, total, suggestion)

        return self._with_searcher(run)

    def suggest(self, query: str, lang: str | None = None) -> str | None:
        text = clean_query(query)
        if not text:
            return None
        return self._with_searcher(lambda searcher: _correct(searcher, _parse(searcher, text, lang), text))

    def _hidden(self, searcher, filters: Filters) -> list[Term]:
        """Terms for what must not be found; a hidden draft only when the index holds it (most never reached it)."""
        if filters.hidden_laws:
            cached, slugs = self._law_slugs
            if cached is not searcher:
                slugs = frozenset(searcher.reader().field_terms("law"))
                self._law_slugs = (searcher, slugs)
            laws = sorted(filters.hidden_laws & slugs)
        else:
            laws = []
        return [Term("law", slug) for slug in laws] + [Term("doc_id", doc_id) for doc_id in sorted(filters.hidden_docs)]

    def hashes(self) -> dict[str, str]:
        return self._with_searcher(lambda searcher: {f["doc_id"]: f["hash"] for f in searcher.all_stored_fields()})

    # --- writing (the caller holds the writer lock) ---------------------------------------------------

    def _writer(self):
        if not self.exists():
            raise SearchUnavailableError("no index")
        ix = whoosh_index.open_dir(str(self.current))
        return ix.writer(timeout=10.0)

    @staticmethod
    def _fields(document: Document) -> dict:
        fields = {
            "doc_id": document.doc_id,
            "type": document.type,
            "law": document.law,
            "status": document.status,
            "agency": document.agency,
            "date": document.date.replace(tzinfo=None),
            "hash": document.hash,
        }
        for lang, text in document.texts.items():
            fields[f"text_{lang}"] = text
        return fields

    def apply(self, upserts: list[Document], deletes: list[str]) -> None:
        writer = self._writer()
        try:
            for doc_id in deletes:
                writer.delete_by_term("doc_id", doc_id)
            for document in upserts:
                writer.update_document(**self._fields(document))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, documents) -> int:
        """Build a fresh index next to the current one and switch to it in one rename."""
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / f"index-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        target.mkdir()
        ix = whoosh_index.create_in(str(target), make_schema())
        writer = ix.writer(limitmb=128, procs=1)
        count = 0
        try:
            for document in documents:
                writer.add_document(**self._fields(document))
                count += 1
        except BaseException:
            writer.cancel()
            shutil.rmtree(target, ignore_errors=True)
            raise
        writer.commit(optimize=True)
        link = self.root / f".current-{os.getpid()}"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target.name)
        old = os.path.realpath(self.current) if self.current.exists() else None
        os.replace(link, self.current)
        if old and Path(old) != target:
            # Readers that still hold the old files keep them open on POSIX; new readers follow the link.
            shutil.rmtree(old, ignore_errors=True)
        return count
