"""`flask backup` while the site writes, `flask restore` into an empty database: every row back, search clean."""

import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from config import TestConfig


def _other_app(url: str, tmp_path):
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(tmp_path / "ix2")})
    return create_app(config)


def _counts(output: str) -> dict[str, int]:
    """The table lines the commands print: "  comments  3"."""
    counts = {}
    for line in output.splitlines():
        parts = line.split()
        if line.startswith("  ") and len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    return counts


def _restore_and_verify(app2, backup_path) -> str:
    runner = app2.test_cli_runner()
    with app2.app_context():
        restored = runner.invoke(args=["restore", str(backup_path)])
        assert restored.exit_code == 0, restored.output
        assert runner.invoke(args=["search", "reindex"]).exit_code == 0
        verified = runner.invoke(args=["search", "verify"])
        assert verified.exit_code == 0, verified.output
        db.session.remove()
        db.engine.dispose()
    return restored.output


def test_sqlite_backup_during_writes_restores_every_row(app_config, tmp_path, request):
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'live.db'}"
    request.getfixturevalue("app")
    runner = request.getfixturevalue("runner")
    article = request.getfixturevalue("article")
    request.getfixturevalue("create_comment")(article)
    queued = db.session.scalar(text("SELECT count(*) FROM search_queue"))
    db.session.remove()

    # Another process keeps writing while the copy is taken.
    stop, written = threading.Event(), []

    def write() -> None:
        writer = sqlite3.connect(tmp_path / "live.db", timeout=10, isolation_level=None)
        while not stop.is_set():
            writer.execute("INSERT INTO search_queue (doc_id, created_at) VALUES ('comment:0', '2026-01-01 00:00:00')")
            written.append(1)
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(written) < 50:
            stop.wait(0.01)
        result = runner.invoke(args=["backup", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        thread.join(10)
    assert result.exit_code == 0, result.output
    assert "checked" in result.output
    copied = _counts(result.output)
    assert copied["comments"] == 1
    assert 50 <= copied["search_queue"] - queued <= len(written)  # one moment's rows, none half-written
    assert not (tmp_path / "copy.db.partial").exists()

    # A database that holds rows is not overwritten by mistake.
    refused = runner.invoke(args=["restore", str(tmp_path / "copy.db")])
    assert refused.exit_code != 0 and "not empty" in refused.output

    restored = _restore_and_verify(_other_app(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path), tmp_path / "copy.db")
    assert {k: v for k, v in _counts(restored).items() if k in copied} == copied


def test_backup_of_a_damaged_file_is_refused(app_config, tmp_path, request):
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'live.db'}"
    runner = request.getfixturevalue("runner")
    (tmp_path / "junk.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    result = runner.invoke(args=["restore", "--force", str(tmp_path / "junk.db")])
    assert result.exit_code != 0
    assert "integrity" in result.output or "not a readable" in result.output


def test_postgresql_backup_and_restore_into_an_empty_database(pg_database_url, app_config, tmp_path, request):
    app_config["SQLALCHEMY_DATABASE_URI"] = pg_database_url
    request.getfixturevalue("app")
    runner = request.getfixturevalue("runner")
    article = request.getfixturevalue("article")
    create_comment = request.getfixturevalue("create_comment")
    for n in range(3):
        create_comment(article, body=f"Комментарий номер {n}.")
    from app.ops.backup import row_counts

    before = {name: count for name, count in row_counts().items() if count}
    db.session.remove()
    result = runner.invoke(args=["backup", str(tmp_path / "kenes.dump")])
    assert result.exit_code == 0, result.output

    server_url, _, _ = pg_database_url.rpartition("/")
    name = f"test_ops14_{uuid.uuid4().hex[:8]}"
    server = create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        restored = _restore_and_verify(_other_app(f"{server_url}/{name}", tmp_path), tmp_path / "kenes.dump")
        after = {k: v for k, v in _counts(restored).items() if v}
        assert after == before
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.mark.parametrize("args", [["backup"], ["restore", "/nonexistent/file"]])
def test_commands_explain_their_mistakes(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
