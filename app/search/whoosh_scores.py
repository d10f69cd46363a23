"""Scores of every match of a query at once, read a block of postings at a time, for ranking a common word's matches.

Whoosh scores a match by walking a tree of matchers, a few microseconds per document and per level: a word in a third
of the index took 150 ms to rank. Here each term's BM25 scores come from its blocks of postings (whoosh_postings, its
Leaf kept for as long as the searcher: common words recur), as one array of a slot per document, then added up
as Whoosh's matchers add them (an And or an Or sums what matches, a phrase its words where they stand side by side,
each times its boost), an array at a time. The sums may differ from Whoosh's in the last bits (another order of
addition): candidates are chosen with a margin for that (best_of), and whoosh_ranking ranks them by these sums
(tests/search/test_ranking_paths.py: the same pages, the same scores to nine places, as Whoosh's own matchers give).
Queries of other kinds (date ranges, Or with a scale) give None: they are walked as before.
"""

import numpy
from whoosh.query import And, AndNot, Or, Phrase, Term

from app.search.whoosh_postings import docset, either, every, leaf, size_of

MARGIN = 1e-9  # relative: a candidate within this of the last score wanted is scored again, so float noise loses none


class _Space:
    """The documents a search scores: every one of the searcher's (docs None) or only those of docs (ascending): a page
    often needs the scores of a few candidates, and arrays the size of the index cost a rare word's search more than
    its reading."""

    def __init__(self, searcher, docs):
        self.docs, self.size = docs, size_of(searcher) if docs is None else len(docs)

    def _positions(self, ids):
        """Where each document of the space would be in ids (sorted), and whether it is there."""
        at = numpy.searchsorted(ids, self.docs)
        numpy.minimum(at, len(ids) - 1, out=at)
        return at, ids[at] == self.docs

    def mask(self, ids):
        """The documents of ids (ascending), as a mask over the space."""
        if self.docs is None:
            mask = numpy.zeros(self.size, dtype=bool)
            mask[ids] = True
            return mask
        return self._positions(ids)[1] if len(ids) else numpy.zeros(self.size, dtype=bool)

    def scored(self, ids, values):
        """(mask, scores) over the space of the documents of ids and their values."""
        if self.docs is None:
            mask, spread = self.mask(ids), numpy.zeros(self.size, dtype=numpy.float64)
            spread[ids] = values
            return mask, spread
        if not len(ids):
            return numpy.zeros(self.size, dtype=bool), numpy.zeros(self.size, dtype=numpy.float64)
        at, present = self._positions(ids)
        return present, numpy.where(present, values[at], 0.0)

    def within(self, mask):
        """A mask over every document of the searcher (docset's), over the space."""
        return mask if self.docs is None else mask[self.docs]


def scores(searcher, query, memo, docs=None):
    """(mask, scores) of the query's matches: a mask of the documents it matches and an array of their scores (0 for
    the others), one slot per document of the searcher, or, given docs (an ascending array), per document of docs;
    None for a query this does not know how to score."""
    return _scores(searcher, query, memo, _Space(searcher, docs))


def _scores(searcher, query, memo, space: _Space):
    if type(query) is Term:
        found = leaf(searcher, query, memo, scored=True)
        return None if found.scores is None else space.scored(found.ids, found.scores)
    if type(query) is Phrase:
        # Whoosh scores a phrase as the sum of its words' scores (times its boost), where they stand side by side.
        words = [_scores(searcher, Term(query.fieldname, word), memo, space) for word in query.words]
        if not words or any(part is None for part in words):
            return None
        inside = space.mask(leaf(searcher, query, memo, True).ids)
        total = numpy.zeros(space.size, dtype=numpy.float64)  # the same sum as sum(): 0 + the first + ...
        for _, values in words:
            total += values
        return inside, numpy.where(inside, total * query.boost, 0.0)
    if isinstance(query, AndNot):
        found = _scores(searcher, query.a, memo, space)
        if found is None:
            return None
        mask = found[0] & ~space.within(docset(searcher, query.b, memo))
        return mask, numpy.where(mask, found[1], 0.0)
    if isinstance(query, And | Or) and (not isinstance(query, Or) or (not query.scale and not query.minmatch)):
        parts = [_scores(searcher, sub, memo, space) for sub in query.subqueries]
        if not parts or any(part is None for part in parts):
            return None
        if len(parts) == 1:
            return parts[0]  # Whoosh uses the only part's matcher as it is: no boost
        # The fewest matches first, then in that order (a stable sort): the order of addition of the sums before.
        counts = [int(numpy.count_nonzero(mask)) for mask, _ in parts]
        parts = [parts[at] for at in sorted(range(len(parts)), key=counts.__getitem__)]
        if isinstance(query, And):
            mask = every([mask for mask, _ in parts])
            total = numpy.zeros(space.size, dtype=numpy.float64)
            for _, values in parts:
                total += values
            total = numpy.where(mask, total, 0.0)
        else:
            mask = either([mask for mask, _ in parts])
            # The most matches' scores first, then the others added to them (0 where a part does not match).
            total = parts[-1][1].copy()
            for _, values in parts[:-1]:
                total += values
        if query.boost != 1.0:
            total = total * query.boost
        return mask, total
    return None


def best_of(values, limit: int):
    """Which of values (a mask over them) are candidates for the best `limit`: every one scoring about as high as the
    limit-th or higher."""
    if len(values) <= limit:
        return numpy.ones(len(values), dtype=bool)
    cutoff = numpy.partition(values, len(values) - limit)[len(values) - limit]
    floor = cutoff - abs(cutoff) * MARGIN - MARGIN
    return values >= floor
