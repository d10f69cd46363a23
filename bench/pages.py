"""Benchmark the public pages against a bare route, in one process, on a fresh SQLite database.

Run: .venv/bin/python bench/pages.py [--seconds 3]
Prints requests per second, the ratio to a bare Flask route measured in the same run, the SQL
statements each page issues and its size. No assertions: the figures go into the README.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from config import Config  # noqa: E402


def measure(client, url: str, seconds: float) -> tuple[float, float]:
    """Return (requests per second, p95 latency in ms) for GETs of one URL."""
    timings = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return len(timings) / sum(timings), statistics.quantiles(timings, n=20)[18] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kenes-bench-"))
    config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}"})
    app = create_app(config)

    @app.get("/bare")
    def bare():
        return "ok"

    with app.app_context():
        db.create_all()
        app.test_cli_runner().invoke(args=["seed-demo"])
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client = app.test_client()
    pages = {
        "bare route": "/bare",
        "home": "/kk/",
        "list of drafts": "/ru/laws/",
        "draft, 34 articles": "/kk/laws/public-discussion/",
        "diff v1 to v2": "/ru/laws/household-waste/diff/1/2/",
        "API sections (3 languages)": "/api/v1/laws/public-discussion/versions/1/sections",
    }
    results = []
    for name, url in pages.items():
        statements.clear()
        size = len(client.get(url).data)
        queries = len(statements)
        rps, p95 = measure(client, url, args.seconds)
        results.append((name, rps, p95, queries, size))
    base = results[0][1]
    print(f"{'page':30} {'req/s':>8} {'ratio':>7} {'p95 ms':>8} {'SQL':>5} {'KB':>7}")
    for name, rps, p95, queries, size in results:
        print(f"{name:30} {rps:8.0f} {rps / base:7.3f} {p95:8.1f} {queries:5d} {size / 1024:7.1f}")


if __name__ == "__main__":
    main()
