"""Summary builds as background jobs: a thread in this process, or an RQ worker (`flask worker`) where REDIS_URL is set.

`request_build` adds a queued SummaryBuild to the caller's transaction; the job starts only after that transaction
commits (an after_commit hook, installed by init_app), so a rolled-back request starts nothing and the job always
finds its row. `run_build` does the work wherever it runs:
- progress (state, percent, step) is written in its own short transaction each time, so a page can poll it while
  the build is still reading and computing;
- the comments are read in one read transaction, which ends before anything is written; the snapshot and the
  build's "done" are then written together in one write transaction, so no reader ever sees a half snapshot;
- any failure rolls back whatever the build wrote and records the error on the build (state 'failed').

The in-process path imports neither redis nor rq.
"""

import logging
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from app import jobs
from app.db import utcnow, write_transaction
from app.extensions import db
from app.summaries.models import BuildState, SummaryBuild

logger = logging.getLogger(__name__)

QUEUE = jobs.SUMMARIES_QUEUE
JOB_TIMEOUT = 30 * 60  # seconds an RQ worker lets one build run
ERROR_CHARS = 4000
_PENDING = "kenes_summary_builds"
_THREADS = "kenes_summary_threads"


def request_build(law, version, user, start: bool = True) -> SummaryBuild:
    """Queue a summary build of a version; it starts once the caller's transaction commits. Flushes, never commits.

    With start=False nothing starts it: the caller runs it (`flask summaries build` does, in the foreground).
    """
    from app.summaries.services import check_version

    check_version(law, version)
    build = SummaryBuild(
        law_id=law.id, version_id=version.id, state=BuildState.QUEUED.value, created_by_id=getattr(user, "id", None)
    )
    db.session.add(build)
    db.session.flush()
    if start:
        db.session.info.setdefault(_PENDING, []).append(build.id)
    return build


def _after_commit(session) -> None:
    if session.in_nested_transaction() or not session.info.get(_PENDING):
        return
    build_ids = session.info.pop(_PENDING)
    if not has_app_context():
        logger.error("summary builds %s committed outside an app context: not started", build_ids)
        return
    # The app of whoever committed (a request, a command): listeners are installed once, for every app.
    app = current_app._get_current_object()
    for build_id in build_ids:
        launch(app, build_id)


def _after_soft_rollback(session, _previous_transaction) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def init_app(app: Flask) -> None:
    """Start queued builds after the transaction that queued them commits; forget them if it rolls back."""
    # On the Session class, once per process: a listener per app would start each build once per app created.
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)


def launch(app: Flask, build_id: int) -> None:
    """Hand a committed, queued build to RQ (REDIS_URL set and Redis up) or to a thread of this process."""
    description = f"summary build {build_id}"
    if jobs.to_rq(
        QUEUE, "app.summaries.jobs.rq_run", build_id, app=app, job_timeout=JOB_TIMEOUT, description=description
    ):
        logger.info("summary build %s queued on RQ", build_id)
        return
    name = f"summary-build-{build_id}"
    thread = threading.Thread(target=_run_in_thread, args=(app, build_id), name=name, daemon=True)
    app.extensions.setdefault(_THREADS, {})[build_id] = thread
    thread.start()


def wait(build_id: int, timeout: float | None = None, app: Flask | None = None) -> bool:
    """Wait for an in-process build's thread to end; True if it ended (or never ran here)."""
    thread = (app or current_app).extensions.get(_THREADS, {}).get(build_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


def _run_in_thread(app: Flask, build_id: int) -> None:
    with app.app_context():
        try:
            run_build(build_id)
        finally:
            db.session.remove()
            app.extensions.get(_THREADS, {}).pop(build_id, None)


def rq_run(build_id: int) -> None:
    """The RQ job: run a build inside the worker's app context (`flask worker`), or a fresh app's."""
    with jobs.job_context():
        run_build(build_id)


def set_progress(build_id: int, **values) -> None:
    """Write a build's state/progress/step/error in a short transaction of its own (a page may be polling)."""
    with write_transaction(), Session(db.engine) as session:
        session.execute(update(SummaryBuild).where(SummaryBuild.id == build_id).values(**values))
        session.commit()


def run_build(build_id: int, echo=None) -> SummaryBuild | None:
    """Build the snapshot of a queued build, recording progress, and the snapshot or the error; return the build."""
    from app.summaries.builder import build_summary
    from app.summaries.services import save_snapshot

    build = db.session.get(SummaryBuild, build_id)
    if build is None or build.state != BuildState.QUEUED:
        logger.warning("summary build %s is not queued (%s); not run", build_id, build and build.state)
        return build
    db.session.rollback()  # end the read; the progress rows are written by other connections
    set_progress(build_id, state=BuildState.RUNNING.value, started_at=utcnow(), progress=1, step="starting")
    last = {"step": "starting", "percent": 1}

    def progress(step: str, percent: int) -> None:
        # A row per step or per 5%: a few dozen short writes per build, never one per unit.
        if step != last["step"] or percent >= last["percent"] + 5:
            last.update(step=step, percent=percent)
            set_progress(build_id, progress=min(max(percent, 0), 99), step=step)
        if echo:
            echo(step, percent)

    try:
        build = db.session.get(SummaryBuild, build_id)
        data = build_summary(build.law, build.version, progress)
        db.session.rollback()  # the read transaction ends before the write lock is taken
        with write_transaction():
            build = db.session.get(SummaryBuild, build_id)
            snapshot = save_snapshot(build.law, build.version, build.created_by, data)
            db.session.flush()
            build.state, build.progress, build.step = BuildState.DONE.value, 100, "done"
            build.finished_at, build.snapshot_id = utcnow(), snapshot.id
            db.session.commit()
    except Exception as error:
        db.session.rollback()
        logger.exception("summary build %s failed", build_id)
        message = f"{type(error).__name__}: {error}"[:ERROR_CHARS]
        set_progress(build_id, state=BuildState.FAILED.value, step="failed", error=message, finished_at=utcnow())
        if echo:
            echo("failed", 100)
    return db.session.get(SummaryBuild, build_id)
