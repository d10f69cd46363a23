"""No route, form, API call or command can change a submitted summary; every service that writes refuses to.

The routes are found, not listed: every endpoint of the app whose name mentions summaries, and every parliament
endpoint, is sent every method as the agency's editor, an admin and an MP, with data that would change the
snapshot. The stored row must stay byte for byte what was submitted.
"""

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.summaries import jobs
from app.summaries.models import SummarySnapshot
from app.summaries.review import edit_key, edit_snapshot, editable_parts, hash_matches, submit_snapshot
from app.summaries.services import SnapshotSubmittedError, create_snapshot
from tests.conftest import AuthActions
from tests.summaries.workspace import comment_on

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
COLUMNS = "number, status, data, introduction, edits, content_hash, submitted_at, submitted_by_id, committee_id"


def stored(snapshot_id: int) -> tuple:
    """The row as the database holds it (JSON as its stored text), read past the ORM."""
    db.session.commit()  # end the test's transaction so the read sees what the requests committed
    row = db.session.execute(
        text(f"SELECT {COLUMNS} FROM summary_snapshots WHERE id = :id"),  # noqa: S608 (constant columns)
        {"id": snapshot_id},
    ).one()
    db.session.commit()
    return tuple(row)


def summary_endpoints(app) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "summar" in rule.endpoint or rule.endpoint.startswith("parl")),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


@pytest.fixture
def frozen(discussion_law, create_committee, create_user):
    """A submitted snapshot (built by a build job, so its build has an id too), with an introduction and an edit."""
    law = discussion_law
    law.committee = create_committee()
    db.session.commit()
    comment_on(law, n=60)
    editor = create_user(role="editor", agency_id=law.agency_id)
    build_id = jobs.request_build(law, law.latest_version, editor, start=False).id
    db.session.commit()
    snapshot = jobs.run_build(build_id).snapshot
    part = editable_parts(snapshot.data)[0]
    edit_snapshot(snapshot, introduction="Как было отправлено.", texts={part.key: "Отредактировано агентством."})
    law.status = "closed"
    submit_snapshot(snapshot, editor)
    db.session.commit()
    users = {
        "editor": editor,
        "admin": create_user(role="admin"),
        "mp": create_user(role="mp", committee_id=law.committee_id),
    }
    return law, snapshot, build_id, part, users


def values_for(rule, law, snapshot, build_id) -> dict:
    known = {"lang": "en", "slug": law.slug, "number": snapshot.number, "build_id": build_id, "fmt": "json"}
    missing = set(rule.arguments) - set(known)
    assert not missing, f"{rule.endpoint} takes {missing}: teach this test which values name the frozen snapshot"
    return {name: known[name] for name in rule.arguments}


def test_no_route_changes_a_submitted_snapshot(app, client, frozen, monkeypatch):
    law, snapshot, build_id, part, users = frozen
    # A build a route starts would only add a snapshot (the services test builds one); no thread races the checks.
    started = []
    monkeypatch.setattr(jobs, "launch", lambda _app, started_id: started.append(started_id))
    before = stored(snapshot.id)
    rules = summary_endpoints(app)
    assert {"summaries.review_snapshot", "summaries.submit", "parliament.summary"} <= {r.endpoint for r in rules}
    section = part.section["id"]
    changes = {
        "introduction": "Переписано после отправки.",
        "edit-" + str(section) + "-" + part.lang: "Переписано после отправки.",
        edit_key(section, part.lang): "Переписано после отправки.",
        "confirm": "y",
        "status": "built",
        "data": "{}",
        "edits": "{}",
        "content_hash": "0" * 64,
        "comments": "0",
    }
    tried = 0
    for role, user in users.items():
        auth = AuthActions(client)
        auth.logout()
        assert auth.login(user).status_code == 302
        for rule in rules:
            url = app.url_map.bind("localhost").build(rule.endpoint, values_for(rule, law, snapshot, build_id))
            for method in METHODS:
                client.open(url, method=method, data=changes)
                if method in ("PUT", "PATCH", "POST"):
                    client.open(url, method=method, json=changes)
                tried += 1
                assert stored(snapshot.id) == before, f"{role}: {method} {url} changed the submitted snapshot"
    assert tried >= 3 * 5 * 5
    db.session.expire_all()
    assert hash_matches(db.session.get(SummarySnapshot, snapshot.id))


def test_every_service_that_writes_refuses_a_submitted_snapshot(frozen):
    law, snapshot, _build_id, part, users = frozen
    before = stored(snapshot.id)
    snapshot = db.session.get(SummarySnapshot, snapshot.id)

    with pytest.raises(SnapshotSubmittedError):
        edit_snapshot(snapshot, introduction="Другое", texts={part.key: "Другое"})
    db.session.rollback()
    with pytest.raises(SnapshotSubmittedError):
        submit_snapshot(snapshot, users["admin"])
    db.session.rollback()
    # A change that skips the services is stopped when it is flushed, and so is a delete.
    snapshot.introduction = "Мимо сервисов"
    with pytest.raises(RuntimeError, match="was submitted"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(snapshot)
    with pytest.raises(RuntimeError, match="was submitted"):
        db.session.flush()
    db.session.rollback()
    # Building again makes a new snapshot; the submitted one stays as it was.
    newer = create_snapshot(law, law.latest_version, users["editor"])
    db.session.commit()
    assert newer.number == snapshot.number + 1 and newer.status == "built"
    assert stored(snapshot.id) == before


def test_no_command_changes_a_submitted_snapshot(runner, frozen):
    law, snapshot, *_rest = frozen
    before = stored(snapshot.id)
    result = runner.invoke(args=["summaries", "build", law.slug])
    assert result.exit_code == 0, result.output
    assert stored(snapshot.id) == before
    assert db.session.scalar(select(func.count()).select_from(SummarySnapshot)) == 2
