"""Two hosts on one PostgreSQL and one Redis lose no comment and answer no error (issue 14.5: CI's multi-host run).

bench/multihost.py --scenario load, short: two gunicorn processes of 2 workers on a throw-away database of the
PostgreSQL at 127.0.0.1:5432 with SEARCH_BACKEND=postgres, Redis database 13 at 127.0.0.1:6379 (emptied before and
after) and one `flask worker`; clients post, vote, approve and search on both. Skipped where either does not answer
(.ci/run starts a redis-server when one is installed). The longer runs and the faults: bench/multihost.py --help.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/13"


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_two_hosts_on_postgresql_and_redis_store_every_comment_once_and_answer_no_error():
    missing = [f"{name} on 127.0.0.1:{port}" for name, port in (("PostgreSQL", 5432), ("Redis", 6379))
               if not _answers(port)]  # fmt: skip
    if missing:
        pytest.skip(f"needs {' and '.join(missing)}: nothing answers there")
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        # Its database is its own, whatever the suite runs on: once per `make test` is enough.
        pytest.skip("runs once, in the SQLite pass of make test (it makes its own PostgreSQL database)")
    command = [sys.executable, "bench/multihost.py", "--scenario", "load", "--seconds", "10", "--clients", "6",
               "--pg-server", PG_SERVER, "--redis-url", REDIS_URL]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)  # noqa: S603 (fixed)
    report = result.stdout + result.stderr[-2000:]
    assert "PASS load" in result.stdout.splitlines(), report
    assert result.returncode == 0, report
    assert "comments lost" not in report and "duplicates 0" in report, report
