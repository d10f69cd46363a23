"""Database plumbing shared by every domain: UTC timestamps and SQLite connection settings."""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import wraps

from blinker import Namespace
from flask import current_app, has_request_context, request
from sqlalchemy import DateTime, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.types import TypeDecorator

# Sent with the session after write(): a write the ORM's own events do not see (app.caching listens).
core_write = Namespace().signal("core-write")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READS_FIRST = "kenes_reads_first"
WRITER_INFO = "kenes_writer"
_WRITING = "kenes.writing"  # in the request's environ: set by start_writing() for the rest of the request
_write_intent: ContextVar[bool] = ContextVar("kenes_write_intent", default=False)


def reads_first(view):
    """Mark a view that reads and checks before it writes: its request stays a reader until start_writing()."""
    setattr(view, READS_FIRST, True)
    return view


def start_writing() -> None:
    """End a reads_first request's read transaction, so that its next statement takes SQLite's write lock."""
    from app.extensions import db

    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("start_writing() after the request changed rows: they would be written unlocked")
    # Nothing was written: the commit only ends the read snapshot. What was read stays loaded, as read: what the
    # writes depend on (a unique key, a count) is queried again under the lock.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    request.environ[_WRITING] = True


def read(statement, params: dict | None = None):
    """Run a Core read on the session's connection, after flushing the session: its rows, without the ORM's work."""
    # The ORM's per-statement work (its execute pipeline, events and result wrapping) cost about 0.08 ms a statement,
    # more than SQLite's own for a keyed look-up; a comment's post runs several of them under the write lock.
    connection = _flushed_connection()
    if isinstance(statement, Prepared):
        return statement.run(connection, params or {})
    return connection.execute(statement, params or {})


def write(statement: "Prepared", rows: dict | list[dict]):
    """Run a prepared INSERT or UPDATE on the session's connection, once per row (one executemany for a list)."""
    from app.extensions import db

    result = statement.run(_flushed_connection(), rows)
    # The ORM saw no write (no flush, no ORM execute): its listeners, the page cache's, learn of it here.
    core_write.send(db.session())
    return result  # rows of a RETURNING clause


def insert_new(obj, statement: "Prepared") -> None:
    """Store a new mapped object with a Prepared.insert_into statement, without the ORM's flush (its unit of work cost
    as much as the other statements of a comment post under the write lock); the object then sits in the session as
    if loaded, every column set, the defaults a flush would have applied included."""
    from app.extensions import db

    table, row = obj.__table__, {}
    for key in statement.columns:
        if key not in obj.__dict__:
            default = table.columns[key].default
            setattr(obj, key, None if default is None else default.arg if default.is_scalar else default.arg(None))
        row[key] = getattr(obj, key)
    result = write(statement, row)
    if table.autoincrement_column is not None:
        setattr(obj, table.autoincrement_column.key, result.scalar_one())
    make_transient_to_detached(obj)
    db.session.add(obj)


def _flushed_connection():
    from app.extensions import db

    session = db.session()
    session.flush()  # what autoflush would have done: the statement sees (and follows) the session's own changes
    return session.connection()


