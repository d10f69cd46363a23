"""Scores of every match of a query at once, read a block of postings at a time, for ranking a common word's matches.

Whoosh scores a match by walking a tree of matchers, a few microseconds per document and per level: a word in a third
of the index took 150 ms to rank. Here each term's BM25 scores are computed from its blocks of postings (and kept for
as long as the searcher, as docsets are: common words recur), then added up as Whoosh's matchers add them (an And or
an Or sums what matches, times its boost). The sums may differ from Whoosh's in the last bit (another order of
addition), so they only choose the candidates: whoosh_ranking scores those again with Whoosh's own matchers.
Queries of other kinds (phrases, filters on unscored fields) give None: they are walked as before.
"""

from heapq import nlargest

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import NullMatcherClass, WrappingMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndNot, Or, Term
from whoosh.scoring import BM25FScorer

MARGIN = 1e-9  # relative: a candidate within this of the last score wanted is scored again, so float noise loses none


def scores(searcher, query, memo: dict) -> dict[int, float] | None:
    """Document -> score of each match of query (None: a query this does not know how to score)."""
    if type(query) is Term:
        key = ("scores", query)
        found = memo.get(key, memo)
        if found is memo:
            found = memo[key] = _term_scores(searcher, query)
        return found
    if type(query) is AndNot:
        found = scores(searcher, query.a, memo)
        if found is None:
            return None
        from app.search.whoosh_ranking import docset  # noqa: PLC0415 (whoosh_ranking imports this module)

        excluded = docset(searcher, query.b, memo)
        return {doc: score for doc, score in found.items() if doc not in excluded}
    if isinstance(query, And | Or) and (not isinstance(query, Or) or (not query.scale and not query.minmatch)):
        parts = [scores(searcher, sub, memo) for sub in query.subqueries]
        if not parts or any(part is None for part in parts):
            return None
        if len(parts) == 1:
            return parts[0]  # Whoosh uses the only part's matcher as it is: no boost
        parts.sort(key=len)
        if isinstance(query, And):
            common = set(parts[0]).intersection(*parts[1:])
            total = {doc: sum(part[doc] for part in parts) for doc in common}
        else:
            total = dict(parts[-1])
            for part in parts[:-1]:
                for doc, score in part.items():
                    total[doc] = total.get(doc, 0.0) + score
        if query.boost != 1.0:
            total = {doc: score * query.boost for doc, score in total.items()}
        return total
    return None


def _term_scores(searcher, term: Term) -> dict[int, float] | None:
    found: dict[int, float] = {}
    context = searcher.context()
    for subsearcher, offset in searcher.leaf_searchers():
        matcher, boost, deleted = term.matcher(subsearcher, context), 1.0, ()
        if type(matcher) is WrappingMatcher:
            matcher, boost = matcher.child, matcher.boost
        if type(matcher) is FilterMatcher and matcher._exclude:
            matcher, deleted = matcher.child, matcher._ids
        if isinstance(matcher, NullMatcherClass):
            continue
        if type(matcher) is not W3LeafMatcher or type(matcher.scorer) is not BM25FScorer:
            return None
        score, length = matcher.scorer._score, matcher.scorer.dfl
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids, weights = matcher._ids, matcher._weights
            for at in range(matcher._i, len(ids)):
                doc = ids[at]
                if doc not in deleted:
                    found[doc + offset] = score(weights[at], length(doc)) * boost
            matcher._next_block()
    return found


def best_of(scored: dict[int, float], allowed: set[int], limit: int) -> set[int]:
    """The candidates for the best `limit` of allowed: every one scoring about as high as the limit-th or higher."""
    if len(allowed) <= limit:
        return set(allowed)
    cutoff = nlargest(limit, (scored[doc] for doc in allowed))[-1]
    floor = cutoff - abs(cutoff) * MARGIN - MARGIN
    return {doc for doc in allowed if scored[doc] >= floor}
