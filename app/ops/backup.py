"""Copies of the database taken while the site writes, checked before they are kept, and their restoring.

SQLite: the online backup API copies the database as of one moment (in WAL mode writers go on meanwhile), then
`PRAGMA integrity_check` reads the copy back. PostgreSQL: `pg_dump -Fc` (one snapshot), checked with
`pg_restore --list`; restored with `pg_restore` into an empty database. A copy is written beside its target and
renamed into place only once checked, so PATH never holds half a backup.
"""

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump and pg_restore, with argument lists, never a shell)
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, Engine

from app.extensions import db


class BackupError(Exception):
    """The copy could not be taken, checked or restored; the message says why."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up or restore.")
    return Path(url.database)


def _check_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from error
    finally:
        connection.close()
    if problems != ["ok"]:
        raise BackupError(f"{path} failed the integrity check: {'; '.join(problems[:5])}")


def _sqlite_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}  # an identifier, quotes doubled
        return {
            name: connection.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0]  # noqa: S608  # nosec B608
            for name in sorted(names)
            if not name.startswith("sqlite_")
        }
    finally:
        connection.close()


def _libpq(url: URL) -> tuple[str, dict]:
    """The URL as pg_dump reads it, and an environment holding the password (not on the command line, seen by ps)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict) -> str:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"{args[0]} is not installed (Debian: apt-get install postgresql-client).")
    result = subprocess.run([tool, *args[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()}")
    return result.stdout


def backup(engine: Engine, target: Path) -> dict[str, int]:
    """Write a checked copy of the database to target; return the tables (SQLite: with their row counts)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(_sqlite_path(engine.url))
            copy = sqlite3.connect(partial)
            try:
                # All pages in one step: one read transaction, so the copy is one moment's database; copying in
                # steps would restart at every write made meanwhile and might never finish under load.
                source.backup(copy)
            finally:
                copy.close()
                source.close()
            _check_sqlite(partial)
            tables = _sqlite_counts(partial)
        else:
            url, env = _libpq(engine.url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", url], env)
            listing = _run(["pg_restore", "--list", str(partial)], env)
            # "TABLE DATA public comments postgres" lines: one per table whose rows are in the dump.
            tables = {line.split()[-2]: -1 for line in listing.splitlines() if " TABLE DATA " in line}
            if not tables:
                raise BackupError("The dump holds no table data.")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return tables


def row_counts() -> dict[str, int]:
    """Rows in each of the app's tables, as the database now holds them."""
    present = set(inspect(db.engine).get_table_names())
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name in present
    }


def is_empty(engine: Engine) -> bool:
    """No rows in any table (a schema made by `flask db upgrade` alone is empty)."""
    with engine.connect() as connection:
        names = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
        for name in names:
            quoted = connection.dialect.identifier_preparer.quote(name)
            if connection.exec_driver_sql(f"SELECT 1 FROM {quoted} LIMIT 1").first():  # noqa: S608  # nosec B608
                return False
    return True


def restore(engine: Engine, source: Path, force: bool = False) -> None:
    """Replace the database's contents with a backup's; refuse a database holding rows unless force."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    if not force and not is_empty(engine):
        raise BackupError("The database is not empty: restore into an empty one, or pass --force to replace it.")
    engine.dispose()  # nothing of ours holds a lock on what is about to be replaced
    if engine.dialect.name == "sqlite":
        _check_sqlite(source)
        backup_file = sqlite3.connect(source)
        live = sqlite3.connect(_sqlite_path(engine.url))
        try:
            live.execute("PRAGMA busy_timeout=10000")
            backup_file.backup(live)
        finally:
            live.close()
            backup_file.close()
        _check_sqlite(_sqlite_path(engine.url))
    else:
        url, env = _libpq(engine.url)
        _run(["pg_restore", "--list", str(source)], env)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={url}",
                str(source),
            ],
            env,
        )
