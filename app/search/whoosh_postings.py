"""A term's postings read once, a block at a time: its documents and, for the words a search ranks, their scores;
and what a query matches, as a mask built from its words' documents (docset).

Whoosh's matchers yield postings one by one, and a text field's blocks carry every posting's positions, so reading a
common word's blocks is most of what its first search costs: counting and ranking share one reading here. A score is
Whoosh's own arithmetic (its scorer, on the document's length as the index stores it: one byte a document), worked out
once per (weight, length byte) pair, of which a word has a few hundred: a table look-up per posting, where asking
Whoosh's scorer for each posting took two thirds of a common word's first search.

What a word's blocks hold (documents, weights) is kept per segment (_kept), not per searcher: every comment posted or
decided changes the index and so the searcher, but not the segments already written, and a busy consultation would
otherwise read its common words' blocks again for nearly every search.

What a query matches is a mask (numpy booleans, one per document of the searcher) built from its words' documents:
intersecting and joining Python sets of a common word's tens of thousands of documents was most of its search. A
phrase is checked on its words' positions, and what a segment holds of it is kept per segment too (_phrases).
"""

from itertools import accumulate, repeat

import numpy
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import NullMatcherClass, WrappingMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndMaybe, AndNot, Or, Phrase, Term, WrappingQuery
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.util.numeric import byte_to_length

from app.search import whoosh_side
from app.search.kept import Kept
from app.search.whoosh_query import PAIRS_FIELD, pairs

# A word's count in one document up to which its postings are scored through one table (_score_segment): the table
# has a slot per (count, length byte), 256 per count, so it stays under a megabyte.
WHOLE_WEIGHTS = 1 << 12
# Postings kept per process across index changes (_kept): 16 bytes each, so about 64 MB per gunicorn worker at most.
KEPT_POSTINGS = 4_000_000


class Leaf:
    """What a word (or a phrase) matches: its documents (global numbers, ascending, a numpy array) and, where read with
    them, each one's score (an array beside it; None where not read)."""

    __slots__ = ("ids", "scores")

    def __init__(self, ids, scores=None):
        self.ids, self.scores = ids, scores

    def __len__(self) -> int:
        return len(self.ids)


def size_of(searcher) -> int:
    """How many document numbers the searcher has (deleted ones too): the length of its masks."""
    return searcher.doc_count_all()


def mask_of(searcher, ids):
    """A mask of the searcher's documents holding those of ids (an array of document numbers)."""
    mask = numpy.zeros(size_of(searcher), dtype=bool)
    mask[ids] = True
    return mask


def _length_bytes(reader, fieldname: str) -> bytes | None:
    """The field's length byte of every document of one segment (Whoosh reads them one file access at a time)."""
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if perdoc is not None else None
    if column is None or getattr(column, "_fixedlen", None) != 1:
        return None
    return column._dbfile.get(column._basepos, column._count)


def stems_field(fieldname: str) -> str:
    """The field holding a text field's stems without their positions (an index built before it has none)."""
    return "stems_" + fieldname.removeprefix("text_")


def read_term(searcher, term: Term, memo, scored: bool) -> Leaf | None:
    """The term's documents (deleted ones left out) as a Leaf, kept in memo under the term; with scored, each one's
    score too. None where the postings are not Whoosh's usual blocks (the caller asks Whoosh instead).

    A text field's word is read from its stems field where the index has one: the same postings and weights without
    the positions, whose reading was over half of the time. Scores are the text field's (its scorer and lengths)."""
    all_ids, all_scores = [], [] if scored else None
    context = searcher.context() if scored else None
    fieldname, text = term.fieldname, term.text
    unpositioned = stems_field(fieldname) if fieldname.startswith("text_") else None
    if unpositioned is not None and unpositioned not in searcher.schema:
        unpositioned = None
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if (fieldname, text) not in reader:
            continue
        scorer, boost = None, 1.0
        if all_scores is not None:
            matcher = term.matcher(subsearcher, context)
            if type(matcher) is WrappingMatcher:
                matcher, boost = matcher.child, matcher.boost
            if type(matcher) is FilterMatcher:
                matcher = matcher.child
            if isinstance(matcher, NullMatcherClass):
                continue
            scorer = matcher.scorer if type(matcher) is W3LeafMatcher else None
        source = unpositioned if unpositioned and (unpositioned, text) in reader else fieldname
        found = _postings(reader, source, text)
        if found is None:
            return None
        ids, weights = found
        if reader.has_deletions():
            alive = ~_deleted(reader)[ids]
            ids, weights = ids[alive], weights[alive]
        if all_scores is not None:
            try:
                values = _score_segment(ids, weights, scorer, boost, reader, fieldname)
            except LookupError:
                return None
            if values is None:
                all_scores = None  # a scorer this does not know: the documents alone, Whoosh scores them
            else:
                all_scores.append(values)
        all_ids.append(ids + offset if offset else ids)
    ids = numpy.concatenate(all_ids) if all_ids else numpy.zeros(0, dtype=numpy.int64)
    if all_scores is not None:
        all_scores = numpy.concatenate(all_scores) if all_scores else numpy.zeros(0, dtype=numpy.float64)
    found = memo[term] = Leaf(ids, all_scores)
    return found


