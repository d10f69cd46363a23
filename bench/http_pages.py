"""The public pages over HTTP: gunicorn (2 sync workers) on SQLite, 10,000 comments on one article, 20 connections.

Run: make bench, or .venv/bin/python bench/http_pages.py [--seconds 10] [--comments 10000] [--keep] [--only posting]
In a temp dir (SQLite and the Whoosh index): `flask db upgrade`, `flask seed-demo`, 20 confirmed citizens, then
comments on article 14 of the 34-article demo draft through `flask comments import` (published at once: the build
runs with PREMODERATION off). It counts the SQL statements of each page (in process, test client) at 100 comments
and again at the full number, starts gunicorn on 127.0.0.1 with bench/http_app.py (the app, a bare Flask app and an
empty app route) and drives every page with wrk (-t2 -c20) for --seconds each, all in one run so that the ratios to
the bare route hold on a noisy machine. Without wrk (Debian: apt-get install wrk) a Python client (2 processes of
10 threads, a new connection per request as wrk has with sync workers) stands in, and the table says so.

Last, 20 clients, each signed in through the login form as its own citizen with a CSRF token from the page, post
comments to the article for --seconds (the server runs with the production settings: CSRF on, premoderation on;
only the per-user comment rate limit is raised, or it would be what is measured). A comment counts as posted when
the answer redirects to it (#c<id>); the database must then hold exactly those. Stops gunicorn and deletes the temp
dir on every exit. No assertions on time: the figures go into the README (issue 13 sets the targets).
Before the server starts, a few comment posts are made in process as one of the citizens: their SQL statements and
how long each held SQLite's write lock (BEGIN IMMEDIATE to COMMIT), which is what bounds posting on SQLite.
--only posting measures the bare route and the posting run only (the ratio still comes from one run).
"""

import argparse
import csv
import http.client
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.laws.models import Law, Section  # noqa: E402
from bench.http_clients import (  # noqa: E402
    CLIENTS,
    PASSWORD,
    POSTED_RE,
    TIMEOUT,
    Result,
    Session,
    measure_post,
    p99,
    run_python_client,
    run_wrk,
)
from bench.import_comments import COLUMNS, generate  # noqa: E402
from config import Config  # noqa: E402

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DRAFT, ARTICLE = "public-discussion", "14"
SMALL = 100  # the statement counts are taken at this many comments and at the full number
SECRET = "bench-http-" + "x" * 32
MARK = "Жүктеме сынағы"  # "load test": how the posted comments are found in the database
# (name, target ratio to the bare route), in the order of page_urls.
PAGES = [("bare Flask route (the ceiling)", None), ("empty route in the app (hooks only)", None), ("home /kk/", 0.20),
         ("draft page, 34 articles", 0.10), ("article page with {comments:,} comments", 0.10),
         ("GET /api/v1/sections/<id>/comments (first 20)", 0.10), ("search page, two Kazakh words", 0.10)]  # fmt: skip
POST_TARGET = 0.03
P99_TARGET_MS = 100


def page_urls(section_id: int) -> list[str]:
    return [
        "/bare/",
        "/bench-empty",
        "/kk/",
        f"/kk/laws/{DRAFT}/",
        f"/kk/laws/{DRAFT}/sections/{section_id}/",
        f"/api/v1/sections/{section_id}/comments",
        "/kk/search/?" + urllib.parse.urlencode({"q": "жария талқылау"}),
    ]


# --- the database -------------------------------------------------------------------------------------------


