"""Ranking and counting on a Whoosh searcher: the best hits of each type asked for, and each type's exact total.

Order (issue 12.7, 12.5). In the language typed (its words, or the glossary's synonyms in it): first the documents
holding the words side by side (each two neighbours, by the pairs field), then those holding every word in the form
typed (the unstemmed `exact` field), then those matching only through stems; after them, what only the glossary's
translations find. Within each group, Whoosh's BM25F score.

How. The matches of the language typed are counted on masks built from posting lists (docset), and so are those
holding the words side by side or as typed: adding those conditions to the scoring matchers made each match cost half
as much again. The best of each group are ranked by the scores added up from each word's, read with its postings a
block at a time (whoosh_postings, whoosh_scores: scoring every match of a common word through Whoosh's matchers was
most of a search's time); for a query those cannot score, by Whoosh, the candidates in one pass or in one walk for
every type (TopsCollector). What only translations find is scored only when a page reaches it.
"""

from heapq import heappush, heapreplace, nlargest

import numpy
from whoosh.collectors import ScoredCollector
from whoosh.query import AndNot

from app.search import whoosh_scores
from app.search.backend import Hit
from app.search.kept import Kept
from app.search.query import Plan
from app.search.whoosh_postings import docset
from app.search.whoosh_query import as_typed, matching, side_by_side, translates

ALL = None  # the bucket of every type, for a search that ranks them together
# Where whoosh_scores cannot score a query (a date range, say), up to this many candidates are scored one by one
# (skipping to each), not found by a walk.
SCORE_DIRECTLY = 2000
# Past this many candidates in a group, the scores of every match of the query are worked out (once a search, an array
# a slot per document) rather than those of the group's alone.
SCORE_EVERY_FROM = 2000


class Leaves(Kept):
    """What leaf queries match (and score), remembered for as long as the searcher: the least recently used dropped past
    `budget` documents held in all (16 bytes each: its number and score) or `size` entries."""

    def __init__(self, budget: int, size: int):
        super().__init__(budget, size)  # weighed by len(): a Leaf's documents


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


class TopsCollector(ScoredCollector):
    """The best matches of one or several types in one walk over the query's matches (not one walk per type and group:
    a common word's postings were read up to four times). walk: type -> (its candidates, its groups from the first it
    still needs; None last, for the rest); a candidate goes to the first group that holds it, which keeps its own best.
    Ties go to the lower document number, as in Whoosh's top-N. No block skipping: a single term, where a block's
    quality would bound its scores, is ranked from whoosh_scores before a walk is needed.
    """

    def __init__(self, walk: dict, limits: dict):
        super().__init__()
        self.walk, self.limits = walk, limits

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.heaps = {kind: [[] for _ in groups] for kind, (_, groups) in self.walk.items()}

    def _collect(self, global_docnum, score):
        # The types' candidates are apart (each a type's documents): mask lookups, cheaper than reading the type column.
        kind = next((kind for kind, (docs, _) in self.walk.items() if docs[global_docnum]), self)
        if kind is self:
            return 0
        at = 0
        for group in self.walk[kind][1]:
            if group is None or group[global_docnum]:
                break
            at += 1
        heap, item, limit = self.heaps[kind][at], (score, 0 - global_docnum), self.limits[kind]
        if len(heap) < limit:
            heappush(heap, item)
        elif item > heap[0]:
            heapreplace(heap, item)
        else:
            return 0
        return 0 - score

    def results(self):
        raise NotImplementedError("read .heaps instead")


