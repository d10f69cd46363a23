"""A rebuild of the Whoosh index in worker processes, each writing whole segments from pre-analysed documents.

Why not Whoosh's own MpWriter: its writers put every posting into a pool of (field, term, document, weight, value)
tuples, sort them all at the end (past `limitmb` they were sorted and pickled to disk in runs, then merged back: that
alone tripled the time at 50,000 documents) and read each posting's field length back from the segment's files one by
one. Here the documents arrive in order, so each term's postings are already in order: they are grouped by term as
they come, only the terms are sorted, and the lengths are kept in memory. The segment's files are written by Whoosh's
own codec, with the same terms, postings, lengths and stored fields as its writer gives (tests/search/test_rebuild.py).
"""

import multiprocessing
import queue
import sys
import traceback
from collections import Counter, defaultdict

from whoosh.formats import Frequency, Positions
from whoosh.system import emptybytes, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from app.search.whoosh_side import SidePostings

BATCH = 500  # documents sent to a worker at a time
SEGMENT_DOCS = 60_000  # a worker starts a new segment past this: bounds its memory (~5 MB per 1,000 documents)
WAIT = 5.0  # seconds between checks that the workers are still alive


class _SegmentWriter(SegmentWriter):
    """A SegmentWriter for documents whose text fields are lists of tokens (WhooshBackend._fields), not locked (the
    rebuild's main writer holds the index's lock)."""

    def __init__(self, ix):
        # Not a compound file: Whoosh opens a file inside a compound one by copying it whole into memory (BytesIO over
        # the mapped bytes), so every new searcher (after each index change) copied this segment's postings, tens of MB.
        super().__init__(ix, _lk=False, compound=False)
        self._postings: dict[str, dict[bytes, list]] = defaultdict(dict)  # field -> term -> [doc, weight, value, ...]
        self._lengths: dict[str, dict[int, int]] = defaultdict(dict)  # field -> document -> length as stored

    def add_document(self, **fields):
        perdoc, schema, docnum = self.perdocwriter, self.schema, self.docnum
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                items = _word_values(field, value) if isinstance(value, list) else field.index(value)
                terms = self._postings[name]
                for btext, freq, weight, vbytes in items:
                    length += freq
                    postings = terms.get(btext)
                    if postings is None:
                        terms[btext] = [docnum, weight, vbytes]
                    else:
                        postings += (docnum, weight, vbytes)
                if not field.scorable:
                    length = 0
            perdoc.add_field(name, field, value if field.stored else None, length)
            if length:
                # What the segment's length column gives back (one byte: lengths are rounded), as Whoosh's flush reads.
                self._lengths[name][docnum] = byte_to_length(length_to_byte(length))
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        writer, side = self.fieldwriter, SidePostings()
        for name in sorted(self._postings):
            terms, lengths = self._postings[name], self._lengths.get(name, {})
            writer.start_field(name, self.schema[name])
            for btext in sorted(terms):
                postings = terms[btext]
                writer.start_term(btext)
                for at in range(0, len(postings), 3):
                    docnum = postings[at]
                    writer.add(docnum, postings[at + 1], postings[at + 2] or emptybytes, lengths.get(docnum, 0))
                writer.finish_term()
                side.add(name, btext, postings)
            writer.finish_field()
        writer.close()
        side.write(self.storage, self.newsegment)
        self._postings.clear()


_FREQUENCIES: dict[int, tuple[float, bytes]] = {}


def _word_values(field, words: list[str]):
    """(term, frequency, weight, value) of each term of a list of tokens, as field.index() gives them (Whoosh reads a
    list as tokens already analysed, at positions 0, 1, 2...), without its Token objects."""
    format_ = field.format
    boost = format_.field_boost
    if type(format_) is Positions:
        positions: dict[str, list[int]] = {}
        for position, word in enumerate(words):
            found = positions.get(word)
            if found is None:
                positions[word] = [position]
            else:
                found.append(position)
        return [(w.encode(), len(p), len(p) * boost, format_.encode(p)) for w, p in positions.items()]
    if type(format_) is Frequency and boost == 1.0:
        items = []
        for word, freq in Counter(words).items():
            weight_value = _FREQUENCIES.get(freq)
            if weight_value is None:
                weight_value = _FREQUENCIES[freq] = (float(freq), pack_uint(freq))
            items.append((word.encode(), freq, *weight_value))
        return items
    return field.index(words)


