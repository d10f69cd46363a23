"""Index changes: queued in the data's own transaction, applied after commit; no change lost or applied out of order.

Whoosh (one host by design): one writer at a time per host (an flock), which reads the queue and the documents,
writes the index, then deletes exactly the queue rows it read. A change committed after those reads has a row
of its own, which stays for the next run.

PostgreSQL backend (any number of hosts on one database): the documents live in that database, so one
transaction takes a batch of queue rows (FOR UPDATE SKIP LOCKED: other processes take the next rows, never the
same), locks each document it names (advisory locks, in key order, so two batches naming one document write it
one after the other, each reading it only once it holds it), reads, writes, and deletes its rows. Whoever writes
a document last read it last, so the newer copy wins; a failure rolls everything back and the rows stay queued.

Reindex: it notes the ids queued before it reads anything and deletes only those, so a change committed while
it reads (whether it saw it or not) stays queued and is applied afterwards. On PostgreSQL it holds an advisory
lock that drains share: they wait for it or leave their rows for it.

A failure here is logged and retried later; it never reaches the request that changed the data.
"""

import fcntl
import logging
import os
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, func, select, text

from app.db import write_transaction
from app.extensions import db
from app.search import documents
from app.search.backend import Backend, SearchUnavailableError
from app.search.models import SearchQueueEntry

logger = logging.getLogger(__name__)

BATCH = 500
# PostgreSQL advisory lock keys (two int4): (LOCK_SPACE, 0) is the reindex lock, drains hold it shared;
# (DOCUMENT_SPACE, crc32 of a doc_id) serialises the writes of one document.
LOCK_SPACE = 0x4B6E0001
DOCUMENT_SPACE = 0x4B6E0002
_LOCK_DOCUMENTS = text(
    # unnest keeps the array's order, so the locks are taken in sorted key order: two batches never deadlock.
    "SELECT count(pg_advisory_xact_lock(:space, key)) FROM unnest(CAST(:keys AS integer[])) AS keys(key)"
)


def enqueue(*doc_ids: str) -> None:
    """Note documents to re-index; the rows commit or roll back with the change that caused them."""
    for doc_id in doc_ids:
        db.session.add(SearchQueueEntry(doc_id=doc_id))
    if doc_ids:
        db.session.info["kenes_search_dirty"] = True


class WriterLock:
    """An exclusive, non-blocking lock shared by every process on this host (flock on a file)."""

    def __init__(self, path: Path):
        self.path = path
        self._handle = None

    def acquire(self, blocking: bool = False) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def writer_lock(app: Flask | None = None) -> WriterLock:
    app = app or current_app
    return WriterLock(Path(app.config["SEARCH_INDEX_DIR"]).with_suffix(".lock"))


def in_database(backend: Backend) -> bool:
    """Tell whether the index lives in the database itself (the PostgreSQL backend)."""
    return backend.name == "postgres"


def drain(blocking: bool = False) -> int:
    """Apply every queued change; return how many documents were written (0 if another writer is at it)."""
    from app.search import get_backend

    backend = get_backend()
    if in_database(backend):
        return _batches(lambda: _database_batch(backend, blocking))
    lock = writer_lock()
    if not lock.acquire(blocking=blocking):
        return 0
    try:
        return _batches(lambda: _index_batch(backend))
    finally:
        lock.release()


def _batches(batch: Callable[[], int | None]) -> int:
    """Run batches until one finds nothing to do; a failure leaves the rest queued."""
    done = 0
    try:
        while (count := batch()) is not None:
            done += count
    except SearchUnavailableError as error:
        db.session.rollback()
        logger.warning("Search index not available, %s change(s) stay queued: %s", queued(), error)
    except Exception:
        db.session.rollback()
        logger.exception("Applying search changes failed; they stay queued")
    return done


def _index_batch(backend: Backend) -> int | None:
    """One batch into an index outside the database (the caller holds the writer lock)."""
    rows = db.session.execute(
        select(SearchQueueEntry.id, SearchQueueEntry.doc_id).order_by(SearchQueueEntry.id).limit(BATCH)
    ).all()
    if not rows:
        db.session.rollback()
        return None
    doc_ids = list(dict.fromkeys(doc_id for _, doc_id in rows))
    built = documents.load(doc_ids)  # read after the rows: at least as new as every change they stand for
    db.session.rollback()  # end the read before the (slow) index write: don't hold a snapshot open
    backend.apply([doc for doc in built.values() if doc is not None], [i for i, doc in built.items() if doc is None])
    with write_transaction():  # a write after the reads above: take SQLite's lock up front
        forget([row_id for row_id, _ in rows])
        db.session.commit()
    return len(doc_ids)


