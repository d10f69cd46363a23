"""The PostgreSQL backend's queue with several writers (hosts) on one database: each change once, the newest wins."""

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db
from app.search import documents, queue
from tests.search.test_queue import assert_index_matches_the_database, commit_elsewhere, found


@pytest.fixture
def app_config(pg_database_url, tmp_path) -> dict:
    """Always PostgreSQL with its own backend, even when the suite runs on SQLite (see `pg_database_url`)."""
    return {
        "SQLALCHEMY_DATABASE_URI": pg_database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "SEARCH_BACKEND": "postgres",
    }


def start_drain(app, name: str, results: dict, barrier: threading.Barrier | None = None) -> threading.Thread:
    """A drain in a thread of its own, with its own session and connection, as on another host."""

    def run():
        with app.app_context():
            try:
                if barrier:
                    barrier.wait(30)
                results[name] = queue.drain()
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def test_two_drains_at_once_apply_every_change_once_and_in_order(app, article, create_comment, monkeypatch):
    queue.reindex()
    comment_ids = [create_comment(article, body=f"Первый вариант замечания {n}.").id for n in range(10)]
    for word in ("Второй", "Третий"):
        for comment_id in comment_ids:
            commit_elsewhere(comment_id, f"{word} вариант замечания {comment_id}.")
    queued_rows = queue.pending_ids()
    db.session.rollback()
    monkeypatch.setattr(queue, "BATCH", 4)
    taken: dict[str, list[int]] = {}
    forget, load = queue.forget, documents.load

    def noting(row_ids):
        taken.setdefault(threading.current_thread().name, []).extend(row_ids)
        forget(row_ids)

    def slow(doc_ids):
        time.sleep(0.05)  # a batch takes a while, so the other writer takes the next rows meanwhile
        return load(doc_ids)

    monkeypatch.setattr(queue, "forget", noting)
    monkeypatch.setattr(documents, "load", slow)
    results: dict[str, int] = {}
    barrier = threading.Barrier(2)
    threads = [start_drain(app, name, results, barrier) for name in ("host-a", "host-b")]
    for thread in threads:
        thread.join(60)
    assert set(results) == {"host-a", "host-b"}
    assert taken.get("host-a") and taken.get("host-b"), taken  # both worked, side by side
    assert sorted(taken["host-a"] + taken["host-b"]) == sorted(queued_rows)  # every row once
    assert_index_matches_the_database()  # and the last change of each comment is the one indexed
    assert len(found("Третий")) == 10 and found("Второй") == set()


def test_the_newer_copy_wins_when_two_drains_race(app, article, create_comment, monkeypatch):
    queue.reindex()
    comment_id = create_comment(article, body="Предлагаю сократить срок рассмотрения.").id
    db.session.rollback()
    paused, resume = threading.Event(), threading.Event()
    load = documents.load

    def pausing(doc_ids):
        built = load(doc_ids)
        if threading.current_thread().name == "older":
            paused.set()  # holds the old text, not yet written
            resume.wait(30)
        return built

    monkeypatch.setattr(documents, "load", pausing)
    results: dict[str, int] = {}
    older = start_drain(app, "older", results)
    assert paused.wait(30)
    commit_elsewhere(comment_id, "Предлагаю продлить срок жалобы.")
    newer = start_drain(app, "newer", results)
    # The newer drain takes the new queue row (the older one's is locked) and waits for the comment itself.
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as conn:
            waiting = 0
            for _ in range(300):
                waiting = conn.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))
                if waiting:
                    break
                time.sleep(0.1)
    finally:
        engine.dispose()
    resume.set()
    older.join(30)
    newer.join(30)
    assert results == {"older": 1, "newer": 1}
    assert_index_matches_the_database()  # not the older copy, written last
    assert found("продлить") == {f"comment:{comment_id}"}
    assert waiting, "the second writer did not wait for the first one's hold on the comment"


def test_a_drain_during_a_reindex_leaves_its_rows_to_it(app, article, create_comment, monkeypatch):
    comment_id = create_comment(article, body="Предлагаю сократить срок рассмотрения.").id
    db.session.rollback()
    original = documents.all_documents
    results: dict[str, int] = {}

    def reading(*args, **kwargs):
        yield from original(*args, **kwargs)
        monkeypatch.undo()  # once (the check below reads every document again)
        commit_elsewhere(comment_id, "Предлагаю продлить срок жалобы.")
        start_drain(app, "during", results).join(30)  # another host's writer, while the rebuild is uncommitted

    monkeypatch.setattr(documents, "all_documents", reading)
    queue.reindex()
    assert results == {"during": 0}
    assert_index_matches_the_database()
    assert found("продлить") == {f"comment:{comment_id}"}