def _segments(ix, documents) -> list:
    """Index documents (each a dict of fields) into segments of at most SEGMENT_DOCS, which bounds the memory used."""
    segments, writer = [], None
    try:
        for fields in documents:
            writer = writer or _SegmentWriter(ix)
            writer.add_document(**fields)
            if writer.doc_count() >= SEGMENT_DOCS:
                segments.append(writer._finalize_segment())
                writer = None
    except BaseException:
        if writer is not None:
            writer._close_segment()  # not cancel(): it would remove the temporary files of every writer
        raise
    if writer is not None:
        segments.append(writer._finalize_segment())
    return segments


def _work(storage, indexname, jobs, results, fields_of) -> None:
    """A worker: index the batches of documents it is given into segments of its own; send back their list."""
    try:
        ix = storage.open_index(indexname)
        documents = (document for batch in iter(jobs.get, None) for document in batch)
        results.put((True, _segments(ix, map(fields_of, documents))))
    except BaseException:  # reported to the parent, which raises
        results.put((False, traceback.format_exc()))
        sys.exit(1)  # and seen to have ended: the parent stops feeding the others


def build(ix, documents, fields_of, procs: int) -> int:
    """Index the documents (fields_of(document) gives a document's fields) into ix, an empty index, in procs worker
    processes (none: in this one); return how many. The segments are committed together at the end, none on an error."""
    main = ix.writer()
    try:
        if procs > 1:
            count, segments = _in_workers(ix, documents, fields_of, procs)
        else:
            counted = [0]

            def fields(document):
                counted[0] += 1
                return fields_of(document)

            segments = _segments(ix, map(fields, documents))
            count = counted[0]
    except BaseException:
        main.cancel()
        raise
    main._close_segment()
    main._commit_toc(segments)
    main._finish()
    return count


def _in_workers(ix, documents, fields_of, procs: int) -> tuple[int, list]:
    context = multiprocessing.get_context("fork")
    jobs, results = context.Queue(procs * 2), context.Queue()
    workers = [
        context.Process(target=_work, args=(ix.storage, ix.indexname, jobs, results, fields_of), daemon=True)
        for _ in range(procs)
    ]
    for worker in workers:
        worker.start()
    count, segments = 0, []
    try:
        batch = []
        for document in documents:
            batch.append(document)
            if len(batch) == BATCH:
                _put(jobs, batch, workers, results)
                count, batch = count + len(batch), []
        if batch:
            _put(jobs, batch, workers, results)
            count += len(batch)
        for _ in workers:
            _put(jobs, None, workers, results)
        for _ in workers:
            ok, found = _get(results, workers)
            if not ok:
                raise RuntimeError(f"a search index worker failed: {found}")
            segments += found
    except BaseException:
        for worker in workers:
            worker.kill()
        raise
    finally:
        for worker in workers:
            worker.join(timeout=WAIT)
    return count, segments


def _failed(workers, results) -> None:
    """Raise if a worker has failed (it ends with 1 once it has sent why) or was killed (out of memory...)."""
    if all(worker.exitcode in (None, 0) for worker in workers):
        return
    try:
        ok, found = results.get(timeout=WAIT)  # what the failed worker sent before it ended
        found = found if not ok else "a worker ended early"
    except queue.Empty:
        found = "it ended without a report (killed: out of memory?)"
    raise RuntimeError(f"a search index worker failed: {found}")


def _put(jobs, item, workers, results) -> None:
    while True:
        _failed(workers, results)
        try:
            jobs.put(item, timeout=WAIT)
            return
        except queue.Full:
            continue


def _get(results, workers):
    while True:
        try:
            return results.get(timeout=WAIT)
        except queue.Empty:
            _failed(workers, results)