def _ranked(searcher, query, members: dict, groups: list, sizes: dict, memo) -> dict:
    """For each type, the first `size` of its members (query's matches, a mask): those in the first group (a mask), then
    the second..., then the rest; by score within each. A group of no more candidates than wanted is scored as it is;
    past that, candidates are chosen by the query's scores added up a word at a time (whoosh_scores), or, where those
    cannot be had, the type's groups are ranked in a single walk shared by every type. Candidates without such scores
    are scored by Whoosh, all in a pass."""
    slots: dict = {kind: [] for kind in sizes}  # type -> (candidates, how many of them wanted), group by group
    walk, wanted, known = {}, set(), {}  # known: candidates' scores added up from their words' (whoosh_scores)
    whole: list = []  # the scores of every match (mask, scores), once a large group needs them; or [None]
    unscorable: list = []  # whoosh_scores cannot score this query: once found, not asked again

    def scored(allowed, count: int):
        """(documents, their scores) of the allowed (a mask), or None where whoosh_scores cannot score them all."""
        if unscorable:
            return None
        ids = numpy.flatnonzero(allowed)
        if count > SCORE_EVERY_FROM:
            # A common word's groups (as typed, the rest) in each type: scored once, not once per group and type.
            if not whole:
                whole.append(whoosh_scores.scores(searcher, query, memo))
            found = whole[0]
            found = None if found is None else (found[0][ids], found[1][ids])
        else:
            # A few candidates: their scores alone (arrays the size of the index cost more than a rare word's reading).
            found = whoosh_scores.scores(searcher, query, memo, ids)
        if found is None:
            unscorable.append(True)
        return (ids, found[1]) if found is not None and found[0].all() else None

    for kind, size in sizes.items():
        docs, stages, taken = members[kind], [*groups, None], 0
        for at, group in enumerate(stages):
            need = size - taken
            if need <= 0 or not docs.any():
                break
            allowed = docs if group is None else docs & group
            count = _count(allowed)
            by_score = scored(allowed, count) if count else None
            if by_score is not None:
                ids, values = by_score
                chosen = whoosh_scores.best_of(values, need)
                ids = ids[chosen].tolist()
                known.update(zip(ids, values[chosen].tolist(), strict=True))
            elif count > max(need, SCORE_DIRECTLY):
                walk[kind] = (docs, stages[at:])
                break
            else:
                ids = numpy.flatnonzero(allowed).tolist()
                wanted.update(ids)
            if ids:
                slots[kind].append((ids, need))
                taken += min(need, count)
            docs = docs & ~allowed
    # The candidates' scores: added up from their words' where whoosh_scores could (they differ from Whoosh's own in the
    # last bits at most, the order of addition), else Whoosh's own, its matchers built once and walked once. Scoring
    # the candidates again through Whoosh's matchers cost a common word's search 10-40 ms (bench/search.py).
    wanted -= known.keys()
    scores = {-negated: (score, negated) for score, negated in _scores_of(searcher, query, wanted)} if wanted else {}
    scores.update((doc, (score, -doc)) for doc, score in known.items())
    ranked: dict = {kind: [] for kind in sizes}
    for kind, found in slots.items():
        for candidates, need in found:
            ranked[kind] += nlargest(need, (scores[doc] for doc in candidates if doc in scores))
    if walk:
        collector = TopsCollector(walk, {kind: sizes[kind] - len(ranked[kind]) for kind in walk})
        searcher.search_with_collector(query, collector)
        for kind, heaps in collector.heaps.items():
            for heap in heaps:
                ranked[kind] += sorted(heap, reverse=True)[: sizes[kind] - len(ranked[kind])]
    return ranked


def _count(mask) -> int:
    return int(numpy.count_nonzero(mask))


def best(
    searcher, asked: Plan, langs: list[str], under, sizes: dict, any_word: bool, type_docs, memo=None
) -> tuple[dict, dict]:
    """The best hits of each type in sizes (type, or ALL, -> how many) and each one's exact total.

    under(query, kinds) puts a query under the search's filters (and, given kinds, only those types); type_docs(kind)
    is a type's documents (a mask, as docset gives). With any_word, a document needs one clause, and the glossary adds
    nothing. memo (leaf query -> its Leaf) may be kept for as long as the searcher: common words recur across queries.
    """
    kinds = sorted(sizes, key=str)
    typed = matching(asked, langs, any_word, translations=False)
    query = under(typed, kinds)
    memo = {} if memo is None else memo
    # Counted on masks built from posting lists, and only the best scored (_ranked): scoring every match of a common
    # word through Whoosh's matchers was most of the time of a search.
    matched = docset(searcher, query, memo, scored=True)
    members = {kind: matched if kind is ALL else matched & type_docs(kind) for kind in sizes}
    conditions = [] if any_word else [side_by_side(asked, langs), as_typed(asked)]
    groups = [docset(searcher, under(condition, kinds), memo) for condition in conditions if condition is not None]
    ranked = _ranked(searcher, query, members, groups, sizes, memo)
    totals = {kind: _count(members[kind]) for kind in sizes}
    if not any_word and translates(asked, langs):
        everything = matching(asked, langs)
        matched = docset(searcher, under(everything, kinds), memo)
        typed_totals = totals
        totals = {kind: _count(matched if kind is ALL else matched & type_docs(kind)) for kind in sizes}
        short = {kind: size - len(ranked[kind]) for kind, size in sizes.items()
                 if len(ranked[kind]) < size and totals[kind] > typed_totals[kind]}  # fmt: skip
        if short:
            # Ranked as the typed matches are (a walk of Whoosh's phrase matchers over them took 20-50 ms).
            extra = under(AndNot(everything, typed), sorted(short, key=str))
            only = docset(searcher, extra, memo)
            found = {kind: only if kind is ALL else only & type_docs(kind) for kind in short}
            for kind, more in _ranked(searcher, extra, found, [], short, memo).items():
                ranked[kind] += more
    hits = {}
    for kind, items in ranked.items():
        stored = [searcher.stored_fields(-negated) for _, negated in items]
        hits[kind] = [
            Hit(fields["doc_id"], fields["type"], score) for (score, _), fields in zip(items, stored, strict=True)
        ]
    return hits, totals
