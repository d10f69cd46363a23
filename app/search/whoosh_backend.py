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
from collections import OrderedDict
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from itertools import chain, islice
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.index import EmptyIndexError, LockError
from whoosh.matching import AndNotMatcher
from whoosh.query import And, AndNot, DateRange, Or, Term

from app.laws.models import LANGS
from app.search import spelling, whoosh_rebuild
from app.search.analysis import analyzer_for, exact_analyzer, exact_tokens, index_tokens
from app.search.backend import SUGGEST_BELOW, Backend, Filters, Page, SearchUnavailableError, clean_query
from app.search.documents import TYPES, Document
from app.search.glossary import tokens
from app.search.query import Plan, plan
from app.search.whoosh_postings import docset, stems_field
from app.search.whoosh_query import EXACT_FIELD, PAIRS_FIELD, matching
from app.search.whoosh_query import pairs as stem_pairs
from app.search.whoosh_ranking import ALL, Leaves, best

logger = logging.getLogger(__name__)

# A rebuild of more documents than PARALLEL_FROM is spread over up to MAX_PROCS processes (bench/search.py measures it).
PARALLEL_FROM = 5_000
MAX_PROCS = 2
CACHE_SIZE = 256  # searches remembered per process, for as long as the index does not change
# Leaf queries whose documents (and scores) are remembered, least recently used dropped first: up to LEAVES_SIZE of
# them and LEAVES_BUDGET documents in all (a common word: 50,000 at 100k documents). 16 bytes a document (numpy arrays
# of its numbers and scores, whoosh_postings.Leaf), so about 64 MB per process at most, each gunicorn worker its own.
LEAVES_SIZE = 1024
LEAVES_BUDGET = 4_000_000

# Whoosh raises these (and a few of its own) when an index is missing, being swapped or half-written.
READ_ERRORS = (OSError, EmptyIndexError, LockError, ValueError, EOFError, KeyError)


def make_schema() -> Schema:
    fields = {
        "doc_id": ID(unique=True, stored=True),
        "type": ID(stored=True, sortable=True),  # a column: whoosh_collectors.TypeCollector reads it per match
        "law": ID(stored=True),
        "status": ID,
        "agency": ID,
        "date": DATETIME,
        "hash": STORED,
    }
    for lang in LANGS:
        # Not stored: snippets are cut from the database text, which keeps the index small.
        fields[f"text_{lang}"] = TEXT(analyzer=analyzer_for(lang), stored=False)
    # Every language's words as written (folded, unstemmed): an exact form ranks above a stem-only match, and
    # "did you mean" draws its words from here. No positions: phrases are matched in the stemmed fields.
    fields[EXACT_FIELD] = TEXT(analyzer=exact_analyzer(), stored=False, phrase=False)
    # Each two neighbouring stems as one token (whoosh_query.pairs): words side by side, as typed, rank higher.
    fields[PAIRS_FIELD] = TEXT(analyzer=SpaceSeparatedTokenizer(), stored=False, phrase=False)
    for lang in LANGS:
        # The stems again, without positions: what counting and ranking read (whoosh_postings), 2-3 times faster.
        fields[stems_field(f"text_{lang}")] = TEXT(analyzer=SpaceSeparatedTokenizer(), stored=False, phrase=False)
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


def _langs(lang: str | None) -> list[str]:
    return [lang] if lang in LANGS else list(LANGS)


def _correct(searcher, query: Plan, text: str, langs: list[str]) -> str | None:
    """The query with each word that finds nothing replaced by the closest word of the index, or None."""
    reader = searcher.reader()
    corrections = {}
    for clause in query.clauses:
        if clause.expansions:
            continue  # a glossary term: found through its translations even where its own form is absent
        for term in (term for option in clause.options for term in option if not term.phrase):
            found = [reader.doc_frequency(f"text_{lang}", word) for lang in langs for word in tokens(term.text, lang)]
            forms = exact_tokens(term.text)
            if not found or any(found) or len(forms) != 1 or not forms[0].isalpha():
                continue  # a stop word, a known word or a number: nothing to correct
            word = forms[0]
            # Whoosh's automaton counts two swapped letters as two edits; spelling.closest counts them as one.
            candidates = reader.terms_within(EXACT_FIELD, word, spelling.MAX_EDITS)
            best = spelling.closest(word, candidates, lambda candidate: reader.doc_frequency(EXACT_FIELD, candidate))
            if best:
                corrections[word] = best
    return spelling.replace_words(text, corrections)


