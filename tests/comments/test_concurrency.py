"""Parallel requests: identical votes count once, identical posts create one comment, posts wait only to write."""

import sqlite3
import threading

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.comments.models import Comment, Vote
from app.comments.signals import comment_preparing
from app.comments.views import stance_counts
from app.extensions import db
from app.moderation.models import Campaign, CommentFingerprint
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


def test_other_workers_can_write_while_a_posted_comment_is_checked_and_screened(app, article, create_user):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock; PostgreSQL locks rows")
    author, other_id = create_user(), create_user().id
    (browser,) = logged_in_clients(app, author, 1)
    url = f"/en/laws/{article.version.law.slug}/sections/{article.id}/comments"
    wrote = []

    def another_worker_writes(comment, **_extra):
        # Another worker's write, with no patience: it fails at once if the post already holds the write lock.
        conn = sqlite3.connect(db.engine.url.database, timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE users SET display_name = 'Renamed meanwhile' WHERE id = ?", (other_id,))
            conn.execute("COMMIT")
            wrote.append(comment.body)
        finally:
            conn.close()

    db.session.remove()
    with comment_preparing.connected_to(another_worker_writes):
        response = browser.post(url, data={"stance": "support", "body": "Срок надо продлить.", "client_token": "t1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"#c{db.session.scalar(select(Comment.id))}"
    )
    assert wrote == ["Срок надо продлить."]
    assert db.session.get(User, other_id).display_name == "Renamed meanwhile"


CAMPAIGN_TEXT = (
    "Требуем продлить срок публичного обсуждения до шестидесяти календарных дней и проводить слушания в каждом "
    "районном центре, а не только в столице. Письмо подписал житель номер {n}."
)


def test_a_campaign_posted_at_once_from_many_accounts_is_one_group_and_each_copy_counts_once(app, article, create_user):
    # Published at once, so that the counts on the page show what was posted.
    app.config["PREMODERATION"] = False
    authors = [create_user() for _ in range(12)]
    clients = [logged_in_clients(app, author, 1)[0] for author in authors]
    url = f"/en/laws/{article.version.law.slug}/sections/{article.id}/comments"
    db.session.remove()
    numbers = iter(range(len(clients)))
    lock = threading.Lock()

    def post(client):
        with lock:
            n = next(numbers)
        data = {"stance": "oppose", "body": CAMPAIGN_TEXT.format(n=n), "client_token": f"copy-{n}"}
        return client.post(url, data=data)

    statuses = run_parallel(clients, post)
    assert statuses == [302] * 12
    db.session.expire_all()
    comment_ids = set(db.session.scalars(select(Comment.id)))
    assert len(comment_ids) == 12
    (campaign,) = db.session.scalars(select(Campaign)).all()
    assert campaign.size == 12 and campaign.is_campaign
    members = db.session.scalars(
        select(CommentFingerprint.comment_id).where(CommentFingerprint.campaign_id == campaign.id)
    )
    assert set(members) == comment_ids
    page = clients[0].get(f"/en/laws/{article.version.law.slug}/sections/{article.id}/").get_data(as_text=True)
    assert stance_counts(article.id) == {"support": 0, "oppose": 12, "neutral": 0, "amend": 0}
    assert page.count("Письмо подписал житель номер") == 12


def test_two_copies_posted_at_once_on_postgresql_find_each_other(app, article, create_user, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's concurrent transactions; SQLite's writers take turns by its one write lock")
    import app.moderation.campaigns as campaigns

    first_looked, second_done = threading.Event(), threading.Event()
    real_look_alikes = campaigns.look_alikes

    def look_alikes(*args):
        # The first copy has looked for look-alikes and not committed yet when the second one looks for its own.
        found = real_look_alikes(*args)
        if not first_looked.is_set():
            first_looked.set()
            second_done.wait(2)  # the second copy would post meanwhile, were it not made to wait for the first
        return found

    monkeypatch.setattr(campaigns, "look_alikes", look_alikes)
    (first, second) = [logged_in_clients(app, create_user(), 1)[0] for _ in range(2)]
    url = f"/en/laws/{article.version.law.slug}/sections/{article.id}/comments"
    db.session.remove()
    statuses = []

    def post_first():
        data = {"stance": "oppose", "body": CAMPAIGN_TEXT.format(n=1), "client_token": "first"}
        statuses.append(first.post(url, data=data).status_code)

    thread = threading.Thread(target=post_first)
    thread.start()
    assert first_looked.wait(10)
    data = {"stance": "oppose", "body": CAMPAIGN_TEXT.format(n=2), "client_token": "second"}
    statuses.append(second.post(url, data=data).status_code)
    second_done.set()
    thread.join(10)
    assert statuses == [302, 302]
    db.session.expire_all()
    groups = db.session.scalars(select(CommentFingerprint.campaign_id)).all()
    assert len(groups) == 2 and groups[0] is not None and groups[0] == groups[1]
