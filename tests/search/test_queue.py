"""The index queue on either engine: a change committed while the writer or a reindex is at work is not lost."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.extensions import db
from app.search import documents, queue
from app.search.backend import Filters
from app.search.cli import compare
from app.search.models import SearchQueueEntry
from app.search.services import search


def commit_elsewhere(comment_id: int, body: str, session: Session | None = None) -> None:
    """Change a comment's text as another process would: its own connection, its queue row in the same commit."""
    other = session or Session(db.engine)
    try:
        other.execute(update(Comment).where(Comment.id == comment_id).values(body=body))
        other.add(SearchQueueEntry(doc_id=f"comment:{comment_id}"))
        other.commit()
    finally:
        other.close()


def found(word: str) -> set[str]:
    return {result.doc_id for result in search(word, Filters(type="comment")).groups["comment"]}


def assert_index_matches_the_database() -> None:
    db.session.rollback()
    report = compare()
    assert report.clean, report
    assert queue.queued() == 0


def test_a_change_committed_during_a_reindex_is_in_the_index_afterwards(app, article, create_comment, monkeypatch):
    comment_id = create_comment(article, body="Предлагаю сократить срок рассмотрения.").id
    other_id = create_comment(article, body="Поддерживаю статью.").id
    late = Session(db.engine)
    if db.engine.dialect.name == "postgresql":
        # Ids are handed out at insert, not at commit: this change takes its queue id now, commits last, and a
        # later id commits first. "Delete up to the highest id seen" would drop it.
        late.execute(update(Comment).where(Comment.id == comment_id).values(body="Предлагаю продлить срок жалобы."))
        late.add(SearchQueueEntry(doc_id=f"comment:{comment_id}"))
        late.flush()
        commit_elsewhere(other_id, "Поддерживаю статью полностью.")
    original = documents.all_documents

    def reading(*args, **kwargs):
        yield from original(*args, **kwargs)
        monkeypatch.undo()  # once (the check below reads every document again)
        # The reindex has read every document (the old text): now the change commits, before the rebuild ends.
        if late.in_transaction():
            late.commit()
            late.close()
        else:
            commit_elsewhere(comment_id, "Предлагаю продлить срок жалобы.", late)

    monkeypatch.setattr(documents, "all_documents", reading)
    assert queue.reindex() >= 1
    assert_index_matches_the_database()
    assert found("продлить") == {f"comment:{comment_id}"}
    assert found("сократить") == set()


def test_a_change_committed_while_the_writer_works_is_applied_after(app, article, create_comment, monkeypatch, sync):
    queue.reindex()
    comment_id = create_comment(article, body="Предлагаю сократить срок рассмотрения.").id
    original = documents.load
    changed = []

    def load(doc_ids):
        built = original(doc_ids)
        if not changed:  # the writer holds the old text; a newer one commits before it deletes its queue rows
            commit_elsewhere(comment_id, "Предлагаю продлить срок жалобы.")
            changed.append(comment_id)
        return built

    monkeypatch.setattr(documents, "load", load)
    sync()
    assert changed
    assert_index_matches_the_database()
    assert found("продлить") == {f"comment:{comment_id}"}