class WhooshBackend(Backend):
    name = "whoosh"

    def __init__(self, root: str):
        self.root = Path(root)
        self._searcher = None
        self._index = None
        self._index_dir: str | None = None
        self._lock = threading.Lock()
        self._law_slugs: tuple[object, frozenset[str]] = (None, frozenset())  # (searcher, the slugs it holds)
        self._types: tuple[object, dict] = (None, {})  # (searcher, type -> its documents' mask)
        self._cache: tuple[object, OrderedDict] = (None, OrderedDict())  # (searcher, search -> its answer)
        self._cache_lock = threading.Lock()
        # (searcher, what leaf queries match and score on it): whoosh_ranking.Leaves, renewed with the searcher.
        self._leaf_sets: tuple[object, Leaves | None] = (None, None)

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

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                try:
                    self._searcher.close()
                except READ_ERRORS:
                    pass
            self._searcher = None

    def _with_searcher(self, work):
        for attempt in (1, 2):
            try:
                return work(self._open_searcher())
            except SearchUnavailableError:
                raise
            except READ_ERRORS as error:
                # A segment vanished under us (another process merged or swapped): reopen once, then give up.
                logger.warning("Search index read failed (attempt %s): %s", attempt, error)
                self.close()
        raise SearchUnavailableError("index unreadable")

    def _under(self, searcher, filters: Filters):
        """A function putting a query under the filters (and, given types, only those): the filters and what is hidden
        are inside the query, so the counts leave them out."""
        conditions = [Term(name, value) for name, value in (
            ("type", filters.type), ("law", filters.law), ("status", filters.status), ("agency", filters.agency)
        ) if value]  # fmt: skip
        if filters.date_from or filters.date_to:
            conditions.append(DateRange("date", filters.date_from, filters.date_to))
        hidden = self._hidden(searcher, filters)

        def under(query, kinds=()):
            # Only the types asked for: the posting lists of the rare ones let the search skip the rest.
            some = [kind for kind in kinds if kind is not ALL] if ALL not in kinds and len(kinds) < len(TYPES) else []
            restricted = [Or([Term("type", kind) for kind in some])] if some else []
            query = And([query, *conditions, *restricted])
            return _fix_and_not(AndNot(query, Or(hidden)) if hidden else query)

        return under

    def _best(self, searcher, asked: Plan, filters: Filters, sizes: dict) -> tuple[dict, dict]:
        """Each type's best hits and exact total (whoosh_ranking.best). Every clause must match, as PostgreSQL's
        websearch does and people expect (intersecting posting lists is also faster than scoring every document with
        any word); a type that nothing matches in full falls back to documents matching any word, best first."""
        langs, under = _langs(filters.lang), self._under(searcher, filters)

        def type_docs(kind: str):
            return self._type_docs(searcher, kind)

        def compute() -> tuple[dict, dict]:
            memo = self._leaves(searcher)
            hits, totals = best(searcher, asked, langs, under, sizes, False, type_docs, memo)
            empty = {kind: size for kind, size in sizes.items() if not totals[kind]}
            if empty and len(asked.clauses) > 1:
                more_hits, more_totals = best(searcher, asked, langs, under, empty, True, type_docs, memo)
                hits.update(more_hits)
                totals.update(more_totals)
            return hits, totals

        key = (asked, tuple(getattr(filters, f.name) for f in dataclass_fields(filters)), tuple(sizes.items()))
        hits, totals = self._cached(searcher, key, compute)
        return {kind: list(found) for kind, found in hits.items()}, dict(totals)  # copies: callers may change them

    def _leaves(self, searcher) -> Leaves:
        """The documents of each word (a leaf query) searched lately, while the searcher is current: a common word's
        posting lists are read once, not in every query that has it (whoosh_ranking.Leaves)."""
        owner, leaves = self._leaf_sets
        if owner is not searcher:
            leaves = Leaves(LEAVES_BUDGET, LEAVES_SIZE)
            self._leaf_sets = (searcher, leaves)  # one assignment: another thread keeps the one it already holds
        return leaves

    def _cached(self, searcher, key, compute):
        """A recent search's answer while the searcher it came from is current: the commonest queries are asked again
        and again, and a new searcher (the index changed) starts an empty cache."""
        with self._cache_lock:
            owner, entries = self._cache
            if CACHE_SIZE and owner is searcher and key in entries:
                entries.move_to_end(key)
                return entries[key]
        value = compute()
        with self._cache_lock:
            owner, entries = self._cache
            if owner is not searcher:
                entries = OrderedDict()
                self._cache = (searcher, entries)
            entries[key] = value
            while len(entries) > CACHE_SIZE:
                entries.popitem(last=False)
        return value

    @staticmethod
    def _plan(query: str, filters: Filters) -> tuple[str, Plan | None]:
        """The cleaned query and its plan; no plan when nothing in it can be searched (empty, only stop words)."""
        text = clean_query(query)
        asked = plan(text, filters.lang_only) if text else None
        return text, asked if asked and matching(asked, _langs(filters.lang)) is not None else None

    def search(self, query: str, filters: Filters, page: int, per_page: int, suggest: bool = True) -> Page:
        text, asked = self._plan(query, filters)
        if asked is None:
            return Page([], 0)

        def run(searcher) -> Page:
            kind = filters.type if filters.type in TYPES else ALL
            hits, totals = self._best(searcher, asked, filters, {kind: page * per_page})
            return Page(hits[kind][(page - 1) * per_page :], totals[kind])  # the total is exact: pages are built on it

        found = self._with_searcher(run)
        if suggest and found.total < SUGGEST_BELOW:
            found.suggestion = self.better_query(text, filters, found.total)
        return found

    def search_types(self, query: str, filters: Filters, sizes: dict[str, int]) -> dict[str, Page]:
        """The first page of every type in one pass over the matches, as a search of each type would give it."""
        filters = replace(filters, type=None)
        _, asked = self._plan(query, filters)
        if asked is None:
            return {kind: Page([], 0) for kind in sizes}

        def run(searcher) -> dict[str, Page]:
            hits, totals = self._best(searcher, asked, filters, sizes)
            return {kind: Page(hits[kind], totals[kind]) for kind in sizes}

        return self._with_searcher(run)

    def suggest(self, query: str, lang: str | None = None) -> str | None:
        text = clean_query(query)
        if not text:
            return None
        return self._with_searcher(lambda searcher: _correct(searcher, plan(text), text, _langs(lang)))

    def _type_docs(self, searcher, kind: str):
        """The documents of one type (a mask, as docset gives), worked out once per searcher (they change only when the
        index does)."""
        cached, masks = self._types
        if cached is not searcher:
            masks = {}
            self._types = (searcher, masks)
        if kind not in masks:
            # Read as a word's postings are (whoosh_postings.read_term): kept per segment across index changes.
            masks[kind] = docset(searcher, Term("type", kind), {})
        return masks[kind]

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
        # Lists of tokens, analysed once here (analysis.index_tokens): Whoosh indexes a list as it is.
        exact, pairs = [], []
        for lang, text in document.texts.items():
            stems, forms = index_tokens(text, lang)
            fields[f"text_{lang}"] = fields[stems_field(f"text_{lang}")] = stems
            exact += forms
            pairs += stem_pairs(stems)
        if document.texts:
            fields[EXACT_FIELD] = exact
            fields[PAIRS_FIELD] = pairs
        return fields

    def apply(self, upserts: list[Document], deletes: list[str]) -> None:
        writer = self._writer()
        try:
            for doc_id in deletes:
                writer.delete_by_term("doc_id", doc_id)
            names = set(writer.schema.names())  # an index built before a field was added goes without it
            for document in upserts:
                writer.update_document(**{name: v for name, v in self._fields(document).items() if name in names})
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
        documents = iter(documents)
        first = list(islice(documents, PARALLEL_FROM))
        procs = min(MAX_PROCS, os.cpu_count() or 1) if len(first) == PARALLEL_FROM else 1
        try:
            # Worker processes index batches of documents into segments of their own (whoosh_rebuild), while this one
            # reads the next from the database.
            count = whoosh_rebuild.build(ix, chain(first, documents), self._fields, procs)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
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
