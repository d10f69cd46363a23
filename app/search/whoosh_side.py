"""A rebuilt segment's common words' postings, written beside it as plain arrays: a first search reads them at once.

Whoosh stores postings in blocks of 128, each a pickled, zlib-compressed tuple: the first search of a word found in
tens of thousands of documents spent 35-65 ms undoing them (bench/search.py), the largest part of the slowest searches.
When the rebuild writes a segment (whoosh_rebuild), every word it holds with at least SIDE_FROM postings, in the fields
that counting and ranking read (not the positional text fields), is also written to `<segment>.kpd` as its documents
(int32) then its weights (float64, Whoosh's own values), and `<segment>.kpi` (JSON, the terms' bytes in hex) says
where. Reading one is a single read of its bytes. Segments written later (each index change, merges) have none: they
are small, or read as before. The files are named like the segment's own, so Whoosh deletes them with it.
"""

import json

import numpy

from app.search.kept import Kept
from app.search.whoosh_query import EXACT_FIELD, PAIRS_FIELD

# The fields whose words whoosh_postings reads whole (besides the stems_<lang> ones): the positional text fields are
# read by the phrase check only, a word's positions in a few documents.
READ_FIELDS = (EXACT_FIELD, PAIRS_FIELD, "type")
SIDE_FROM = 1000  # postings of a word in one segment from which they are written beside it
DATA, INDEX = ".kpd", ".kpi"
_UNREAD = 256  # segments' indexes kept per process


class SidePostings:
    """What one segment's flush writes beside it."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.index: dict[str, dict[str, list[int]]] = {}
        self.size = 0

    def add(self, fieldname: str, btext: bytes, postings: list) -> None:
        """A term's postings as the rebuild holds them: [document, weight, value, ...] in document order."""
        if len(postings) < 3 * SIDE_FROM or not (fieldname.startswith("stems_") or fieldname in READ_FIELDS):
            return
        ids = numpy.array(postings[0::3], dtype=numpy.int32).tobytes()
        weights = numpy.array(postings[1::3], dtype=numpy.float64).tobytes()
        self.index.setdefault(fieldname, {})[btext.hex()] = [self.size, len(postings) // 3]
        self.chunks += [ids, weights]
        self.size += len(ids) + len(weights)

    def write(self, storage, segment) -> None:
        if not self.index:
            return
        data = storage.create_file(segment.make_filename(DATA))
        for chunk in self.chunks:
            data.write(chunk)
        data.close()
        index = storage.create_file(segment.make_filename(INDEX))
        index.write(json.dumps(self.index).encode())
        index.close()


_indexes = Kept(size=_UNREAD)  # segment_key -> its side index


def segment_key(reader) -> tuple:
    """What tells a segment apart in a process's caches: its index's folder and its id. The id alone is a random name,
    and two indexes (a test's after another's, with `random` seeded alike) may draw the same one."""
    storage = reader._storage
    folder = getattr(storage, "folder", None) or getattr(getattr(storage, "b", None), "folder", None)
    return (folder if folder is not None else id(storage), reader._segid)


def _index(reader) -> dict:
    """The segment's side index (field -> term -> [offset, count]); empty where it has none."""
    key = segment_key(reader)
    found = _indexes.get(key)
    if found is None:
        storage, segment = reader._storage, reader._segment
        name = segment.make_filename(INDEX)
        found = {}
        if not segment.is_compound() and storage.file_exists(name):
            with storage.open_file(name) as file:
                found = json.loads(file.read())
        _indexes[key] = found
    return found


def read(reader, fieldname: str, text: str):
    """(documents int64, weights float64) of a word in one segment from its side file, or None where it has none."""
    fields = _index(reader).get(fieldname)
    entry = fields.get(text.encode("utf-8").hex()) if fields and isinstance(text, str) else None
    if entry is None:
        return None
    offset, count = entry
    with reader._storage.open_file(reader._segment.make_filename(DATA)) as file:
        raw = file.get(offset, count * 12)
    ids = numpy.frombuffer(raw, dtype=numpy.int32, count=count).astype(numpy.int64)
    weights = numpy.frombuffer(raw, dtype=numpy.float64, count=count, offset=count * 4)
    return ids, weights
