"""Log lines name their request: the proxy's X-Request-ID (or a new one), echoed back, as text or JSON lines."""

import json
import logging

import pytest


@pytest.fixture
def logging_app(app_config, request):
    def make(log_format: str):
        app_config["LOG_FORMAT"] = log_format
        app = request.getfixturevalue("app")

        @app.get("/en/_log_probe")
        def _log_probe():
            logging.getLogger("kenes.probe").warning("probe line with Қазақша text")
            return "ok"

        return app

    return make


def test_request_id_from_the_proxy_is_echoed_and_in_json_log_lines(logging_app, capsys):
    client = logging_app("json").test_client()
    response = client.get("/en/_log_probe", headers={"X-Request-ID": "3f2a9c1e5b7d4e60"})
    assert response.headers["X-Request-ID"] == "3f2a9c1e5b7d4e60"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    probe = next(line for line in lines if line["logger"] == "kenes.probe")
    assert probe["request_id"] == "3f2a9c1e5b7d4e60"
    assert probe["message"] == "probe line with Қазақша text"
    assert probe["level"] == "WARNING"


def test_invalid_or_missing_request_id_is_replaced_by_a_new_one(logging_app, capsys):
    client = logging_app("text").test_client()
    forged = {"X-Request-ID": "bad id <script>" + "x" * 200}
    first = client.get("/en/_log_probe", headers=forged).headers["X-Request-ID"]
    second = client.get("/en/_log_probe").headers["X-Request-ID"]
    assert first != second
    assert len(first) == 32 and first.isalnum()
    err = capsys.readouterr().err
    assert f"[{first}] kenes.probe: probe line" in err
    assert f"[{second}] kenes.probe: probe line" in err


def test_error_responses_carry_the_request_id_too(client):
    response = client.get("/en/no-such-page", headers={"X-Request-ID": "req-000000001"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "req-000000001"
