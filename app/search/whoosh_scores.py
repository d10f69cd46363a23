"""Scores of every match of a query at once, read a block of postings at a time, for ranking a common word's matches.

Whoosh scores a match by walking a tree of matchers, a few microseconds per document and per level: a word in a third
of the index took 150 ms to rank. Here each term's BM25 scores come from its blocks of postings (whoosh_postings, kept
for as long as the searcher, as docsets are: common words recur), then added up as Whoosh's matchers add them (an And
or an Or sums what matches, a phrase its words where they stand side by side, each times its boost). The sums may
differ from Whoosh's in the last bits (another order of addition): candidates are chosen with a margin for that
(best_of), and whoosh_ranking ranks them by these sums (tests/search/test_ranking_paths.py: the same pages, the same
scores to nine places, as Whoosh's own matchers give). Queries of other kinds (date ranges, Or with a scale) give
None: they are walked as before.
"""

from heapq import nlargest

from whoosh.query import And, AndNot, Or, Phrase, Term

from app.search.whoosh_postings import Scored, docset, read_term

MARGIN = 1e-9  # relative: a candidate within this of the last score wanted is scored again, so float noise loses none


def scores(searcher, query, memo: dict, docs=None) -> dict[int, float] | None:
    """Document -> score of each match of query, or, given docs (a set), of those of them it matches: a page needs the
    scores of a group of matches (those with the words side by side), often far fewer than all. None: a query this
    does not know how to score."""
    if type(query) is Term:
        found = memo.get(query)
        if type(found) is not Scored:
            found = read_term(searcher, query, memo, scored=True)
        if type(found) is not Scored:
            return None
        return found if docs is None else {doc: found[doc] for doc in docs & found.keys()}
    if type(query) is Phrase:
        # Whoosh scores a phrase as the sum of its words' scores (times its boost), where they stand side by side.
        words = [scores(searcher, Term(query.fieldname, word), memo) for word in query.words]
        if not words or any(part is None for part in words):
            return None
        inside = docset(searcher, query, memo, True)
        inside = inside if docs is None else inside & docs
        return {doc: sum(part[doc] for part in words) * query.boost for doc in inside}
    if isinstance(query, AndNot):
        found = scores(searcher, query.a, memo, docs)
        if found is None:
            return None
        excluded = docset(searcher, query.b, memo)
        return {doc: score for doc, score in found.items() if doc not in excluded}
    if isinstance(query, And | Or) and (not isinstance(query, Or) or (not query.scale and not query.minmatch)):
        parts = [scores(searcher, sub, memo, docs) for sub in query.subqueries]
        if not parts or any(part is None for part in parts):
            return None
        if len(parts) == 1:
            return parts[0]  # Whoosh uses the only part's matcher as it is: no boost
        parts.sort(key=len)
        if isinstance(query, And):
            common = set(parts[0]).intersection(*parts[1:])
            if len(parts) == 2:  # the usual case, without a generator per document; the same sum (0 + a + b)
                first, second = parts
                total = {doc: first[doc] + second[doc] for doc in common}
            else:
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


def best_of(scored: dict[int, float], allowed: set[int], limit: int) -> set[int]:
    """The candidates for the best `limit` of allowed: every one scoring about as high as the limit-th or higher."""
    if len(allowed) <= limit:
        return set(allowed)
    cutoff = nlargest(limit, (scored[doc] for doc in allowed))[-1]
    floor = cutoff - abs(cutoff) * MARGIN - MARGIN
    return {doc for doc in allowed if scored[doc] >= floor}