# What a word's blocks hold, by (segment, field, word): a segment never changes once written (its deleted documents are
# left out when read), so what was read of it stays true through every index change that keeps it: the searcher that a
# change replaces loses its caches, not this.
_kept = Kept(KEPT_POSTINGS, weigh=lambda found: len(found[0]))


# A segment's deleted documents as a mask, by (segment, how many): a segment's deletions only ever grow, so the count
# tells them apart; read once per index change, not once per word read (a numpy.isin per word and segment).
_dead = Kept(size=64)


def _deleted(reader):
    """The segment's deleted documents, a mask over its document numbers."""
    deleted = reader.deleted_docs_set
    key = (whoosh_side.segment_key(reader), len(deleted))
    found = _dead.get(key)
    if found is None:
        found = numpy.zeros(reader.doc_count_all(), dtype=bool)
        found[numpy.fromiter(deleted, dtype=numpy.int64, count=len(deleted))] = True
        _dead[key] = found
    return found


def _postings(reader, fieldname: str, text: str):
    """(documents, weights) of a word in one segment, numpy arrays of every posting, deleted documents included; kept
    per segment (_kept). None where the postings are not Whoosh's usual blocks."""
    key = (whoosh_side.segment_key(reader), fieldname, text)
    found = _kept.get(key)
    if found is not None:
        return found
    found = whoosh_side.read(reader, fieldname, text)  # a common word of a rebuilt segment: plain arrays
    if found is None:
        matcher = _all_postings(reader, fieldname, text)
        if type(matcher) is not W3LeafMatcher:
            return None
        ids, weights = [], []
        for block_ids, block_weights in _blocks(matcher):
            ids += block_ids
            weights += repeat(block_weights, len(block_ids)) if isinstance(block_weights, float) else block_weights
        found = (numpy.array(ids, dtype=numpy.int64), numpy.array(weights, dtype=numpy.float64))
    _kept[key] = found
    return found


def _all_postings(reader, fieldname: str, text: str):
    """The word's postings in one segment, deleted documents included: callers leave those out themselves (a mask per
    segment), or ask only for documents that are not deleted."""
    matcher = reader.postings(fieldname, text)
    return matcher.child if type(matcher) is FilterMatcher and matcher._exclude else matcher


def forget() -> None:
    """Drop what this process keeps across index changes (postings, deletions, phrases, side indexes): a benchmark's
    cold search starts from nothing."""
    for kept in (_kept, _dead, _phrases, whoosh_side._indexes):
        kept.clear()


def _blocks(matcher):
    """(documents, weights) of each block of postings left, read straight from the block's data: Whoosh's own reading
    undoes the gaps between document numbers in a Python loop. weights: a tuple, or one number for the whole block."""
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        ids, weights, _ = matcher._data
        if not matcher._byteids:
            ids = tuple(accumulate(ids))
        if matcher._i:
            ids = ids[matcher._i :]
            weights = weights[matcher._i :] if isinstance(weights, tuple) else weights
        yield ids, 1.0 if weights is None else weights
        matcher._next_block()


# The length each length byte stands for (Whoosh stores a document's field length in one byte).
_LENGTHS = numpy.array([byte_to_length(byte) for byte in range(256)], dtype=numpy.float64)