def build(tmp: Path, comments: int, pages: bool = True) -> tuple[int, dict[str, list[int]], dict[str, float], str]:
    """Make the instance in tmp; return the article's section id, statements per page (by URL), sizes in KB and
    what one comment post costs in process."""
    overrides = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'kenes.db'}",
        "SEARCH_INDEX_DIR": str(tmp / "search-index"),
        "SEARCH_WRITER": "inline",
        "MAIL_BACKEND": "memory",
        "SECRET_KEY": SECRET,
        "REDIS_URL": "",
        # The statements counted are those of rendering each page: a page kept by app/caching.py issues none.
        "PAGE_CACHE_SECONDS": 0,
    }
    app = create_app(type("BenchConfig", (Config,), overrides))
    runner = app.test_cli_runner()

    def flask(*args: str) -> None:
        result = runner.invoke(args=list(args))
        if result.exit_code:
            raise SystemExit(f"flask {' '.join(args[:3])} failed: {result.exception!r}\n{result.output[-3000:]}")
        db.session.remove()

    with app.app_context():
        flask("db", "upgrade")
        flask("seed-demo")
        app.config["PREMODERATION"] = False  # the imported comments are published, as after moderation
        for n in range(CLIENTS):
            flask("users", "create", "--email", f"poster{n}@example.kz", "--role", "citizen",
                  "--name", f"Poster {n}", "--password", PASSWORD)  # fmt: skip
        law = db.session.scalar(select(Law).where(Law.slug == DRAFT))
        section_id = db.session.scalar(
            select(Section.id).where(
                Section.version_id == law.latest_version.id, Section.kind == "article", Section.number == ARTICLE
            )
        )
        whole, first, rest = tmp / "all.csv", tmp / "first.csv", tmp / "rest.csv"
        generate(whole, comments, 0, 0, [ARTICLE], law.opens_at)
        db.session.remove()
        with whole.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for path, part in ((first, rows[:SMALL]), (rest, rows[SMALL:])):
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=COLUMNS)
                writer.writeheader()
                writer.writerows(part)

        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        client = app.test_client()
        urls = page_urls(section_id)[2:] if pages else []
        counts: dict[str, list[int]] = {url: [] for url in urls}
        sizes: dict[str, float] = {}
        for path in (first, rest):
            started = time.perf_counter()
            flask("comments", "import", str(path))
            print(f"  imported {path.name}: {time.perf_counter() - started:.0f} s", flush=True)
            for url in urls:
                client.get(url)  # the first request of a page may fill caches; count the second
                # The requests share this app context, so its session (and what it has loaded) outlives each one.
                db.session.remove()
                statements.clear()
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code} in process")
                counts[url].append(len(statements))
                sizes[url] = len(response.data) / 1024
        flask("search", "reindex")
        # As the server runs: premoderation on, the per-user rate limit out of the way.
        app.config.update(PREMODERATION=True, COMMENT_RATE_PER_MINUTE=1_000_000, COMMENT_RATE_PER_DAY=1_000_000)
        post_cost = measure_post(app, f"/kk/laws/{DRAFT}/sections/{section_id}/")
    return section_id, counts, sizes, post_cost


# --- posting ---------------------------------------------------------------------------------------------------


@dataclass
class PostRun:
    sent: int = 0
    posted: dict[int, float] = field(default_factory=dict)  # comment id -> latency
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_posting(port: int, section_id: int, seconds: int) -> PostRun:
    """CLIENTS citizens post comments to the article for `seconds`, each as fast as the server answers."""
    article = f"/kk/laws/{DRAFT}/sections/{section_id}/"
    sessions = [Session(port) for _ in range(CLIENTS)]
    tokens = [session.login(f"poster{n}@example.kz", article) for n, session in enumerate(sessions)]  # in turn
    run = PostRun()
    stop = threading.Event()

    def poster(n: int) -> None:
        sequence = 0
        while not stop.is_set():
            sequence += 1
            # What a fresh form carries: CommentForm's client_token is a new uuid4 hex on each page.
            form = {"csrf_token": tokens[n], "client_token": uuid.uuid4().hex, "stance": "support", "lang": "auto",
                    "body": f"{MARK} {n}-{sequence}: жария талқылау мерзімін ұзарту керек."}  # fmt: skip
            # The session as the client's browser has it after the redirect's page: that page shows the post's
            # message and takes it out of the session. A client that never read them would pile every message up in
            # its cookie (~100 by the end of a run), and each post would decode and sign them all again.
            cookies = dict(sessions[n].cookies)
            start = time.perf_counter()
            try:
                status, location, _ = sessions[n].request("POST", article + "comments", form)
            except (OSError, http.client.HTTPException) as error:
                status, location = type(error).__name__, ""
            latency = time.perf_counter() - start
            sessions[n].cookies = cookies
            stored = POSTED_RE.search(location) if status == 302 else None
            with run.lock:
                run.sent += 1
                if stored:
                    run.posted[int(stored.group(1))] = latency
                else:
                    run.errors.append(f"{status} {location}".strip())

    threads = [threading.Thread(target=poster, args=(n,), daemon=True) for n in range(CLIENTS)]
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        time.sleep(seconds)
    finally:
        stop.set()  # on Ctrl-C too
    for thread in threads:
        thread.join(TIMEOUT + 5)
    run.elapsed = time.perf_counter() - started
    return run


def stored_comments(database: Path) -> set[int]:
    conn = sqlite3.connect(database)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM comments WHERE body LIKE ?", (f"{MARK} %",))}
    finally:
        conn.close()


