"""Ranking and counting on a Whoosh searcher: the best hits of each type asked for, and each type's exact total.

Order (issue 12.7, 12.5). In the language typed (its words, or the glossary's synonyms in it): first the documents
holding the words side by side (each two neighbours, by the pairs field), then those holding every word in the form
typed (the unstemmed `exact` field), then those matching only through stems; after them, what only the glossary's
translations find. Within each group, Whoosh's BM25F score.

How. The matches of the language typed are counted with set operations on posting lists (docset), and so are those
holding the words side by side or as typed: adding those conditions to the scoring matchers made each match cost half
as much again. Only the best of each group are scored: a few candidates one by one, many with Whoosh's top-N
collector, which skips the blocks of postings that cannot reach the page (scoring every match of a common word was
most of a search's time). What only translations find is scored only when a page reaches it.
"""

from heapq import nlargest

from whoosh.collectors import FilterCollector, ScoredCollector, TopCollector
from whoosh.query import And, AndMaybe, AndNot, Or, WrappingQuery

from app.search.backend import Hit
from app.search.query import Plan
from app.search.whoosh_query import as_typed, matching, side_by_side, translates

ALL = None  # the bucket of every type, for a search that ranks them together
SCORE_DIRECTLY = 2000  # up to this many candidates are scored one by one (skipping to each), not found by a walk


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
    found = memo.get(query)
    if found is None:  # a term, a phrase, a date range: Whoosh's own matcher, deleted documents left out
        found = memo[query] = frozenset(searcher.docs_for_query(query))
    return found


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


def _scores_of(searcher, query, docnums: set[int]) -> list[tuple[float, int]]:
    """(score, -document) of the given matches of query: the matcher skips straight to each of them."""
    found = []
    wanted = sorted(docnums)
    context = searcher.context()
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        end = offset + subsearcher.doc_count_all()
        for docnum in wanted:
            if docnum < offset or docnum >= end:
                continue
            if not matcher.is_active():
                break
            if matcher.id() < docnum - offset:
                matcher.skip_to(docnum - offset)
            if matcher.is_active() and matcher.id() == docnum - offset:
                found.append((matcher.score(), -docnum))
    return found


def _top(searcher, query, allowed: set[int], limit: int) -> list[tuple[float, int]]:
    """The best `limit` of query's matches among `allowed`, as (score, -document), best first."""
    if len(allowed) <= max(limit, SCORE_DIRECTLY):
        return nlargest(limit, _scores_of(searcher, query, allowed))
    # Whoosh's top-N: once it holds `limit` documents it skips every block of postings that cannot beat the last.
    # Not its matcher replacement (replace=0): on a union of languages' fields it dropped documents of the top-N.
    collector = TopCollector(limit=limit, replace=0)
    searcher.search_with_collector(query, FilterCollector(collector, allow=allowed))
    return sorted(collector.items, reverse=True)


def _best(searcher, query, members: set[int], groups: list[set[int]], limit: int) -> list[tuple[float, int]]:
    """The first `limit` of members (query's matches): those in the first group, then the second..., then the rest;
    by score within each."""
    best: list[tuple[float, int]] = []
    for group in [*groups, None]:
        allowed = members if group is None else members & group
        if allowed:
            best += _top(searcher, query, allowed, limit - len(best))
        if len(best) >= limit or group is None:
            return best
        members = members - allowed
    return best


def best(
    searcher, asked: Plan, langs: list[str], under, sizes: dict, any_word: bool, type_docs, memo: dict | None = None
) -> tuple[dict, dict]:
    """The best hits of each type in sizes (type, or ALL, -> how many) and each one's exact total.

    under(query, kinds) puts a query under the search's filters (and, given kinds, only those types); type_docs(kind)
    is the set of a type's documents. With any_word, a document needs one clause, and the glossary adds nothing.
    memo (leaf query -> its documents) may be kept for as long as the searcher: common words recur across queries.
    """
    kinds = sorted(sizes, key=str)
    typed = matching(asked, langs, any_word, translations=False)
    query = under(typed, kinds)
    memo = {} if memo is None else memo
    # Counted by set operations on posting lists, and only the best scored (_top): scoring every match of a common
    # word was most of the time of a search.
    matched = docset(searcher, query, memo)
    members = {kind: matched if kind is ALL else matched & type_docs(kind) for kind in sizes}
    conditions = [] if any_word else [side_by_side(asked, langs), as_typed(asked)]
    groups = [docset(searcher, under(condition, kinds), memo) for condition in conditions if condition is not None]
    ranked = {kind: _best(searcher, query, members[kind], groups, size) for kind, size in sizes.items()}
    totals = {kind: len(members[kind]) for kind in sizes}
    if not any_word and translates(asked, langs):
        everything = matching(asked, langs)
        matched = docset(searcher, under(everything, kinds), memo)
        typed_totals = totals
        totals = {kind: len(matched if kind is ALL else matched & type_docs(kind)) for kind in sizes}
        short = {kind: size - len(ranked[kind]) for kind, size in sizes.items()
                 if len(ranked[kind]) < size and totals[kind] > typed_totals[kind]}  # fmt: skip
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
