"""What a fault run checks in the database, the search index and the job queues after the load; each prints figures.

Every check returns a list of reasons to fail (empty: passed).
"""

import os
import subprocess
import sys
import time

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from bench.fault_load import MARK, Load
from bench.fault_stack import ROOT, Stack

# Tables that only grow during a load: a restored backup holds at least the rows they had when the backup began.
GROWING = ("users", "comments", "comment_revisions", "comment_votes", "moderation_actions", "notifications")


def engine_for(url: str):
    args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return create_engine(url, poolclass=NullPool, connect_args=args)


def check_comments(url: str, load: Load, label: str = "comments") -> list[str]:
    """Stored = posted, no duplicate, no partial row (screening, audit row, vote counts)."""
    engine = engine_for(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, body, state FROM comments WHERE body LIKE :m"), {"m": f"%{MARK}%"}).all()
        screened = set(conn.scalars(text("SELECT comment_id FROM comment_screenings")))
        audited = set(conn.scalars(text("SELECT comment_id FROM moderation_actions WHERE action = 'approve'")))
        miscounted = conn.scalar(
            text(
                "SELECT count(*) FROM comments c WHERE agree_count <> (SELECT count(*) FROM comment_votes v "
                "WHERE v.comment_id = c.id AND v.value = 1) OR disagree_count <> (SELECT count(*) FROM comment_votes v "
                "WHERE v.comment_id = c.id AND v.value = -1)"
            )
        )
        votes = conn.scalar(text("SELECT count(*) FROM comment_votes"))
    engine.dispose()
    bodies: dict[str, list[int]] = {}
    for comment_id, body, _state in rows:
        bodies.setdefault(body, []).append(comment_id)
    duplicates = sum(len(ids) - 1 for ids in bodies.values())
    lost = set(load.posted) - set(bodies)
    unreported = set(bodies) - set(load.posted) - load.gave_up
    approved = [comment_id for comment_id, _body, state in rows if state == "approved"]
    unscreened = [comment_id for comment_id, _body, _state in rows if comment_id not in screened]
    unaudited = [comment_id for comment_id in approved if comment_id not in audited]
    print(
        f"{label}: posted {len(load.posted)}, stored {len(rows)} (approved {len(approved)}), lost {len(lost)}, "
        f"duplicates {duplicates}, stored but never reported {len(unreported)}; partial rows: without screening "
        f"{len(unscreened)}, approved without audit row {len(unaudited)}, vote counts off {miscounted} "
        f"({votes} votes)"
    )
    figures = {
        "comments lost": len(lost), "duplicate comments": duplicates, "comments stored but never reported":
        len(unreported), "comments without screening": len(unscreened), "approved comments without audit row":
        len(unaudited), "comments whose vote counts differ from their votes": miscounted,
    }  # fmt: skip
    return [f"{n} {what}" for what, n in figures.items() if n]


# Started before the load ends, so the time measured is the index catching up, not a command starting (seconds
# on a busy machine): the same comparison as `flask search verify`, repeated until clean.
VERIFIER = """
import sys, time
from app import create_app
from app.extensions import db
from app.search.cli import compare
with create_app().app_context():
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    while True:
        try:
            clean = compare().clean
        except Exception as error:
            clean = False
        db.session.rollback()
        if clean or time.monotonic() - started > float(sys.argv[1]):
            print(clean, round(time.monotonic() - started, 1), flush=True)
            break
        time.sleep(0.2)
"""


class Verifier:
    """A process with the app loaded, waiting to compare the index with the database once the load stops."""

    def __init__(self, stack: Stack, within: float = 10):
        self.within = within
        self.proc = subprocess.Popen(
            [sys.executable, "-c", VERIFIER, str(within)], cwd=ROOT, env=stack.app_env("cli"), text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def result(self) -> tuple[bool, str]:
        if self.proc.stdout.readline().strip() != "ready":
            return False, "? (the verifier did not start)"
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        clean, seconds = (self.proc.stdout.readline().split() + ["False", "?"])[:2]
        self.proc.wait(10)
        return clean == "True", seconds


def check_search(stack: Stack, verifier: Verifier | None = None, **env: str) -> list[str]:
    """The index equal to the database within the verifier's time after the load, and `flask search verify` clean."""
    reasons = []
    if verifier is not None:
        clean, seconds = verifier.result()
        print(f"index = database {seconds} s after the load" if clean else
              f"index NOT equal to the database within {verifier.within:.0f} s after the load")  # fmt: skip
        reasons += [] if clean else [f"search index differs from the database {verifier.within:.0f} s after the load"]
    result = stack.flask("search", "verify", check=False, **env)
    print(f"flask search verify: exit {result.returncode}: {(result.stdout + result.stderr).strip()[-400:]}")
    return reasons + ([f"flask search verify failed (exit {result.returncode})"] if result.returncode else [])


def outbox_table(url: str) -> tuple[str, list[str]] | None:
    """The mail outbox table and its columns, where the app has one."""
    engine = engine_for(url)
    try:
        names = inspect(engine).get_table_names()
        table = next((name for name in names if "outbox" in name), None)
        return (table, [column["name"] for column in inspect(engine).get_columns(table)]) if table else None
    finally:
        engine.dispose()


def unsent_mail(url: str) -> tuple[int, str]:
    """(mail not yet sent, a figure line) from the outbox table."""
    found = outbox_table(url)
    if found is None:
        return 0, "no mail outbox table"
    table, columns = found
    engine = engine_for(url)
    with engine.connect() as conn:
        total = conn.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608 (a table name read from the schema)
        if "sent_at" in columns:
            unsent = conn.scalar(text(f"SELECT count(*) FROM {table} WHERE sent_at IS NULL"))  # noqa: S608
        else:
            column = next(name for name in ("state", "status") if name in columns)
            states = dict(conn.execute(text(f"SELECT {column}, count(*) FROM {table} GROUP BY {column}")).all())  # noqa: S608
            unsent = sum(n for state, n in states.items() if state != "sent")
    engine.dispose()
    return unsent, f"mail in {table}: {total}, not sent {unsent}"


def _alive(pid: bytes | None) -> bool:
    try:
        os.kill(int(pid), 0)
        return True
    except (TypeError, ValueError, ProcessLookupError):
        return False


def rq_backlog(stack: Stack) -> tuple[int, int, str]:
    """(jobs queued or running, jobs failed, a figure line) over every RQ queue.

    A job left "started" by a worker that was killed (its process is gone: everything runs on this machine) is
    counted apart as abandoned: RQ moves it to "failed" only later, and what it was doing is checked in its table.
    """
    redis = stack.redis()
    waiting = failed = 0
    parts = []
    for key in sorted(k.decode() for k in redis.smembers("rq:queues")):
        name = key.removeprefix("rq:queue:")
        running = abandoned = 0
        for entry in redis.zrange(f"rq:wip:{name}", 0, -1):  # "job id:execution id"
            worker = redis.hget(f"rq:job:{entry.decode().partition(':')[0]}", "worker_name")
            pid = redis.hget(f"rq:worker:{worker.decode()}", "pid") if worker else None
            if _alive(pid):
                running += 1
            else:
                abandoned += 1
        queued, dead = redis.llen(key), redis.zcard(f"rq:failed:{name}")
        waiting += queued + running
        failed += dead
        parts.append(f"{name} {queued} queued/{running} running/{abandoned} abandoned by a killed worker/{dead} failed")
    return waiting, failed, "RQ: " + ("; ".join(parts) or "no queue")


def check_jobs(stack: Stack, within: float = 60) -> list[str]:
    """Every queued job and mail done within `within` seconds after the load; none failed."""
    started = time.monotonic()
    while True:
        unsent, mail_line = unsent_mail(stack.database_url)
        waiting, failed, rq_line = rq_backlog(stack)
        done = not (unsent or waiting)
        if done or time.monotonic() - started > within:
            print(f"{mail_line}; {rq_line} ({time.monotonic() - started:.1f} s after the load)")
            reasons = [f"{unsent} mails not sent"] if unsent else []
            reasons += [f"{waiting} jobs still queued or running"] if waiting else []
            return reasons + ([f"{failed} jobs failed"] if failed else [])
        time.sleep(1)


def table_counts(url: str, tables=GROWING) -> dict[str, int]:
    engine = engine_for(url)
    with engine.connect() as conn:
        counts = {table: conn.scalar(text(f"SELECT count(*) FROM {table}")) for table in tables}  # noqa: S608
    engine.dispose()
    return counts


def check_restored(before: dict[str, int], after: dict[str, int], restored: dict[str, int]) -> list[str]:
    """Each growing table restored with at least the rows it had when the backup began, at most those at the end."""
    reasons = []
    for table, n in restored.items():
        print(f"  {table:22} at backup start {before[table]:6d}, restored {n:6d}, at the end {after[table]:6d}")
        if not before[table] <= n <= after[table]:
            reasons.append(f"{table}: restored {n} rows, outside {before[table]}..{after[table]}")
    return reasons
