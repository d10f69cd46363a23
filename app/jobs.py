"""Background jobs: on RQ workers (`flask worker`) where REDIS_URL is set, else in this process.

`enqueue` is called after the commit that asked for the work, so a job always finds its rows. On RQ a job is
retried with backoff (RETRY_INTERVALS; also when its worker was killed mid-job). When Redis cannot be reached the
job runs here instead and the reason is logged: the site keeps working while Redis is down. Jobs whose work is
recorded in the database (the mail outbox, summary builds) lose nothing either way.

`flask worker` serves every queue, mail first, and sends the outbox's due mail every MAIL_SWEEP_SECONDS, so mail
an outage held back leaves without anyone asking. The in-process path imports neither redis nor rq.
"""

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app, has_app_context
from werkzeug.utils import import_string

from app.extensions import db

logger = logging.getLogger(__name__)

MAIL_QUEUE = "kenes-mail"
SUMMARIES_QUEUE = "kenes-summaries"
DEFAULT_QUEUE = "kenes-jobs"
QUEUES = (MAIL_QUEUE, SUMMARIES_QUEUE, DEFAULT_QUEUE)  # the order a worker takes them in
RETRY_INTERVALS = (10, 60, 300, 900)  # seconds before each retry of a failed or abandoned job
_PID = "kenes_jobs_pid"  # the process that created the app and its connection pool
_REDIS = "kenes_jobs_redis"


def init_app(app: Flask) -> None:
    """Remember which process owns the app's connection pool (a forked work horse must open its own)."""
    app.extensions[_PID] = os.getpid()


def redis_connection(app: Flask):
    """Return the app's Redis client (REDIS_URL); it fails fast when Redis is down instead of holding a request."""
    client = app.extensions.get(_REDIS)
    if client is None:
        from redis import Redis

        client = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
        app.extensions[_REDIS] = client
    return client


def to_rq(queue: str, func_path: str, *args, app: Flask | None = None, **options) -> bool:
    """Put func_path(*args) on an RQ queue with retries; False if REDIS_URL is unset or Redis is unreachable."""
    app = app or current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        return False
    from redis.exceptions import RedisError
    from rq import Queue, Retry

    retry = Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS))
    try:
        Queue(queue, connection=redis_connection(app)).enqueue(func_path, *args, retry=retry, **options)
    except RedisError:
        logger.warning("Redis is unreachable: %s runs in this process instead", func_path, exc_info=True)
        return False
    return True


def enqueue(func_path: str, *args, queue: str = DEFAULT_QUEUE, **options) -> None:
    """Run func_path(*args) inside the app on an RQ worker, or now in this process (no REDIS_URL, or Redis down)."""
    if not to_rq(queue, "app.jobs.run", func_path, *args, **options):
        import_string(func_path)(*args)


def run(func_path: str, *args) -> None:
    """The RQ job that `enqueue` queues: call func_path(*args) inside the app (see job_context)."""
    with job_context():
        import_string(func_path)(*args)


@contextmanager
def job_context() -> Iterator[None]:
    """Run a job inside the worker's app context (`flask worker`), with connections of its own, or a fresh app's."""
    if has_app_context():
        if os.getpid() != current_app.extensions.get(_PID):
            # A forked work horse inherits the parent's pooled connections: never share them, open its own.
            # (In the process that made the app there is nothing to drop, and dropping would leak them.)
            db.engine.dispose(close=False)
        yield
        return
    from app import create_app

    with create_app().app_context():
        yield


def _sweep_outbox(app: Flask, stop: threading.Event) -> None:
    from app import outbox

    while not stop.wait(app.config["MAIL_SWEEP_SECONDS"]):
        with app.app_context():
            try:
                outbox.send_due()
            except Exception:
                logger.exception("Could not send the outbox's due mail")
            finally:
                db.session.remove()


def make_worker(app: Flask, simple: bool = False):
    """Return an RQ worker for every Kenes queue (a SimpleWorker runs jobs in this process, without forking)."""
    from rq import Queue, SimpleWorker, Worker

    connection = redis_connection(app)
    worker_class = SimpleWorker if simple else Worker
    return worker_class([Queue(name, connection=connection) for name in QUEUES], connection=connection)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queues are empty.")
def worker_command(burst):
    """Run an RQ worker for background jobs (mail, summary builds) inside the app; needs REDIS_URL."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: background jobs run in the web processes.")
    from app import outbox

    # Mail whose job was lost (Redis down at the time, a worker killed mid-send) is sent from the table.
    outbox.send_due()
    stop = threading.Event()
    if not burst:
        threading.Thread(target=_sweep_outbox, args=(app, stop), name="outbox-sweeper", daemon=True).start()
    try:
        make_worker(app).work(burst=burst, with_scheduler=True)
    finally:
        stop.set()
    if burst:
        outbox.send_due()
