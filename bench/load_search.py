"""Load test: gunicorn with 4 workers, 20 clients posting, approving and searching at once, on 127.0.0.1.

Run: .venv/bin/python bench/load_search.py [--seconds 60] [--clients 20] [--workers 4] [--small]
It builds a throw-away instance (SQLite in WAL mode and a Whoosh index in a temp dir), loads the demo
data, starts gunicorn, runs the clients for a fixed time, stops them, then runs `flask search verify`
until it is clean and prints how long that took. It stops by itself and only talks to 127.0.0.1.

Every answer is sorted: ok, refused (4xx), server error (5xx), timeout, connection error. A comment counts as
posted only when the server answered with a redirect to it (#c<id>); after the run the database is read, and
the comments stored must be exactly the ones reported posted. Moderators sign in with their password and a
TOTP code (staff need two-factor), as a person does. --small is a quick check that the script works.
"""

import argparse
import http.client
import http.cookiejar
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import pyotp

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
TIMEOUT = 30
TOKEN_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CLIENT_TOKEN_RE = re.compile(r'name="client_token" (?:type="hidden" )?value="([^"]+)"')
SECTION_RE = re.compile(r'href="(/ru/laws/public-discussion/sections/\d+/)"')
PENDING_RE = re.compile(r'name="ids" value="(\d+:\d+)"')  # comment id and the version the moderator read
SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
POSTED_RE = re.compile(r"#c(\d+)$")
WORDS = ["закон", "срок", "обсуждение", "заң", "мерзім", "жария", "comment", "публичного", "ескерту", "граждан"]
MARK = "нагрузочный комментарий"
OUTCOMES = ("ok", "4xx", "5xx", "timeout", "connection")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to the caller: a comment's redirect says which comment was stored."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int | str, str, str]:
        """Return (status or "timeout"/"connection", Location, body); never raises for a network failure."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        self.retry_after = None  # the Retry-After of the last answer (bench/fault_load.py waits that long)
        try:
            with self.opener.open(self.base + path, data=body, timeout=TIMEOUT) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (redirects are not followed), 4xx, 5xx
            self.retry_after = error.headers.get("Retry-After")
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")
        except TimeoutError:
            return "timeout", "", ""
        except urllib.error.URLError as error:
            return ("timeout" if isinstance(error.reason, TimeoutError) else "connection"), "", ""
        except (ConnectionError, http.client.HTTPException):
            return "connection", "", ""

    def get(self, path: str) -> tuple[int | str, str, str]:
        return self.request(path)

    def post(self, path: str, data: dict) -> tuple[int | str, str, str]:
        return self.request(path, data)

    def login(self, email: str, password: str) -> None:
        """Log in through the forms; a staff account also sets up two-factor sign-in and answers with a code."""
        _, _, page = self.get("/ru/auth/login")
        status, location, _ = self.post(
            "/ru/auth/login", {"email": email, "password": password, "csrf_token": TOKEN_RE.search(page).group(1)}
        )
        assert status == 302, f"login failed for {email}: {status}"
        path = urllib.parse.urlsplit(location).path
        if "/two-factor/setup" in path:
            _, _, page = self.get(path)
            secret = SECRET_RE.search(page).group(1).replace(" ", "")
            code = pyotp.TOTP(secret).now()
            status, _, _ = self.post(path, {"code": code, "csrf_token": TOKEN_RE.search(page).group(1)})
            assert status == 200, f"two-factor set-up failed for {email}: {status}"


def outcome(status: int | str) -> str:
    if isinstance(status, str):
        return status
    return "5xx" if status >= 500 else "4xx" if status >= 400 else "ok"


def stored_comments(instance: Path) -> dict[str, str]:
    """Return {body: state} of the load test's comments as the database holds them."""
    conn = sqlite3.connect(instance / "kenes.db")
    try:
        return dict(conn.execute("SELECT body, state FROM comments WHERE body LIKE ?", (f"%{MARK}%",)).fetchall())
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--small", action="store_true", help="10 s, 5 clients, 2 workers")
    args = parser.parse_args()
    if args.small:
        args.seconds, args.clients, args.workers = 10, 5, 2

    instance = Path(tempfile.mkdtemp(prefix="kenes-load-"))
    env = {
        **os.environ,
        "KENES_INSTANCE_DIR": str(instance),
        "FLASK_APP": "wsgi.py",
        "SECRET_KEY": "load-test",
        "COMMENT_RATE_PER_MINUTE": "1000",
        "COMMENT_RATE_PER_DAY": "100000",
    }
    env.pop("DATABASE_URL", None)

    def run(*cmd: str) -> None:
        result = subprocess.run([str(BIN / "flask"), *cmd], cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode:
            shutil.rmtree(instance, ignore_errors=True)
            sys.exit(f"flask {' '.join(cmd)} failed:\n{result.stderr[-3000:]}")

    run("db", "upgrade")
    run("seed-demo")
    posters = max(1, args.clients // 2)
    moderators = 2
    password = "load-test-password-1"  # noqa: S105 (a throw-away instance)
    for role, prefix, count in (("citizen", "load", posters), ("moderator", "mod", moderators)):
        for n in range(count):
            run("users", "create", "--email", f"{prefix}{n}@example.kz", "--role", role,
                "--name", f"{prefix} {n}", "--password", password)  # fmt: skip
    run("search", "reindex")
    before = stored_comments(instance)

    port = free_port()
    log_path = instance / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/ru/", timeout=2)
            break
        except OSError:
            time.sleep(0.2)

    stop = threading.Event()
    counts: dict[str, Counter] = defaultdict(Counter)
    failures: list[str] = []
    posted: dict[str, int] = {}  # body -> comment id, for each comment the server said it stored
    lock = threading.Lock()

    def record(kind: str, status: int | str, detail: str = "") -> str:
        result = outcome(status)
        with lock:
            counts[kind][result] += 1
            if result != "ok":
                failures.append(f"{kind} {status} {detail}")
        return result

    def poster(n: int) -> None:
        client = Client(base)
        client.login(f"load{n}@example.kz", password)
        _, _, page = client.get("/ru/laws/public-discussion/")
        sections = SECTION_RE.findall(page)
        rng = random.Random(n)
        sequence = 0
        while not stop.is_set():
            path = rng.choice(sections)
            status, _, page = client.get(path)
            record("section page", status)
            match, token = TOKEN_RE.search(page), CLIENT_TOKEN_RE.search(page)
            if not (match and token):
                continue
            sequence += 1
            text = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {MARK} {n}-{sequence}"
            status, location, _ = client.post(
                path + "comments",
                {"csrf_token": match.group(1), "client_token": token.group(1), "stance": "support", "body": text,
                 "lang": "auto"},
            )  # fmt: skip
            stored = POSTED_RE.search(location) if status == 302 else None
            record("post comment", status if stored or outcome(status) != "ok" else f"{status} not to a comment")
            if stored:
                with lock:
                    posted[text] = int(stored.group(1))

    def moderator(n: int) -> None:
        client = Client(base)
        client.login(f"mod{n}@example.kz", password)
        while not stop.is_set():
            status, _, page = client.get("/ru/moderation/pending")
            record("queue page", status)
            ids = PENDING_RE.findall(page)[n::moderators][:10]
            match = TOKEN_RE.search(page)
            if ids and match:
                status, _, _ = client.post(
                    "/ru/moderation/bulk", {"csrf_token": match.group(1), "ids": ids, "action": "approve"}
                )
                record("approve", status)
            else:
                time.sleep(0.2)

    def searcher(n: int) -> None:
        client = Client(base)
        rng = random.Random(1000 + n)
        while not stop.is_set():
            query = " ".join(rng.sample(WORDS, rng.randint(1, 2)))
            status, _, _ = client.get("/ru/search/?" + urllib.parse.urlencode({"q": query}))
            record("search", status)

    threads = [threading.Thread(target=poster, args=(n,)) for n in range(posters)]
    threads += [threading.Thread(target=moderator, args=(n,)) for n in range(moderators)]
    threads += [
        threading.Thread(target=searcher, args=(n,)) for n in range(max(1, args.clients - posters - moderators))
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    elapsed = time.perf_counter() - started

    verify_started = time.perf_counter()
    clean_after = None
    while time.perf_counter() - verify_started < 30:
        result = subprocess.run(
            [str(BIN / "flask"), "search", "verify"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if result.returncode == 0:
            clean_after = time.perf_counter() - verify_started
            break
        time.sleep(0.5)
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
    server_errors = [line for line in log_path.read_text(errors="replace").splitlines() if "Traceback" in line]
    stored = {body: state for body, state in stored_comments(instance).items() if body not in before}

    print(
        f"{args.workers} gunicorn workers, {len(threads)} clients ({posters} posting, {moderators} approving, "
        f"{len(threads) - posters - moderators} searching), {elapsed:.0f} s"
    )
    print(f"  {'':14} {'requests':>8} {'/s':>6} " + " ".join(f"{name:>10}" for name in OUTCOMES))
    for kind, by_outcome in sorted(counts.items()):
        total = sum(by_outcome.values())
        others = sum(n for name, n in by_outcome.items() if name not in OUTCOMES)
        print(
            f"  {kind:14} {total:8d} {total / elapsed:6.1f} "
            + " ".join(f"{by_outcome[name]:10d}" for name in OUTCOMES)
            + (f"  other: {others}" if others else "")
        )
    print(f"not ok: {len(failures)}, server tracebacks in the log: {len(server_errors)}")
    for line in failures[:10]:
        print("  ", line)
    unreported = sorted(set(stored) - set(posted))
    lost = sorted(set(posted) - set(stored))
    approved = sum(state == "approved" for state in stored.values())
    print(
        f"comments reported posted: {len(posted)}, stored: {len(stored)} (approved {approved}); "
        f"stored but not reported: {len(unreported)}, reported but not stored: {len(lost)}"
    )
    print(
        f"flask search verify clean {clean_after:.1f} s after the load stopped"
        if clean_after is not None
        else "flask search verify NOT clean within 30 s"
    )
    shutil.rmtree(instance, ignore_errors=True)
    return 0 if not (unreported or lost) else 1


if __name__ == "__main__":
    sys.exit(main())