def _database_batch(backend: Backend, blocking: bool) -> int | None:
    """One batch into the database's own index, in one transaction; other processes run theirs beside it."""
    # Shared with other drains, exclusive to a reindex: without it, skip (the reindex applies what it leaves).
    lock = func.pg_advisory_xact_lock_shared if blocking else func.pg_try_advisory_xact_lock_shared
    if db.session.scalar(select(lock(LOCK_SPACE, 0))) is False:
        db.session.rollback()
        return None
    rows = db.session.execute(
        select(SearchQueueEntry.id, SearchQueueEntry.doc_id)
        .order_by(SearchQueueEntry.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        db.session.commit()
        return None
    doc_ids = list(dict.fromkeys(doc_id for _, doc_id in rows))
    keys = sorted({document_key(doc_id) for doc_id in doc_ids})
    db.session.execute(_LOCK_DOCUMENTS, {"space": DOCUMENT_SPACE, "keys": keys})
    # READ COMMITTED (PostgreSQL's default): this read sees every change committed before the locks were ours,
    # so a batch that waited for another's write of a document reads that document anew.
    built = documents.load(doc_ids)
    backend.apply([doc for doc in built.values() if doc is not None], [i for i, doc in built.items() if doc is None])
    forget([row_id for row_id, _ in rows])
    db.session.commit()
    return len(doc_ids)


def document_key(doc_id: str) -> int:
    """The second advisory lock key of a document (an int4; a collision only makes two documents wait)."""
    return zlib.crc32(doc_id.encode()) - 2**31


def pending_ids() -> list[int]:
    """The ids of the queue rows committed so far."""
    return list(db.session.scalars(select(SearchQueueEntry.id)))


def forget(row_ids: list[int]) -> None:
    """Delete exactly these queue rows (never "up to an id": ids are not handed out in commit order)."""
    for start in range(0, len(row_ids), BATCH):
        db.session.execute(delete(SearchQueueEntry).where(SearchQueueEntry.id.in_(row_ids[start : start + BATCH])))


def reindex() -> int:
    """Rebuild the index from the database, then apply the changes committed meanwhile; return the count built."""
    from app.search import get_backend

    backend = get_backend()
    if in_database(backend):
        # One transaction: the old rows stay readable until it commits, and drains wait for it or skip.
        db.session.rollback()
        db.session.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, 0)))
        seen = pending_ids()
        count = backend.rebuild(documents.all_documents())
        forget(seen)
        db.session.commit()
    else:
        lock = writer_lock()
        lock.acquire(blocking=True)
        try:
            seen = pending_ids()
            db.session.rollback()  # a read only: the rebuild reads afterwards, in short transactions of its own
            count = backend.rebuild(documents.all_documents(short_reads=True))
            db.session.rollback()
            with write_transaction():
                forget(seen)
                db.session.commit()
        finally:
            lock.release()
    drain(blocking=True)
    return count


def queued() -> int:
    return db.session.scalar(select(func.count(SearchQueueEntry.id))) or 0


class BackgroundWriter:
    """One thread per process that drains the queue soon after a commit, off the request's path."""

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive() and self.pid == os.getpid()

    def poke(self) -> None:
        if not self.running:
            self.pid = os.getpid()  # a forked worker needs its own thread
            self.thread = threading.Thread(target=self._run, name="kenes-search-writer", daemon=True)
            self.thread.start()
        self.wake.set()

    def stop(self, timeout: float = 10) -> None:
        """End the thread after its current batch (an app that is discarded, as each test's is)."""
        if self.running:
            self.stopping.set()
            self.wake.set()
            self.thread.join(timeout)

    def _run(self) -> None:
        while True:
            self.wake.wait(timeout=5)
            self.wake.clear()
            if self.stopping.is_set():
                return
            with self.app.app_context():
                try:
                    # Another process may hold the lock; it drains what we queued before it lets go,
                    # except rows committed just after its last look, which the 5-second tick picks up.
                    if queued():
                        drain()
                except Exception:
                    logger.exception("Search writer thread")
                finally:
                    db.session.remove()
