"""Load and fault runs on 127.0.0.1, each ending with `PASS <scenario>`, `FAIL <scenario>: reasons` or `SKIPPED`.

Run: .venv/bin/python bench/multihost.py [--scenario load|kill|pg-restart|redis-stop|backup|sqlite-lock|all]
                                         [--seconds 60] [--clients 20] [--pg-server URL] [--redis-url URL]
A private PostgreSQL cluster and redis-server on free ports (never the shared ones: a restart here must not disturb
them), two gunicorn "hosts" of 2 workers each on the same database with SEARCH_BACKEND=postgres, one `flask worker`,
and clients posting, voting, approving (moderators with TOTP) and searching over both hosts (bench/fault_load.py).
  load         0 errors; comments stored = comments reported posted; `flask search verify` clean within 10 s;
               every job and mail done.
  kill         kill -9 of a gunicorn worker on each host and of the RQ worker (restarted) during the load:
               no partial rows, no duplicate from a retried form, every job and mail done after the restart.
  pg-restart   PostgreSQL stopped for 3 s during the load: only 503s with Retry-After, the hosts recover by
               themselves.
  redis-stop   Redis stopped for a while during the load: every answer ok, comments accepted, jobs run after.
  backup       `flask backup` during the load, `flask restore` into an empty database: every row, index clean.
  sqlite-lock  one gunicorn on SQLite; another process holds BEGIN EXCLUSIVE for 3 s (no error), then for 10 s
               (503 with Retry-After, no 500).
--pg-server/--redis-url (load only) use a throw-away database on a running server and a Redis database (emptied)
instead of private ones: CI's run (tests/test_multihost.py). Exit status 1 if any scenario fails.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fault_checks import (  # noqa: E402
    Verifier,
    check_comments,
    check_jobs,
    check_restored,
    check_search,
    rq_backlog,
    table_counts,
    unsent_mail,
)
from bench.fault_load import Load, roles  # noqa: E402
from bench.fault_stack import ROOT, Stack  # noqa: E402

SCENARIOS = ("load", "kill", "pg-restart", "redis-stop", "backup", "sqlite-lock")


class MissingFeatureError(Exception):
    """A scenario needs something the app does not have yet."""


def needs(what: str, present: bool) -> None:
    if not present:
        raise MissingFeatureError(what)


def app_has(text: str, *paths: str) -> bool:
    return any(text in path.read_text(errors="replace") for pattern in paths for path in ROOT.glob(pattern))


def multihost(args, stack: Stack, private: bool = True) -> tuple[Load, list[str]]:
    """Start the services (private unless given), two hosts and a worker; return an idle Load over both hosts."""
    if private or not args.pg_server:
        stack.start_postgres()
    else:
        stack.use_postgres_server(args.pg_server.rstrip("/"))
    if private or not args.redis_url:
        stack.start_redis()
    else:
        stack.use_redis(args.redis_url)
    split = roles(args.clients)
    stack.prepare(split["post"], split["vote"], split["approve"])
    bases = [stack.start_host("host1"), stack.start_host("host2")]
    stack.start_worker()
    stack.verifier = Verifier(stack)
    for name, base in zip(("host1", "host2"), bases, strict=True):
        stack.wait_for(name, base)
    print(f"PostgreSQL {stack.database_url}, Redis {stack.redis_url}, hosts {' '.join(bases)}", flush=True)
    print(f"set up in {time.monotonic() - stack.created:.0f} s (migrate, demo data, accounts, index, processes)")
    return Load(bases, args.clients), bases


def at(load: Load, fraction: float, seconds: float) -> None:
    """Sleep until `fraction` of the run has passed."""
    time.sleep(max(0.0, load.started + fraction * seconds - time.monotonic()))


def after_load(stack: Stack, load: Load, allowed: tuple[str, ...] = (), tracebacks: bool = True) -> list[str]:
    load.report()
    reasons = load.problems(allowed)
    reasons += check_comments(stack.database_url, load)
    reasons += check_search(stack, stack.verifier)
    if stack.redis_url:
        reasons += check_jobs(stack)
    found = stack.tracebacks()
    print(f"tracebacks in the app logs: {sum(found.values())}")
    for (log, error), n in found.most_common(5):
        print(f"  {n} x {log}: {error}")
    return reasons + ([f"{sum(found.values())} tracebacks in the app logs"] if found and tracebacks else [])


def scenario_load(args, stack: Stack) -> list[str]:
    load, _ = multihost(args, stack, private=False)
    load.run(args.seconds)
    return after_load(stack, load)


def scenario_kill(args, stack: Stack) -> list[str]:
    needs("the mail outbox and generic jobs (jobs14)", app_has("outbox", "migrations/versions/*.py"))
    load, _ = multihost(args, stack)
    killed = []

    def faults(load: Load) -> None:
        for fraction, name in ((0.25, "host1"), (0.45, "worker"), (0.65, "host2")):
            at(load, fraction, args.seconds)
            if name == "worker":
                stack.kill("worker")
                killed.append("RQ worker (and its work horse)")
                print(f"  {time.monotonic() - load.started:4.1f} s: kill -9 {killed[-1]}", flush=True)
                time.sleep(max(2.0, 0.15 * args.seconds))  # approvals meanwhile queue mail for nobody to send
                unsent, _ = unsent_mail(stack.database_url)
                waiting, _, _ = rq_backlog(stack)
                print(f"  {unsent} mails unsent, {waiting} jobs waiting when the worker starts again", flush=True)
                stack.start_worker()
            else:
                workers = stack.children(name)
                if workers:
                    os.kill(workers[0], signal.SIGKILL)
                    killed.append(f"{name} worker {workers[0]}")
                    print(f"  {time.monotonic() - load.started:4.1f} s: kill -9 {killed[-1]}", flush=True)

    load.run(args.seconds, faults)
    print(f"killed: {', '.join(killed)}")
    # The killed requests' tracebacks (if any) are the kill's, not a bug's: counted, not failed on.
    return after_load(stack, load, allowed=("connection",), tracebacks=False)


def scenario_pg_restart(args, stack: Stack) -> list[str]:
    needs("503 with Retry-After on a database error (ops14)", app_has("Retry-After", "app/main/errors.py"))
    load, bases = multihost(args, stack)
    marks = {}

    def faults(load: Load) -> None:
        at(load, 0.3, args.seconds)
        marks["ok before"] = load.count("ok")
        stack.postgres("stop")
        print(f"  {time.monotonic() - load.started:4.1f} s: PostgreSQL stopped", flush=True)
        time.sleep(3)
        stack.postgres("start")
        marks["ok at restart"] = load.count("ok")
        print(f"  {time.monotonic() - load.started:4.1f} s: PostgreSQL started again", flush=True)

    load.run(args.seconds, faults)
    ok_after = load.count("ok") - marks["ok at restart"]
    reasons = after_load(stack, load, allowed=("503 retry",), tracebacks=False)
    answers = []
    for base in bases:  # the same gunicorn processes, never restarted
        try:
            answers.append(urllib.request.urlopen(base + "/ru/laws/", timeout=10).status)  # noqa: S310 (127.0.0.1)
        except OSError as error:
            answers.append(str(error))
    print(f"answers ok after the restart: {ok_after}; each host now: {answers}")
    if ok_after == 0 or any(status != 200 for status in answers):
        reasons.append("the hosts did not recover by themselves")
    if not load.count("503 retry"):
        print("(no request met the stopped database: nothing in flight to refuse)")
    return reasons


def scenario_redis_stop(args, stack: Stack) -> list[str]:
    needs("the mail outbox and generic jobs (jobs14)", app_has("outbox", "migrations/versions/*.py"))
    load, _ = multihost(args, stack)
    notes = {}

    def faults(load: Load) -> None:
        at(load, 0.25, args.seconds)
        stack.stop("redis")
        print(f"  {time.monotonic() - load.started:4.1f} s: Redis stopped", flush=True)
        at(load, 0.65, args.seconds)
        notes["posted while down"] = len(load.posted)
        stack.start_redis()
        print(f"  {time.monotonic() - load.started:4.1f} s: Redis started again (empty)", flush=True)
        if stack.procs["worker"].poll() is not None:
            notes["worker"] = f"the RQ worker had exited ({stack.procs['worker'].returncode}); started again"
            stack.start_worker()

    load.run(args.seconds, faults)
    print(notes.get("worker", "the RQ worker stayed up"))
    return after_load(stack, load, tracebacks=False)


def scenario_backup(args, stack: Stack) -> list[str]:
    needs("flask backup / flask restore (ops14)", app_has('"restore"', "app/*/cli.py", "app/*.py"))
    load, _ = multihost(args, stack)
    path = stack.tmp / "kenes.backup"
    marks = {}

    def faults(load: Load) -> None:
        at(load, 0.4, args.seconds)
        marks["before"] = table_counts(stack.database_url)
        started = time.monotonic()
        result = stack.flask("backup", str(path), check=False)
        marks["backup"] = (result.returncode, time.monotonic() - started, (result.stdout + result.stderr)[-1500:])
        print(f"  flask backup: exit {result.returncode} in {marks['backup'][1]:.1f} s during the load", flush=True)

    load.run(args.seconds, faults)
    reasons = after_load(stack, load)
    code, _, output = marks["backup"]
    if code:
        return [*reasons, f"flask backup failed: {output}"]
    after = table_counts(stack.database_url)
    restored_url = stack.database_url.rsplit("/", 1)[0] + "/restored"
    stack._create_database(restored_url.rsplit("/", 1)[0], "restored")
    result = stack.flask("restore", str(path), check=False, DATABASE_URL=restored_url)
    if result.returncode:
        return [*reasons, f"flask restore into an empty database failed: {(result.stdout + result.stderr)[-1500:]}"]
    print("restored into an empty database; rows per table:")
    reasons += check_restored(marks["before"], after, table_counts(restored_url))
    reasons += [f"restored: {reason}" for reason in check_comments(restored_url, load, "restored comments")
                if "lost" not in reason and "never reported" not in reason]  # fmt: skip
    if check_search(stack, DATABASE_URL=restored_url):
        print("  as `flask restore` says: flask search reindex, then verify")
        stack.flask("search", "reindex", DATABASE_URL=restored_url)
        reasons += check_search(stack, DATABASE_URL=restored_url)
    return reasons


def scenario_sqlite_lock(args, stack: Stack) -> list[str]:
    needs("503 with Retry-After on a database error (ops14)", app_has("Retry-After", "app/main/errors.py"))
    stack.use_sqlite()
    clients = min(args.clients, 6)
    split = roles(clients)
    stack.prepare(split["post"], split["vote"], split["approve"])
    base = stack.start_host("host1")
    stack.verifier = Verifier(stack)
    load = Load([stack.wait_for("host1", base)], clients)
    windows = {}

    def hold(seconds: float) -> None:
        before = {name: load.count(name) for name in ("ok", "503 retry", "5xx", "timeout", "connection", "4xx")}
        holder = subprocess.Popen(
            [sys.executable, "-c", "import sqlite3, sys, time\n"
             "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)\n"
             "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(float(sys.argv[2]))\n"
             "c.execute('ROLLBACK')", str(stack.sqlite_path), str(seconds)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        holder.stdout.readline()
        print(f"  {time.monotonic() - load.started:4.1f} s: another process holds BEGIN EXCLUSIVE for {seconds:.0f} s")
        holder.wait()
        time.sleep(3)  # the writers that waited finish
        windows[seconds] = {name: load.count(name) - n for name, n in before.items()}
        print(f"  lock of {seconds:.0f} s: answers {windows[seconds]}", flush=True)

    def faults(load: Load) -> None:
        time.sleep(3)
        hold(3)
        hold(10)

    load.run(0, faults)
    # A locked database's traceback is the lock's, not a bug's: counted, not failed on.
    reasons = after_load(stack, load, allowed=("503 retry",), tracebacks=False)
    short, long = windows[3], windows[10]
    if any(n for name, n in short.items() if name != "ok"):
        reasons.append(f"a 3 s lock caused errors: {short}")
    if not long["503 retry"]:
        reasons.append("a 10 s lock caused no 503 with Retry-After")
    return reasons


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", choices=(*SCENARIOS, "all"), default="load")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--pg-server", help="load only: e.g. postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", help="load only: e.g. redis://127.0.0.1:6379/14 (emptied before and after)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, data) of each scenario")
    args = parser.parse_args()
    # SIGTERM (a CI timeout) cleans up as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    failed = False
    for name in SCENARIOS if args.scenario == "all" else (args.scenario,):
        print(f"== {name}: {args.clients} clients, {args.seconds:.0f} s ==", flush=True)
        stack = Stack(name, keep=args.keep)
        try:
            reasons = globals()[f"scenario_{name.replace('-', '_')}"](args, stack)
        except MissingFeatureError as missing:
            print(f"SKIPPED {name}: {missing} is missing", flush=True)
            continue
        except KeyboardInterrupt:
            print(f"FAIL {name}: interrupted", flush=True)
            return 1
        except Exception as error:  # noqa: BLE001 (a broken run is a failed run, with its reason)
            reasons = [f"{type(error).__name__}: {error}"]
        finally:
            stack.close()
        failed |= bool(reasons)
        print(f"FAIL {name}: {'; '.join(reasons)}" if reasons else f"PASS {name}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
