"""The processes a fault run needs, all on 127.0.0.1, and their clean-up: bench/multihost.py starts them.

A private PostgreSQL cluster (initdb in a temp dir, a free port, its socket in the temp dir) and a private
redis-server (a free port, no persistence), so that stopping or restarting them never touches the shared services on
5432 and 6379; or, for the load alone, a throw-away database on a given server and a given Redis database.
Gunicorn "hosts" each get their own instance folder (no shared files between hosts, as on separate machines).
Everything started is stopped and the temp dir removed on exit, Ctrl-C included.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PASSWORD = "load-test-password-1"  # noqa: S105 (throw-away accounts in a throw-away database)
CREATE_USERS = """
import sys
from app import create_app
from app.auth import services
from app.db import write_transaction
from app.extensions import db
with create_app().app_context(), write_transaction():
    for account in sys.argv[2:]:
        email, role = account.split(",")
        services.create_user(email, email.partition("@")[0], sys.argv[1], role=role, confirmed=True)
    db.session.commit()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Stack:
    """Start services and app processes; `close` stops every one of them and removes the temp dir."""

    def __init__(self, name: str, keep: bool = False):
        self.created = time.monotonic()
        self.keep = keep  # leave the temp dir (logs, database files) for a look afterwards
        self.tmp = Path(tempfile.mkdtemp(prefix=f"kenes-{name}-"))
        self.tmp.chmod(0o755)  # the postgres OS user must reach its data dir inside
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.pg_ctl: list[str] | None = None
        self.pg_port = self.redis_port = 0
        self.redis_url = ""
        self.database_url = ""
        self.sqlite_path: Path | None = None
        self._drop: tuple[str, str] | None = None  # (server url, database) made on a shared server
        self._flush_redis = False
        self.verifier = None  # bench.fault_checks.Verifier, started before the load ends
        self.env = {
            **os.environ,
            "FLASK_APP": "wsgi.py",
            "SECRET_KEY": "fault-run-" + "x" * 32,
            "COMMENT_RATE_PER_MINUTE": "1000",
            "COMMENT_RATE_PER_DAY": "100000",
            "MAIL_BACKEND": "console",
        }
        for key in ("DATABASE_URL", "REDIS_URL", "SEARCH_BACKEND", "KENES_INSTANCE_DIR", "TEST_DATABASE_URL"):
            self.env.pop(key, None)

    # --- services ------------------------------------------------------------------------------------------------

    def _as_postgres(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start_postgres(self) -> None:
        """initdb a private cluster and start it on a free port."""
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
        if not bins:
            raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
        pgbin = Path(bins[-1])
        data, sockets = self.tmp / "pgdata", self.tmp / "pgsock"
        for path in (data, sockets):
            path.mkdir()
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        log = self.tmp / "postgres.log"
        log.touch()
        if os.geteuid() == 0:
            shutil.chown(log, "postgres", "postgres")
        self.logs["postgres"] = log
        subprocess.run(
            [*self._as_postgres(), str(pgbin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8", "--no-locale"],
            check=True, capture_output=True, cwd=self.tmp,
        )  # fmt: skip
        self.pg_port = free_port()
        options = f"-p {self.pg_port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        self.pg_ctl = [*self._as_postgres(), str(pgbin / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options]
        self.postgres("start")
        server = f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}"
        self._create_database(server, "kenes")
        self.database_url = f"{server}/kenes"

    def postgres(self, action: str) -> None:
        """pg_ctl start | stop (fast: sessions are ended) | restart, waiting for it to finish."""
        mode = ["-m", "fast"] if action in ("stop", "restart") else []
        subprocess.run([*self.pg_ctl, "-w", "-t", "30", *mode, action], check=True, capture_output=True, cwd=self.tmp)

    def use_postgres_server(self, server: str) -> None:
        """Use a throw-away database on a running server (dropped on close) instead of a private cluster."""
        name = f"kenes_multihost_{uuid.uuid4().hex[:8]}"
        self._create_database(server, name)
        self._drop = (server, name)
        self.database_url = f"{server}/{name}"

    def _create_database(self, server: str, name: str) -> None:
        engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()

    def start_redis(self) -> None:
        """Start a private redis-server on a free port, without persistence (so a stop loses what it holds)."""
        if not self.redis_port:
            self.redis_port = free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)],
        )  # fmt: skip
        self._wait_port(self.redis_port, "redis-server")

    def use_redis(self, url: str) -> None:
        """Use a database of a running Redis (emptied before and after: give one nobody else uses)."""
        self.redis_url = url
        self._flush_redis = True
        self.redis().flushdb()

    def redis(self):
        from redis import Redis

        return Redis.from_url(self.redis_url, socket_timeout=5)

    def use_sqlite(self) -> None:
        self.sqlite_path = self.tmp / "kenes.db"
        self.database_url = f"sqlite:///{self.sqlite_path}"

    # --- the app -------------------------------------------------------------------------------------------------

    def app_env(self, instance: str, **extra: str) -> dict[str, str]:
        # On SQLite there is one host, and its Whoosh index is in the instance folder that commands use too.
        folder = self.tmp / ("instance" if self.sqlite_path else instance)
        folder.mkdir(exist_ok=True)
        env = {**self.env, "KENES_INSTANCE_DIR": str(folder), "DATABASE_URL": self.database_url, **extra}
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        if self.database_url.startswith("postgresql"):
            env["SEARCH_BACKEND"] = "postgres"
        return env

    def flask(self, *args: str, check: bool = True, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
        """Run a flask command as an operator would on a host (env: settings to change, e.g. DATABASE_URL)."""
        result = subprocess.run(
            [str(BIN / "flask"), *args], cwd=ROOT, env=self.app_env("cli", **env), capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        if check and result.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{(result.stdout + result.stderr)[-3000:]}")
        return result

    def prepare(self, posters: int, voters: int, moderators: int) -> None:
        """Migrate, load the demo data, create the load's accounts, build the index."""
        self.flask("db", "upgrade")
        self.flask("seed-demo")
        accounts = [f"load{n}@example.kz,citizen" for n in range(posters)]
        accounts += [f"voter{n}@example.kz,citizen" for n in range(voters)]
        accounts += [f"mod{n}@example.kz,moderator" for n in range(moderators)]
        # As `flask users create` does, in one process rather than one command (seconds each) per account.
        subprocess.run(
            [str(BIN / "python"), "-c", CREATE_USERS, PASSWORD, *accounts], cwd=ROOT, env=self.app_env("cli"),
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        self.flask("search", "reindex")

    def start_host(self, name: str, workers: int = 2) -> str:
        """Start one gunicorn "host" with its own instance folder; return its base URL (see wait_for)."""
        port = free_port()
        self.spawn(
            name,
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60",
             "--graceful-timeout", "5", "--log-level", "warning", "wsgi:app"],
            env=self.app_env(name),
        )  # fmt: skip
        return f"http://127.0.0.1:{port}"

    def wait_for(self, name: str, base: str) -> str:
        """Wait until a host answers (its processes load the app meanwhile, alongside the others')."""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/ru/", timeout=5)  # noqa: S310 (our own server on 127.0.0.1)
                return base
            except OSError:
                if self.procs[name].poll() is not None:
                    break
                time.sleep(0.3)
        raise RuntimeError(f"{name} did not start:\n{self.logs[name].read_text(errors='replace')[-2000:]}")

    def start_worker(self, name: str = "worker") -> None:
        self.spawn(name, [str(BIN / "flask"), "worker"], env=self.app_env("worker"))

    def spawn(self, name: str, cmd: list[str], env: dict | None = None) -> None:
        log = self.logs.setdefault(name, self.tmp / f"{name}.log")
        with log.open("a") as out:
            # A session of its own: Ctrl-C reaches this script, which stops them in order.
            self.procs[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=env or self.env, stdout=out, stderr=out, start_new_session=True
            )

    def children(self, name: str) -> list[int]:
        """Process ids of a process's children (gunicorn's workers, the RQ worker's work horse)."""
        pid = self.procs[name].pid
        try:
            return [int(n) for n in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def kill(self, name: str) -> None:
        """kill -9 a process and its children, as a machine losing it would."""
        for pid in [*self.children(name), self.procs[name].pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.procs[name].wait(10)

    def stop(self, name: str, timeout: float = 15) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def tracebacks(self) -> Counter:
        """Tracebacks in the app processes' logs (an error page hides one from the client): {(log, error): n}."""
        found: Counter = Counter()
        for name, path in self.logs.items():
            if name in ("postgres", "redis") or not path.exists():
                continue
            lines = path.read_text(errors="replace").splitlines()
            for i, line in enumerate(lines):
                if line.startswith("Traceback"):
                    error = next((x for x in lines[i + 1 :] if x and not x.startswith((" ", "Traceback"))), "?")
                    found[(name, error[:160])] += 1
        return found

    def _wait_port(self, port: int, what: str) -> None:
        deadline = time.monotonic() + 20
        while not answers(port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer on {port}")
            time.sleep(0.1)

    def close(self) -> None:
        if self.verifier is not None and self.verifier.proc.poll() is None:
            self.verifier.proc.kill()
            self.verifier.proc.wait(5)
        for name in [n for n in self.procs if n != "redis"]:
            self.stop(name)
        self.stop("redis")
        if self.pg_ctl:
            subprocess.run([*self.pg_ctl, "-m", "immediate", "stop"], capture_output=True, cwd=self.tmp, check=False)
        if self._drop:
            server, name = self._drop
            engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool)
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()
        if self._flush_redis:
            try:
                self.redis().flushdb()
            except Exception as error:  # noqa: BLE001 (clean-up goes on)
                print(f"could not empty {self.redis_url}: {error}")
        if self.keep:
            print(f"kept {self.tmp} (logs, data)")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