def _bm25(scorer, boost: float, weights, length_bytes):
    """Whoosh's BM25F score (whoosh.scoring.bm25, times the query's boost) of postings given as arrays of weights and
    length bytes: the same operations in the same order, so the same floats, an array at a time (in Python, a
    posting or a (weight, length) pair at a time, this was most of reading a common word again after an index change).
    """
    if not length_bytes.all():
        raise LookupError("no length stored")  # Whoosh would read none either: leave this word to Whoosh
    B, K1, lengths = scorer.B, scorer.K1, _LENGTHS[length_bytes]  # noqa: N806 (Whoosh's names)
    return scorer.idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / scorer.avgfl))) * boost


def _score_segment(ids, weights, scorer, boost: float, reader, fieldname: str):
    """The scores of one segment's postings (numpy arrays: documents, weights), as an array; None for a scorer this
    does not know. A LookupError (a posting without a length: Whoosh fails to score it too) leaves the word to
    Whoosh."""
    if type(scorer) is WeightScorer:
        return weights * boost  # an unscorable field: Whoosh scores a posting by its weight
    if type(scorer) is not BM25FScorer:
        return None
    lengths = _length_bytes(reader, fieldname)
    if lengths is None:
        return None
    if not len(ids):
        return numpy.zeros(0, dtype=numpy.float64)
    # Past the column's end, Whoosh's default: 0.
    lengths = numpy.frombuffer(lengths.ljust(reader.doc_count_all(), b"\0"), dtype=numpy.uint8)[ids]
    whole = weights.astype(numpy.int64)
    if not (whole == weights).all() or whole.min() < 0 or whole.max() >= WHOLE_WEIGHTS:
        return _bm25(scorer, boost, weights, lengths)  # weights that are not a word's counts (a boosted field's)
    # A text field's weights are the word's counts in each document (whole numbers): each (count, length byte) pair
    # is one number, and a word's few hundred pairs are scored once into a table read for every posting at once.
    pairs = whole * 256 + lengths
    present = numpy.zeros(int(pairs.max()) + 1, dtype=bool)
    present[pairs] = True
    known = numpy.flatnonzero(present)
    values = numpy.zeros(len(present), dtype=numpy.float64)
    values[known] = _bm25(scorer, boost, (known >> 8).astype(numpy.float64), (known & 255).astype(numpy.uint8))
    return values[pairs]


# --- what a query matches, as a mask built from its words' postings ---------------------------------------------


def docset(searcher, query, memo, scored: bool = False):
    """The documents a query matches, as a mask (size_of(searcher) booleans), by operations on what its leaves match
    (memo: leaf -> its Leaf); with scored, the words that score a match are read with their scores too (read_term), in
    the same reading.

    A glossary's translations make a query match many more documents (закон also finds every заң and every law):
    counting them this way takes a millisecond where walking them with the scoring matchers took a hundred.
    """
    if isinstance(query, AndMaybe):
        return docset(searcher, query.a, memo, scored)
    if isinstance(query, AndNot):
        return docset(searcher, query.a, memo, scored) & ~docset(searcher, query.b, memo)
    if isinstance(query, And):
        found = [docset(searcher, sub, memo, scored) for sub in query.subqueries]
        return every(found) if found else mask_of(searcher, [])
    if isinstance(query, Or):
        found = [docset(searcher, sub, memo, scored) for sub in query.subqueries]
        return either(found) if found else mask_of(searcher, [])
    if isinstance(query, WrappingQuery):
        return docset(searcher, query.child, memo, scored)
    return mask_of(searcher, leaf(searcher, query, memo, scored).ids)


def leaf(searcher, query, memo, scored: bool = False) -> Leaf:
    """What a leaf query (a word, a phrase, a date range...) matches, from memo or read."""
    found = memo.get(query)
    if type(query) is Term and (found is None or (scored and found.scores is None)):
        found = read_term(searcher, query, memo, scored)
    if found is None and type(query) is Phrase and query.slop == 1 and PAIRS_FIELD in searcher.schema:
        found = memo[query] = Leaf(_phrase(searcher, query, memo, scored))
    if found is None:  # a phrase, a date range, postings of another kind: Whoosh's own matcher
        found = memo[query] = Leaf(numpy.array(sorted(searcher.docs_for_query(query)), dtype=numpy.int64))
    return found


def every(masks: list):
    """What every one of the masks (at least one) holds, as a new mask: combined a pair at a time into one array, not
    stacked into one row per mask (a query with the glossary's expansions has dozens)."""
    found = masks[0].copy()
    for mask in masks[1:]:
        found &= mask
    return found


