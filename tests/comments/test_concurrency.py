"""Parallel requests: identical votes count once, identical posts create one comment."""

import threading

from sqlalchemy import func, select

from app.comments.models import Comment, Vote
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD


def logged_in_clients(app, user, n: int):
    clients = []
    for _ in range(n):
        client = app.test_client()
        response = client.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    return clients


def run_parallel(clients, send) -> list[int]:
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(client):
        barrier.wait()
        status = send(client).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return statuses


def test_twenty_parallel_identical_votes_count_once(app, article, create_comment, create_user):
    comment = create_comment(article)
    voter = create_user()
    clients = logged_in_clients(app, voter, 20)
    url = f"/en/comments/{comment.id}/vote"
    db.session.remove()  # the threads are the only ones using the database now
    statuses = run_parallel(clients, lambda c: c.post(url, data={"value": "1"}))
    assert all(status == 302 for status in statuses), statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Vote.id)).where(Vote.comment_id == comment.id)) == 1
    assert db.session.scalar(select(Comment.agree_count)) == 1


def test_parallel_retries_of_one_form_create_one_comment(app, article, create_user):
    author = create_user()
    clients = logged_in_clients(app, author, 10)
    data = {"stance": "support", "body": "Одна и та же форма.", "client_token": "same-form"}
    url = f"/en/laws/{article.version.law.slug}/sections/{article.id}/comments"
    db.session.remove()
    statuses = run_parallel(clients, lambda c: c.post(url, data=data))
    assert all(status == 302 for status in statuses), statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Comment.id))) == 1