class Prepared:
    """A statement built once, compiled once per dialect and run through the driver (read/write).

    For the few keyed statements a comment's post runs under SQLite's write lock: SQLAlchemy's work per execution
    (cache key of the whole statement, compiled-cache look-up, parameter processing, result set-up) was about two
    thirds of each one's time there, measured on look_alikes' statements: 0.09-0.17 ms through Core, 0.04-0.05 through
    the driver. Parameters are converted by their types (a UTC datetime as the column stores it); rows come as the
    driver returns them, untyped, so a prepared SELECT returns ids, counts, text or bytes, never dates or booleans.
    Statement events still fire (exec_driver_sql), so statement counts stay true.
    """

    def __init__(self, statement, *, columns: list[str] | None = None):
        self.statement = statement
        self.columns = columns  # an INSERT's columns: each row gives every one (no defaults are applied)
        self._plans: dict[str, tuple] = {}

    @classmethod
    def insert_into(cls, table) -> "Prepared":
        """An INSERT giving every column of the table but its autoincrement key, which it returns (see insert_new)."""
        for column in table.columns:
            default = column.default
            if (default is not None and not (default.is_scalar or default.is_callable)) or (
                column.server_default is not None and default is None
            ):
                # insert_new works a default out in Python, as the ORM's flush would; it cannot run SQL for one.
                raise ValueError(f"{table.name}.{column.key}: a prepared INSERT needs a Python default")
        key = table.autoincrement_column
        statement = insert(table) if key is None else insert(table).returning(key)
        return cls(statement, columns=[column.key for column in table.columns if column is not key])

    def _plan(self, dialect) -> tuple[str, list[tuple[bool, object, object]], list[str] | None]:
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        plan = self._plans.get(key)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.columns)
            if "POSTCOMPILE" in compiled.string:
                raise ValueError("a prepared statement cannot take a list of values (IN) or literal parameters")
            if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
                # A column default or onupdate is worked out per execution by SQLAlchemy, which this bypasses.
                raise ValueError("a prepared INSERT or UPDATE must give every column that has a default")
            # Positional drivers (sqlite3) take a tuple in the compiled order; named ones (psycopg) a dict by name.
            if compiled.positional:
                entries = [(name, compiled.binds[name]) for name in compiled.positiontup]
            else:
                escaped = compiled.escaped_bind_names
                entries = [(escaped.get(name, name), bind) for bind, name in compiled.bind_names.items()]
            slots = []
            for _name, bind in entries:
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if bind.unique:
                    # An anonymous value of the statement itself (a band number, a LIMIT): fixed when compiled.
                    value = bind.effective_value
                    slots.append((False, process(value) if process else value, None))
                else:
                    slots.append((True, bind.key, process))  # a named parameter: given on each run
            names = None if compiled.positional else [name for name, _bind in entries]
            plan = self._plans[key] = (compiled.string, slots, names)
        return plan

    def run(self, connection, params: dict | list[dict]):
        """Execute on this connection with these parameters (a list: one executemany); return the cursor result."""
        sql, slots, names = self._plan(connection.dialect)

        def values(given: dict):
            converted = [
                ((process(given[key]) if process else given[key]) if named else key) for named, key, process in slots
            ]
            return tuple(converted) if names is None else dict(zip(names, converted, strict=True))

        if isinstance(params, list):
            return connection.exec_driver_sql(sql, [values(row) for row in params])
        return connection.exec_driver_sql(sql, values(params))


def _request_writes() -> bool:
    if request.method in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, READS_FIRST, False) or request.environ.get(_WRITING, False)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Mark work outside a request (a CLI command) as a writer, so SQLite takes the write lock up front."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def writes(command):
    """Run a CLI command as a writer (see write_transaction)."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        with write_transaction():
            return command(*args, **kwargs)

    return wrapper


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Store naive UTC, return aware UTC, so SQLite and PostgreSQL behave the same."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def configure_sqlite(engine: Engine, busy_timeout: float = 8) -> None:
    """Use WAL, a busy timeout (seconds) and BEGIN IMMEDIATE for writes, as measured in docs/tech-notes.md."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A deferred transaction that reads and then writes fails under concurrent workers, so writers
        # (non-GET requests, commands inside write_transaction()) take the lock up front. Everything else
        # stays deferred: a reader holding the write lock would make every worker wait for it. A view marked
        # reads_first (posting a comment) does its reads, checks and text work first, then calls start_writing():
        # the lock is held only for the writes, since one writer at a time is what bounds posting.
        writer = _request_writes() if has_request_context() else _write_intent.get()
        conn.info[WRITER_INFO] = writer  # which kind this transaction is (bench/http_clients.py reads it)
        if writer:
            _begin_immediate(conn, busy_timeout)
        else:
            conn.exec_driver_sql("BEGIN")


# How often a writer asks again for SQLite's write lock while another holds it: the first wait and the longest.
LOCK_POLL_FIRST, LOCK_POLL_MAX = 0.0002, 0.002


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _begin_immediate(conn, busy_timeout: float) -> None:
    """Take SQLite's write lock as soon as it is free, for up to busy_timeout seconds."""
    # SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries: a writer that found the lock
    # taken slept on for milliseconds after a 3 ms transaction had ended, and under 20 posting clients the workers
    # spent a quarter of their time so (bench/http_pages.py). Short polls hand the lock over within a fraction of a
    # millisecond. Statements inside the transaction keep the busy timeout (a checkpoint may still need it).
    raw = conn.connection.driver_connection
    deadline = time.monotonic() + busy_timeout
    delay = LOCK_POLL_FIRST
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    break
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, LOCK_POLL_MAX)
        # Out of time (or another error): once more through SQLAlchemy, which raises its own OperationalError, the
        # one the app answers with a 503.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