# --- the server ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(tmp: Path, port: int) -> subprocess.Popen:
    """Start gunicorn (2 sync workers) in its own process group and wait until it answers."""
    env = {
        **os.environ,
        # Production would also demand HTTPS-only cookies, TRUSTED_HOSTS and BASE_URL: the same code paths.
        "KENES_ENV": "development",
        "KENES_INSTANCE_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'kenes.db'}",
        "SEARCH_INDEX_DIR": str(tmp / "search-index"),
        "SECRET_KEY": SECRET,
        "PREMODERATION": "1",
        "MAIL_BACKEND": "memory",
        "REDIS_URL": "",
        "COMMENT_RATE_PER_MINUTE": "1000000",
        "COMMENT_RATE_PER_DAY": "1000000",
    }
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [str(GUNICORN), "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "bench.http_app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/bare/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not start:\n" + (tmp / "server.log").read_text(errors="replace")[-3000:])


def stop_server(server: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
            server.wait(wait)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def warm_up(port: int, urls: list[str]) -> None:
    """Let both workers load each page (templates, caches) and stop if one does not answer 200."""
    for url in urls:
        for _ in range(10):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                raise SystemExit(f"{url} answered {response.status}")


# --- the report ------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="per page, and for the posting run")
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database, index, server log)")
    parser.add_argument("--only", choices=["posting"], help="measure only the bare route and the posting run")
    args = parser.parse_args()
    # A plain `kill` ends the run through the finally below too, so gunicorn never outlives it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wrk = shutil.which("wrk")
    if not wrk:
        print("wrk not found (Debian/Ubuntu: sudo apt-get install wrk); using the Python client instead.")
    tmp = Path(tempfile.mkdtemp(prefix="kenes-http-"))
    server = None
    try:
        started = time.perf_counter()
        print(f"Building the database in {tmp} ({args.comments} comments on article {ARTICLE})...", flush=True)
        section_id, counts, sizes, post_cost = build(tmp, args.comments, pages=args.only is None)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        port = free_port()
        server = start_server(tmp, port)
        pages = PAGES[:1] if args.only else PAGES
        urls = page_urls(section_id)[: len(pages)]
        warm_up(port, urls)
        results = []
        for (name, target), url in zip(pages, urls, strict=True):
            print(f"  {url}...", flush=True)
            result = run_wrk(f"http://127.0.0.1:{port}", url, args.seconds) if wrk else (
                run_python_client(port, url, args.seconds))  # fmt: skip
            result.sql, result.kb = counts.get(url, []), sizes.get(url, 0.0)
            results.append((name.format(comments=args.comments), target, result))
        print(f"  {CLIENTS} clients posting for {args.seconds} s...", flush=True)
        posting = run_posting(port, section_id, args.seconds)
        stored = stored_comments(tmp / "kenes.db")
        tracebacks = (tmp / "server.log").read_text(errors="replace").count("Traceback")
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    report(results, posting, stored, tracebacks, args, wrk, post_cost)
    return 0 if stored == set(posting.posted) and not posting.errors else 1


def report(results: list[tuple[str, float | None, Result]], posting: PostRun, stored: set[int], tracebacks: int,
           args: argparse.Namespace, wrk: str | None, post_cost: str) -> None:  # fmt: skip
    """Print the table (Markdown, for the README) and what the posting run stored."""
    tool = "wrk -t2 -c20" if wrk else "the Python client (2 processes x 10 threads; wrk not installed)"
    bare = results[0][2].rps
    load = " / ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"\ngunicorn, 2 sync workers, SQLite, {os.cpu_count()} CPUs (load average now {load}); {tool}, "
          f"{args.seconds} s per page; {args.comments:,} approved comments on article {ARTICLE}\n")  # fmt: skip
    print(
        f"| page | req/s | × bare route | target | p99 ms | errors | SQL at {SMALL} / {args.comments:,} comments | KB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, target, result in results:
        target = f"≥ {target:.2f}" if target else ""
        sql = " / ".join(map(str, result.sql))
        kb = f"{result.kb:.0f}" if result.kb else ""
        print(f"| {name} | {result.rps:,.0f} | {result.rps / bare:.4f} | {target} | {result.p99_ms:.0f} | "
              f"{result.errors} | {sql} | {kb} |")  # fmt: skip
    rps = len(posting.posted) / posting.elapsed
    unreported, lost = len(stored - set(posting.posted)), len(set(posting.posted) - stored)
    print(f"| {CLIENTS} clients posting comments | {rps:,.0f} | {rps / bare:.4f} | ≥ {POST_TARGET:.2f} | "
          f"{p99(list(posting.posted.values())):.0f} | {len(posting.errors)} | | |")  # fmt: skip
    print(f"\np99 target: under {P99_TARGET_MS} ms. Posting: {posting.sent} sent, {len(posting.posted)} answered "
          f"with a redirect to the comment, {len(stored)} stored ({unreported} stored but not reported, {lost} "
          f"reported but not stored); {len(posting.errors)} errors; server tracebacks: {tracebacks}.")  # fmt: skip
    print(f"One comment post in process: {post_cost}.")
    for line in sorted(set(posting.errors))[:10]:
        print("  error:", line)


if __name__ == "__main__":
    sys.exit(main())
