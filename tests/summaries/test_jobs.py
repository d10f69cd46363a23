"""Summary builds as jobs: in a thread with progress, failures recorded, the command line, the progress JSON."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.summaries import builder, jobs
from app.summaries.models import SummaryBuild, SummarySnapshot
from tests.conftest import DEFAULT_PASSWORD
from tests.summaries import corpus
from tests.summaries.loading import insert_comments, make_authors


@pytest.fixture
def commented_law(discussion_law):
    law = discussion_law
    insert_comments(law, law.latest_version, list(corpus.generate(300, seed=2)), make_authors(100))
    db.session.commit()
    return law


@pytest.fixture
def progress_log(monkeypatch):
    """Every progress write of a build, as committed for a polling page."""
    written = []
    original = jobs.set_progress

    def recording(build_id, **values):
        original(build_id, **values)
        written.append(values)

    monkeypatch.setattr(jobs, "set_progress", recording)
    return written


def test_a_build_runs_in_a_thread_after_commit_and_records_progress_and_snapshot(commented_law, progress_log):
    build = jobs.request_build(commented_law, commented_law.latest_version, None)
    build_id = build.id
    assert build.state == "queued"
    assert jobs.wait(build_id, timeout=0)  # nothing runs before the commit
    db.session.commit()

    assert jobs.wait(build_id, timeout=60)
    db.session.expire_all()
    build = db.session.get(SummaryBuild, build_id)
    assert (build.state, build.progress, build.step, build.error) == ("done", 100, "done", None)
    assert build.started_at and build.finished_at and build.finished_at >= build.started_at
    assert build.snapshot.number == 1 and build.snapshot.status == "built"
    assert build.snapshot.data["totals"]["comments"] == 300
    steps = [values.get("step") for values in progress_log]
    assert steps[0] == "starting" and {"loading", "themes"} <= set(steps)
    percents = [values["progress"] for values in progress_log if "progress" in values]
    assert percents == sorted(percents) and max(percents) < 100


def test_a_rolled_back_request_starts_no_build(commented_law):
    build_id = jobs.request_build(commented_law, commented_law.latest_version, None).id
    db.session.rollback()
    db.session.commit()
    assert jobs.wait(build_id, timeout=0)
    assert db.session.get(SummaryBuild, build_id) is None


def test_a_failed_build_stores_the_error_and_no_snapshot(commented_law, monkeypatch):
    def broken(law, version, progress):
        progress("themes", 40)
        raise ValueError("the clustering exploded")

    monkeypatch.setattr(builder, "build_summary", broken)
    build_id = jobs.request_build(commented_law, commented_law.latest_version, None).id
    db.session.commit()
    assert jobs.wait(build_id, timeout=60)

    db.session.expire_all()
    build = db.session.get(SummaryBuild, build_id)
    assert build.state == "failed" and build.step == "failed" and build.finished_at
    assert "ValueError: the clustering exploded" in build.error
    assert build.snapshot_id is None
    assert db.session.scalar(select(func.count()).select_from(SummarySnapshot)) == 0


def test_a_failure_while_saving_leaves_no_half_snapshot(commented_law, monkeypatch):
    from app.summaries import services

    def save_then_fail(law, version, user, data):
        snapshot = original(law, version, user, data)
        db.session.flush()
        raise RuntimeError(f"disk full after snapshot {snapshot.number}")

    original = services.save_snapshot
    monkeypatch.setattr(services, "save_snapshot", save_then_fail)
    build_id = jobs.request_build(commented_law, commented_law.latest_version, None, start=False).id
    db.session.commit()
    build = jobs.run_build(build_id)

    assert build.state == "failed" and "disk full" in build.error
    assert db.session.scalar(select(func.count()).select_from(SummarySnapshot)) == 0


def test_the_command_builds_a_snapshot_and_prints_progress(runner, commented_law):
    result = runner.invoke(args=["summaries", "build", "public-discussion"])
    assert result.exit_code == 0, result.output
    assert "themes" in result.output and "100%" not in result.output.splitlines()[0]
    assert "Snapshot 1 of public-discussion v1: 300 comments" in result.output

    again = runner.invoke(args=["summaries", "build", "public-discussion", "--version", "1"])
    assert "Snapshot 2 of public-discussion v1" in again.output
    assert db.session.scalar(select(func.count()).select_from(SummaryBuild)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-law"], "No draft law with the slug 'no-such-law'"),
        (["public-discussion", "--version", "7"], "no version 7"),
    ],
)
def test_the_command_refuses_unknown_drafts_and_versions(runner, discussion_law, args, message):
    result = runner.invoke(args=["summaries", "build", *args])
    assert result.exit_code != 0 and message in result.output


def test_the_worker_command_needs_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


def _login(client, user):
    response = client.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_the_progress_of_a_build_is_json_for_the_drafts_editors(client, commented_law, create_user, create_agency):
    build_id = jobs.request_build(commented_law, commented_law.latest_version, None, start=False).id
    db.session.commit()
    url = f"/en/summaries/builds/{build_id}"

    assert client.get(url).status_code == 302  # to the login page
    _login(client, create_user(role="editor", agency=create_agency()))
    assert client.get(url).status_code == 403  # another agency's editor
    client.post("/en/auth/logout")
    _login(client, create_user(role="editor", agency=commented_law.agency))
    response = client.get(url)
    assert response.status_code == 200
    assert response.get_json() == {"state": "queued", "progress": 0, "step": "queued", "snapshot": None}
    assert response.headers["Cache-Control"] == "no-store"

    jobs.run_build(build_id)
    assert client.get(url).get_json() == {"state": "done", "progress": 100, "step": "done", "snapshot": 1}
    assert client.get("/en/summaries/builds/999999").status_code == 404


def test_with_redis_the_build_goes_to_the_rq_queue_and_the_worker_runs_it(app, commented_law, monkeypatch):
    import rq

    enqueued = []

    class FakeQueue:
        def __init__(self, name, connection):
            self.name = name

        def enqueue(self, function, *args, **kwargs):
            enqueued.append((self.name, function, args))

    monkeypatch.setattr(rq, "Queue", FakeQueue)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6399/0")
    build_id = jobs.request_build(commented_law, commented_law.latest_version, None).id
    db.session.commit()

    assert enqueued == [("kenes-summaries", "app.summaries.jobs.rq_run", (build_id,))]
    assert jobs.wait(build_id, timeout=0)  # no thread of this process runs it
    jobs.rq_run(build_id)  # what the worker calls, inside `flask worker`'s app context
    db.session.expire_all()
    assert db.session.get(SummaryBuild, build_id).state == "done"
