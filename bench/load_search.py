"""Load test: gunicorn with 4 workers, 20 clients posting, approving and searching at once, on 127.0.0.1.

Run: .venv/bin/python bench/load_search.py [--seconds 60] [--clients 20] [--workers 4]
It builds a throw-away instance (SQLite in WAL mode and a Whoosh index in a temp dir), loads the demo
data, starts gunicorn, runs the clients for a fixed time, stops them, then runs `flask search verify`
until it is clean and prints how long that took. It stops by itself and only talks to 127.0.0.1.
"""

import argparse
import http.cookiejar
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
TOKEN_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CLIENT_TOKEN_RE = re.compile(r'name="client_token" (?:type="hidden" )?value="([^"]+)"')
SECTION_RE = re.compile(r'href="(/ru/laws/public-discussion/sections/\d+/)"')
PENDING_RE = re.compile(r'name="ids" value="(\d+)"')
WORDS = ["закон", "срок", "обсуждение", "заң", "мерзім", "жария", "comment", "публичного", "ескерту", "граждан"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def login(self, email: str, password: str) -> None:
        _, page = self.get("/ru/auth/login")
        status, _ = self.post(
            "/ru/auth/login", {"email": email, "password": password, "csrf_token": TOKEN_RE.search(page).group(1)}
        )
        assert status == 200, f"login failed for {email}: {status}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

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
    run = lambda *cmd: subprocess.run([str(BIN / "flask"), *cmd], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: E731
    run("db", "upgrade")
    run("seed-demo")
    posters = max(1, args.clients // 2)
    moderators = 2
    for n in range(posters):
        run(
            "users",
            "create",
            "--email",
            f"load{n}@example.kz",
            "--role",
            "citizen",
            "--name",
            f"Load {n}",
            "--password",
            "load-test-password-1",
        )
    for n in range(moderators):
        run(
            "users",
            "create",
            "--email",
            f"mod{n}@example.kz",
            "--role",
            "moderator",
            "--name",
            f"Mod {n}",
            "--password",
            "load-test-password-1",
        )
    run("search", "reindex")

    port = free_port()
    log_path = instance / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/ru/", timeout=2)
            break
        except OSError:
            time.sleep(0.2)

    stop = threading.Event()
    counts: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def record(kind: str, status: int, detail: str = "") -> None:
        with lock:
            counts[kind] += 1
            if status >= 500 or status == 0:
                errors.append(f"{kind} {status} {detail}")

    def poster(n: int) -> None:
        client = Client(base)
        client.login(f"load{n}@example.kz", "load-test-password-1")
        _, page = client.get("/ru/laws/public-discussion/")
        sections = SECTION_RE.findall(page)
        rng = random.Random(n)
        while not stop.is_set():
            path = rng.choice(sections)
            status, page = client.get(path)
            record("section page", status)
            match, token = TOKEN_RE.search(page), CLIENT_TOKEN_RE.search(page)
            if not (match and token):
                continue
            text = f"{rng.choice(WORDS)} {rng.choice(WORDS)} нагрузочный комментарий {rng.randrange(10**9)}"
            status, _ = client.post(
                path + "comments",
                {
                    "csrf_token": match.group(1),
                    "client_token": token.group(1),
                    "stance": "support",
                    "body": text,
                    "lang": "auto",
                },
            )
            record("post comment", status)

    def moderator(n: int) -> None:
        client = Client(base)
        client.login(f"mod{n}@example.kz", "load-test-password-1")
        while not stop.is_set():
            status, page = client.get("/ru/moderation/pending")
            record("queue page", status)
            ids = PENDING_RE.findall(page)[n::moderators][:10]
            match = TOKEN_RE.search(page)
            if ids and match:
                status, _ = client.post(
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
            status, _ = client.get("/ru/search/?" + urllib.parse.urlencode({"q": query}))
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
        thread.join(60)
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

    total = sum(counts.values())
    print(
        f"{args.workers} gunicorn workers, {len(threads)} clients ({posters} posting, {moderators} approving, "
        f"{len(threads) - posters - moderators} searching), {elapsed:.0f} s"
    )
    for kind, n in sorted(counts.items()):
        print(f"  {kind:14} {n:6d} requests  {n / elapsed:6.1f}/s")
    print(f"requests: {total}, errors (5xx or no answer): {len(errors)}, server error log lines: {len(server_errors)}")
    for line in errors[:10]:
        print("  ", line)
    print(
        f"flask search verify clean {clean_after:.1f} s after the load stopped"
        if clean_after is not None
        else "flask search verify NOT clean within 30 s"
    )
    shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
