"""`/healthz`: what the proxy and the monitoring see, 200 when everything answers and 503 when something is down."""

from datetime import timedelta

from app.db import utcnow
from app.extensions import db
from app.search.models import SearchQueueEntry


def _index(runner) -> None:
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0


def test_healthy_site_answers_200_with_each_check(client, runner, create_comment, article):
    create_comment(article)
    _index(runner)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok"
    assert {"database", "search", "search_queue"} <= set(body["checks"])
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["search_queue"]["depth"] == 0
    # Asked afresh every time, and nobody's session.
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_a_missing_search_index_is_degraded_not_down(client):
    """Search falls back to the database meanwhile: the host keeps its place behind the proxy."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["search"]["ok"] is False
    assert response.json["checks"]["search"]["fallback"] is True
    assert response.json["checks"]["database"]["ok"] is True


def test_unreachable_redis_is_a_503(app, client, runner):
    _index(runner)
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"]["ok"] is False


def test_an_old_search_queue_is_reported_as_lagging_but_not_down(app, client, runner):
    _index(runner)
    db.session.add(SearchQueueEntry(doc_id="comment:999999", created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    app.config["SEARCH_WRITER"] = "thread"  # keep the writer from draining it during the request
    queue = client.get("/healthz").json["checks"]["search_queue"]
    assert queue["depth"] == 1
    assert queue["oldest_seconds"] >= 3600
    assert queue["lagging"] is True
    assert client.get("/healthz").status_code == 200


def test_database_down_is_a_503(app, client, runner, monkeypatch):
    from sqlalchemy.exc import OperationalError

    _index(runner)

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False
