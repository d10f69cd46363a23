"""Ranking and counting on a Whoosh searcher: the best hits of each type asked for, and each type's exact total.

Order (issue 12.7, 12.5). In the language typed (its words, or the glossary's synonyms in it): first the documents
holding the words side by side (each two neighbours, by the pairs field), then those holding every word in the form
typed (the unstemmed `exact` field), then those matching only through stems; after them, what only the glossary's
translations find. Within each group, Whoosh's BM25F score.

How. Every match of the language typed is scored once, in one pass for all types (ScoresCollector), and kept; which
of them hold the words side by side or as typed is read from two sets of documents (docset), which is cheap: those
conditions match few documents, where adding them to the scoring matchers made each match cost half as much again.
What only translations find is scored only when a page reaches it, and counted with set operations.
"""

from heapq import nlargest

from whoosh.collectors import ScoredCollector
from whoosh.query import And, AndMaybe, AndNot, Or, WrappingQuery

from app.search.backend import Hit
from app.search.query import Plan
from app.search.whoosh_query import as_typed, matching, side_by_side, translates

ALL = None  # the bucket of every type, for a search that ranks them together


def docset(searcher, query, memo: dict) -> set[int]:
    """The documents a query matches, by set operations on what its leaves match (memo: leaf -> documents).

    A glossary's translations make a query match many more documents (закон also finds every заң and every law):
    counting them this way takes a few milliseconds where walking them with the scoring matchers took a hundred.
    """
    if isinstance(query, AndMaybe):
        return docset(searcher, query.a, memo)
    if isinstance(query, AndNot):
        return docset(searcher, query.a, memo) - docset(searcher, query.b, memo)
    if isinstance(query, And):
        found = sorted((docset(searcher, sub, memo) for sub in query.subqueries), key=len)
        return found[0].intersection(*found[1:]) if found else set()
    if isinstance(query, Or):
        return set().union(*(docset(searcher, sub, memo) for sub in query.subqueries))
    if isinstance(query, WrappingQuery):
        return docset(searcher, query.child, memo)
    if query not in memo:  # a term, a phrase, a date range: Whoosh's own matcher, deleted documents left out
        memo[query] = set(searcher.docs_for_query(query))
    return memo[query]


class ScoresCollector(ScoredCollector):
    """Every match with its score, in a list per type asked for (the type is a column), or all in one (ALL).

    Whoosh's top-N collector rewrites the matcher for the lowest score still wanted and drops what cannot reach it,
    with it from the count; nothing is dropped here (minscore stays 0), so the lists' lengths are the exact totals.
    """

    def __init__(self, kinds):
        super().__init__()
        self.wanted = list(kinds)

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.found: dict[str | None, list[tuple[float, int]]] = {kind: [] for kind in self.wanted}
        self.kinds = None if ALL in self.found else top_searcher.reader().column_reader("type")

    def _collect(self, global_docnum, score):
        found = self.found[ALL] if self.kinds is None else self.found.get(self.kinds[global_docnum])
        if found is not None:
            found.append((score, 0 - global_docnum))  # as Whoosh: a lower document number wins a tie
        return 0 - score

    def results(self):
        raise NotImplementedError("read .found instead")


def _scored(searcher, query, kinds) -> dict[str | None, list[tuple[float, int]]]:
    collector = ScoresCollector(kinds)
    searcher.search_with_collector(query, collector)
    return collector.found


def _best(found: list[tuple[float, int]], groups: list[set[int]], limit: int) -> list[tuple[float, int]]:
    """The first `limit` of found: those in the first group, then the second..., then the rest; by score within."""
    best: list[tuple[float, int]] = []
    for members in groups:
        best += nlargest(limit - len(best), [item for item in found if -item[1] in members])
        if len(best) >= limit:
            return best
        found = [item for item in found if -item[1] not in members]
    return best + nlargest(limit - len(best), found)


def best(searcher, asked: Plan, langs: list[str], under, sizes: dict, any_word: bool, type_docs) -> tuple[dict, dict]:
    """The best hits of each type in sizes (type, or ALL, -> how many) and each one's exact total.

    under(query, kinds) puts a query under the search's filters (and, given kinds, only those types); type_docs(kind)
    is the set of a type's documents. With any_word, a document needs one clause, and the glossary adds nothing.
    """
    kinds = sorted(sizes, key=str)
    typed = matching(asked, langs, any_word, translations=False)
    found = _scored(searcher, under(typed, kinds), kinds)
    memo: dict = {}
    conditions = [] if any_word else [side_by_side(asked, langs), as_typed(asked)]
    groups = [docset(searcher, under(condition, kinds), memo) for condition in conditions if condition is not None]
    ranked = {kind: _best(found[kind], groups, size) for kind, size in sizes.items()}
    totals = {kind: len(found[kind]) for kind in sizes}
    if not any_word and translates(asked, langs):
        everything = matching(asked, langs)
        matched = docset(searcher, under(everything, kinds), memo)
        totals = {kind: len(matched if kind is ALL else matched & type_docs(kind)) for kind in sizes}
        short = {kind: size - len(ranked[kind]) for kind, size in sizes.items()
                 if len(ranked[kind]) < size and totals[kind] > len(found[kind])}  # fmt: skip
        if short:
            only = _scored(searcher, under(AndNot(everything, typed), sorted(short, key=str)), short)
            for kind, more in short.items():
                ranked[kind] += nlargest(more, only[kind])
    hits = {}
    for kind, items in ranked.items():
        stored = [searcher.stored_fields(-negated) for _, negated in items]
        hits[kind] = [
            Hit(fields["doc_id"], fields["type"], score) for (score, _), fields in zip(items, stored, strict=True)
        ]
    return hits, totals
