"""Index changes: queued in the data's own transaction, applied after commit by one writer at a time.

A failure here is logged and retried later; it never reaches the request that changed the data.
"""

import fcntl
import logging
import os
import threading
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, func, select

from app.db import write_transaction
from app.extensions import db
from app.search import documents
from app.search.backend import SearchUnavailableError
from app.search.models import SearchQueueEntry

logger = logging.getLogger(__name__)

BATCH = 500


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


def drain(blocking: bool = False) -> int:
    """Apply every queued change; return how many documents were written (0 if another process is at it)."""
    from app.search import get_backend

    lock = writer_lock()
    if not lock.acquire(blocking=blocking):
        return 0
    done = 0
    try:
        backend = get_backend()
        while True:
            rows = db.session.execute(
                select(SearchQueueEntry.id, SearchQueueEntry.doc_id).order_by(SearchQueueEntry.id).limit(BATCH)
            ).all()
            if not rows:
                break
            doc_ids = list(dict.fromkeys(doc_id for _, doc_id in rows))
            built = documents.load(doc_ids)
            upserts = [doc for doc in built.values() if doc is not None]
            deletes = [doc_id for doc_id, doc in built.items() if doc is None]
            db.session.rollback()  # end the read before the (slow) index write: don't hold a snapshot open
            backend.apply(upserts, deletes)
            with write_transaction():  # a write after the reads above: take SQLite's lock up front
                db.session.execute(
                    delete(SearchQueueEntry).where(SearchQueueEntry.id.in_([row_id for row_id, _ in rows]))
                )
                db.session.commit()
            done += len(doc_ids)
    except SearchUnavailableError as error:
        db.session.rollback()
        logger.warning("Search index not available, %s change(s) stay queued: %s", queued(), error)
    except Exception:
        db.session.rollback()
        logger.exception("Applying search changes failed; they stay queued")
    finally:
        lock.release()
    return done


def queued() -> int:
    return db.session.scalar(select(func.count(SearchQueueEntry.id))) or 0


class BackgroundWriter:
    """One thread per process that drains the queue soon after a commit, off the request's path."""

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
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

    def _run(self) -> None:
        while True:
            self.wake.wait(timeout=5)
            self.wake.clear()
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