def either(masks: list):
    """What any of the masks (at least one) holds, as a new mask."""
    found = masks[0].copy()
    for mask in masks[1:]:
        found |= mask
    return found


# The documents of a segment holding a phrase, by (segment, field, words): as a word's postings (_kept), what a segment
# holds never changes, so after an index change only the new segments are checked (a glossary phrase of two common
# words took 150 ms to check, again after every post). Each with the number of the segment's documents deleted when it
# was checked: those were not candidates, so a searcher that saw fewer deleted checks again.
_phrases = Kept(KEPT_POSTINGS // 4, size=4096, weigh=lambda found: 1 + len(found[1]))


def _deleted_count(reader) -> int:
    return len(reader.deleted_docs_set) if reader.has_deletions() else 0


def _phrase(searcher, query, memo, scored: bool):
    """The documents (ascending) where the phrase's words stand side by side: in a segment checked before, those kept;
    else those of the documents holding its words side by side (the pairs field, hashed: a few more) checked on the
    words' positions (_matching)."""
    found, candidates = [], None
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        key = (whoosh_side.segment_key(reader), query.fieldname, tuple(query.words))
        deleted, kept = _deleted_count(reader), _phrases.get(key)
        local = kept[1] if kept is not None and kept[0] <= deleted else None
        if local is None:
            if candidates is None:  # once, for every segment that needs them
                near = [docset(searcher, And([Term(PAIRS_FIELD, pair) for pair in pairs(query.words)]), memo)]
                near += [docset(searcher, Term(query.fieldname, word), memo, scored) for word in query.words]
                candidates = numpy.flatnonzero(every(near))
            start, end = numpy.searchsorted(candidates, [offset, offset + reader.doc_count_all()])
            mine = (candidates[start:end] - offset).tolist()
            local = numpy.array(_matching(reader, query.fieldname, query.words, mine), dtype=numpy.int64)
            if kept is None or kept[0] > deleted:
                _phrases[key] = (deleted, local)
        if len(local) and deleted:
            local = local[~_deleted(reader)[local]]  # deleted since they were checked
        found.append(local + offset)
    return numpy.concatenate(found) if found else numpy.zeros(0, dtype=numpy.int64)


def _matching(reader, fieldname: str, words, candidates: list[int]) -> list[int]:
    """The candidates (a segment's documents, ascending) where the words stand side by side, in order (Whoosh's Phrase
    with slop 1): each word's positions in each candidate, read from its blocks of postings; a block without a
    candidate is passed by its header. Whoosh's phrase matcher, told to skip to a candidate that lacks the phrase,
    worked out the positions of every document holding all the words up to the next that has it; skipping a matcher
    to each candidate walked its postings one by one."""
    if not candidates or any((fieldname, word) not in reader for word in words):
        return []
    held = [_positions(reader, fieldname, word, candidates) for word in words]
    found = []
    for doc in candidates:
        positions = [at.get(doc) for at in held]
        if all(positions) and any(
            all(start + step in others for step, others in enumerate(positions[1:], 1)) for start in positions[0]
        ):
            found.append(doc)
    return found


def _positions(reader, fieldname: str, word: str, candidates: list[int]) -> dict[int, set[int]]:
    """The word's positions in each of the candidates (ascending; none deleted) that hold it."""
    matcher = _all_postings(reader, fieldname, word)
    found: dict[int, set[int]] = {}
    if type(matcher) is not W3LeafMatcher:  # postings of another kind: Whoosh's own skipping
        for doc in candidates:
            if matcher.is_active() and matcher.id() < doc:
                matcher.skip_to(doc)
            if matcher.is_active() and matcher.id() == doc:
                found[doc] = set(matcher.value_as("positions"))
        return found
    decode = matcher.format.decoder("positions")
    wanted = iter(candidates)
    doc = next(wanted, None)
    while doc is not None and matcher.is_active():
        if doc > matcher.block_max_id():
            matcher._next_block()  # no candidate in this block: its postings are not even read
            continue
        matcher._read_ids()
        matcher._read_values()
        where = {posting: at for at, posting in enumerate(matcher._ids)}
        last = matcher.block_max_id()
        while doc is not None and doc <= last:
            at = where.get(doc)
            if at is not None:
                found[doc] = set(decode(matcher._values[at]))
            doc = next(wanted, None)
        matcher._next_block()
    return found
