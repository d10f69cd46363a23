"""The clients of bench/http_pages.py: wrk, its Python stand-in, a signed-in browser session, and posts in process.

wrk's report is read for req/s, the 99th percentile and the errors; the Python client reports the same figures
from THREADS processes of threads, each request on a new connection as gunicorn's sync workers answer.
"""

import http.client
import multiprocessing
import re
import statistics
import subprocess
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

CLIENTS, THREADS = 20, 2  # wrk -c20 -t2
TIMEOUT = 30
TOKEN_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
PASSWORD = "bench-password-2026"  # noqa: S105 (a throw-away instance)
POSTED_RE = re.compile(r"#c(\d+)$")  # a post answered with a redirect to the comment


@dataclass
class Result:
    rps: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers, connection errors and timeouts
    requests: int
    sql: list[int] = field(default_factory=list)  # statements at SMALL and at the full number of comments
    kb: float = 0.0


# --- load ------------------------------------------------------------------------------------------------------

WRK_FIGURES = {
    "rps": re.compile(r"Requests/sec:\s+([\d.]+)"),
    "p99": re.compile(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", re.M),
    "requests": re.compile(r"(\d+) requests in"),
}


def parse_wrk(output: str) -> Result:
    """Read req/s, the 99th percentile and the errors from wrk --latency's report."""
    rps = float(WRK_FIGURES["rps"].search(output).group(1))
    value, unit = WRK_FIGURES["p99"].search(output).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(map(int, socket_errors.groups())) if socket_errors else 0
    errors += int(bad.group(1)) if bad else 0
    return Result(rps, p99, errors, int(WRK_FIGURES["requests"].search(output).group(1)))


def run_wrk(base: str, path: str, seconds: int) -> Result:
    command = ["wrk", f"-t{THREADS}", f"-c{CLIENTS}", f"-d{seconds}s", "--latency", "--timeout", "10s", base + path]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    return parse_wrk(output)


def _load_process(port: int, path: str, threads: int, seconds: float) -> tuple[list[float], int, float]:
    """GET one path from `threads` threads for `seconds`; return good answers' latencies, errors and the time."""
    latencies: list[float] = []
    errors = [0]
    started = time.perf_counter()
    deadline = started + seconds

    def loop() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            if ok:
                latencies.append(time.perf_counter() - start)
            else:
                errors[0] += 1

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + TIMEOUT)
    return latencies, errors[0], time.perf_counter() - started


def run_python_client(port: int, path: str, seconds: float) -> Result:
    """The stand-in for wrk: THREADS processes (one GIL each) of CLIENTS / THREADS threads."""
    # spawn, not fork: the caller may have threads of its own, and a forked copy of a held lock never frees.
    with multiprocessing.get_context("spawn").Pool(THREADS) as pool:
        parts = pool.starmap(_load_process, [(port, path, CLIENTS // THREADS, seconds)] * THREADS)
    latencies = [latency for part, _, _ in parts for latency in part]
    rps = sum(len(part) / elapsed for part, _, elapsed in parts)
    return Result(rps, p99(latencies), sum(errors for _, errors, _ in parts), len(latencies))


def p99(latencies: list[float]) -> float:
    """The 99th percentile in milliseconds (0 when there is nothing to rank)."""
    if len(latencies) < 2:
        return latencies[0] * 1000 if latencies else 0.0
    return statistics.quantiles(latencies, n=100)[98] * 1000


# --- posting ---------------------------------------------------------------------------------------------------


class Session:
    """One person's browser, as far as the server can tell: its cookies, one connection at a time."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """Return (status, Location, body); raises OSError or HTTPException when the connection fails."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), text

    def login(self, email: str, page: str) -> str:
        """Log in through the form, open `page`; return its form's CSRF token (Flask-WTF keeps one per session)."""
        _, _, text = self.request("GET", "/kk/auth/login")
        form = {"email": email, "password": PASSWORD, "csrf_token": TOKEN_RE.search(text).group(1)}
        status, _, _ = self.request("POST", "/kk/auth/login", form)
        if status != 302:
            raise SystemExit(f"login of {email} answered {status}")
        # Logging in starts a new session, and with it a new token.
        status, _, text = self.request("GET", page)
        if status != 200 or not TOKEN_RE.search(text):
            raise SystemExit(f"{page} answered {status} to {email}, or without a form")
        return TOKEN_RE.search(text).group(1)


def measure_post(app, article: str, posts: int = 21) -> str:
    """Post comments to an article in process as poster0; return the median statements and write-lock time."""
    from sqlalchemy import event

    from app.db import WRITER_INFO
    from app.extensions import db

    client = app.test_client()
    text = client.get("/kk/auth/login").get_data(as_text=True)
    form = {"email": "poster0@example.kz", "password": PASSWORD, "csrf_token": TOKEN_RE.search(text).group(1)}
    if client.post("/kk/auth/login", data=form).status_code != 302:
        raise SystemExit("the in-process login failed")
    csrf = TOKEN_RE.search(client.get(article).get_data(as_text=True)).group(1)
    statements: list[str] = []
    # (lock held, statements so far, statements in it) for each write transaction (BEGIN IMMEDIATE to COMMIT). A
    # view may read first and end that read with a commit (app.db.reads_first): only write transactions hold the lock.
    writes: list[tuple[float, int, int]] = []
    began = [0.0, "", 0]

    def on_begin(conn) -> None:
        # app.db's BEGIN has just run, and noted which kind it was.
        began[:] = [time.perf_counter(), conn.info.get(WRITER_INFO), len(statements)]

    def on_commit(conn) -> None:
        if began[1]:
            writes.append((time.perf_counter() - began[0], len(statements), len(statements) - began[2] + 1))

    listeners = [("before_cursor_execute", lambda *a: statements.append(a[2])), ("begin", on_begin),
                 ("commit", on_commit)]  # fmt: skip
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    counts, locked, times = [], [], []
    try:
        for n in range(posts):
            db.session.remove()
            statements.clear()
            writes.clear()
            # Not the posting run's mark: these are not its comments. Alike texts, as in the run (they form a campaign).
            form = {"csrf_token": csrf, "client_token": uuid.uuid4().hex, "stance": "support", "lang": "auto",
                    "body": f"Өлшеу {n}: жария талқылау мерзімін ұзарту керек."}  # fmt: skip
            response = client.post(article + "comments", data=form)
            if response.status_code != 302 or not POSTED_RE.search(response.headers.get("Location", "")):
                raise SystemExit(f"the in-process post answered {response.status_code}")
            # The request's write transaction is the first; the search writer's (inline here) may follow it.
            times.append(writes[0][0] * 1000)
            counts.append(writes[0][1])
            locked.append(writes[0][2])
    finally:
        for name, listener in listeners:
            event.remove(db.engine, name, listener)
        db.session.remove()
    middle = posts // 2
    counts, locked, times = sorted(counts), sorted(locked), sorted(times)
    return (f"{counts[middle]} statements, {locked[middle]} of them under the write lock, held {times[middle]:.1f} ms "
            f"(medians of {posts} posts)")  # fmt: skip
