"""Scores of every match of a query at once, read a block of postings at a time, for ranking a common word's matches.

Whoosh scores a match by walking a tree of matchers, a few microseconds per document and per level: a word in a third
of the index took 150 ms to rank. Here each term's BM25 scores come from its blocks of postings (whoosh_postings, kept
for as long as the searcher, as docsets are: common words recur), as one array of a slot per document, then added up
as Whoosh's matchers add them (an And or an Or sums what matches, a phrase its words where they stand side by side,
each times its boost), an array at a time. The sums may differ from Whoosh's in the last bits (another order of
addition): candidates are chosen with a margin for that (best_of), and whoosh_ranking ranks them by these sums
(tests/search/test_ranking_paths.py: the same pages, the same scores to nine places, as Whoosh's own matchers give).
Queries of other kinds (date ranges, Or with a scale) give None: they are walked as before.
"""

import numpy
from whoosh.query import And, AndNot, Or, Phrase, Term

from app.search.whoosh_postings import docset, leaf, read_term, size_of

MARGIN = 1e-9  # relative: a candidate within this of the last score wanted is scored again, so float noise loses none


def scores(searcher, query, memo):
    """(mask, scores) of the query's matches: a mask of the documents it matches and an array of their scores (0 for
    the others), one slot per document of the searcher; None for a query this does not know how to score."""
    if type(query) is Term:
        found = memo.get(query)
        if found is None or found.scores is None:
            found = read_term(searcher, query, memo, scored=True)
        if found is None or found.scores is None:
            return None
        mask = numpy.zeros(size_of(searcher), dtype=bool)
        values = numpy.zeros(size_of(searcher), dtype=numpy.float64)
        mask[found.ids] = True
        values[found.ids] = found.scores
        return mask, values
    if type(query) is Phrase:
        # Whoosh scores a phrase as the sum of its words' scores (times its boost), where they stand side by side.
        words = [scores(searcher, Term(query.fieldname, word), memo) for word in query.words]
        if not words or any(part is None for part in words):
            return None
        inside = numpy.zeros(size_of(searcher), dtype=bool)
        inside[leaf(searcher, query, memo, True).ids] = True
        total = numpy.zeros(size_of(searcher), dtype=numpy.float64)  # the same sum as sum(): 0 + the first + ...
        for _, values in words:
            total += values
        return inside, numpy.where(inside, total * query.boost, 0.0)
    if isinstance(query, AndNot):
        found = scores(searcher, query.a, memo)
        if found is None:
            return None
        mask = found[0] & ~docset(searcher, query.b, memo)
        return mask, numpy.where(mask, found[1], 0.0)
    if isinstance(query, And | Or) and (not isinstance(query, Or) or (not query.scale and not query.minmatch)):
        parts = [scores(searcher, sub, memo) for sub in query.subqueries]
        if not parts or any(part is None for part in parts):
            return None
        if len(parts) == 1:
            return parts[0]  # Whoosh uses the only part's matcher as it is: no boost
        # The fewest matches first, then in that order (a stable sort): the order of addition of the sums before.
        counts = [int(numpy.count_nonzero(mask)) for mask, _ in parts]
        parts = [parts[at] for at in sorted(range(len(parts)), key=counts.__getitem__)]
        if isinstance(query, And):
            mask = numpy.logical_and.reduce([mask for mask, _ in parts])
            total = numpy.zeros(len(mask), dtype=numpy.float64)
            for _, values in parts:
                total += values
            total = numpy.where(mask, total, 0.0)
        else:
            mask = numpy.logical_or.reduce([mask for mask, _ in parts])
            # The most matches' scores first, then the others added to them (0 where a part does not match).
            total = parts[-1][1].copy()
            for _, values in parts[:-1]:
                total += values
        if query.boost != 1.0:
            total = total * query.boost
        return mask, total
    return None


def best_of(values, allowed, limit: int):
    """The candidates (a mask) for the best `limit` of allowed (a mask): every one scoring about as high as the
    limit-th or higher."""
    count = int(numpy.count_nonzero(allowed))
    if count <= limit:
        return allowed
    chosen = values[allowed]
    cutoff = numpy.partition(chosen, count - limit)[count - limit]
    floor = cutoff - abs(cutoff) * MARGIN - MARGIN
    return allowed & (values >= floor)
