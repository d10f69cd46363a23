"""Background jobs on RQ (Redis db 14, emptied around each test), and the site without Redis."""

import socket

import pytest
from sqlalchemy import func, select

from app import jobs
from app.comments.models import Comment
from app.extensions import db
from app.mail import outbox, queue_mail
from app.outbox import OutboxMail
from app.summaries import jobs as summary_jobs
from app.summaries.models import SummaryBuild

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def with_redis(app_config):
    """REDIS_URL pointing at an empty Redis database 14 (skipped where no Redis answers)."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.flushdb()
    except RedisConnectionError as error:
        pytest.skip(f"needs Redis at {REDIS_URL}: {error}")
    app_config["REDIS_URL"] = REDIS_URL
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def redis_down(app_config):
    """REDIS_URL pointing at a port where nothing listens, as when Redis is stopped."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app_config["REDIS_URL"] = f"redis://127.0.0.1:{port}/14"


def test_with_redis_mail_waits_for_the_worker_which_sends_it(with_redis, app, runner):
    from rq import Queue

    queue_mail("a@example.kz", "Subject", "Body")
    db.session.commit()
    assert outbox() == []  # not sent by the process that committed
    assert Queue(jobs.MAIL_QUEUE, connection=with_redis).count == 1

    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    db.session.commit()  # a fresh read: the worker's job wrote through its own connection
    (row,) = db.session.scalars(select(OutboxMail))
    assert row.sent_at is not None and row.attempts == 1
    assert Queue(jobs.MAIL_QUEUE, connection=with_redis).count == 0


def test_the_worker_sends_mail_whose_job_never_reached_redis(with_redis, app, runner):
    db.session.add(OutboxMail(to="a@example.kz", subject="Subject", body="Body"))  # written while Redis was down
    db.session.commit()
    assert runner.invoke(args=["worker", "--burst"]).exit_code == 0
    assert [message.to for message in outbox()] == ["a@example.kz"]


def test_jobs_are_enqueued_with_retries_and_run_on_a_worker(with_redis, app):
    from rq import Queue

    jobs.enqueue("app.mail.send_mail", "b@example.kz", "Subject", "Body")
    (job,) = Queue(jobs.DEFAULT_QUEUE, connection=with_redis).get_jobs()
    assert (job.func_name, job.args[0]) == ("app.jobs.run", "app.mail.send_mail")
    assert job.retries_left == len(jobs.RETRY_INTERVALS)
    assert outbox() == []
    jobs.make_worker(app, simple=True).work(burst=True)
    assert [message.to for message in outbox()] == ["b@example.kz"]


def test_while_redis_is_down_comments_are_posted_and_their_mail_is_sent(
    redis_down, app, client, auth, article, create_comment, create_user
):
    app.config["PREMODERATION"] = False
    parent = create_comment(article)
    outbox().clear()
    auth.login(create_user())
    url = f"/en/laws/{article.version.law.slug}/sections/{article.id}/comments"
    form = {"parent_id": str(parent.id), "body": "Согласен с вами.", "client_token": "retried"}
    assert client.post(url, data=form).status_code == 302
    assert client.post(url, data=form).status_code == 302  # the same form sent again: no second reply
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.parent_id == parent.id)) == 1
    assert [message.to for message in outbox()] == [parent.author.email]
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None))) == 0


def test_while_redis_is_down_a_summary_build_runs_in_this_process(redis_down, app, create_comment, article):
    create_comment(article)
    law = article.version.law
    build_id = summary_jobs.request_build(law, law.latest_version, None).id
    db.session.commit()
    assert summary_jobs.wait(build_id, timeout=60)
    db.session.commit()
    assert db.session.get(SummaryBuild, build_id).state == "done"
