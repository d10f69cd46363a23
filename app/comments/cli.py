"""`flask comments import`: comments received by letter, at hearings, through e-Otinish or other portals."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import AppGroup

from app.comments.import_files import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, ImportFileError
from app.comments.importing import IMPORT_CHANNELS, import_comments
from app.db import writes
from app.extensions import db

comments_cli = AppGroup("comments", help="Comments from other channels.")

# A file with thousands of bad rows (the wrong file) should not scroll the terminal for minutes.
MAX_LISTED = 200
SQLITE_CACHE_KIB = 64 * 1024


@contextmanager
def _larger_sqlite_cache() -> Iterator[None]:
    """Give SQLite a larger page cache while a whole file is written in one transaction."""
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    # With the default 2 MB the cache spilled, and each thousand rows took longer than the one before
    # (bench/import_comments.py); the pooled connection gets the default back afterwards.
    if sqlite:
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        if sqlite and not connection.closed:
            connection.exec_driver_sql("PRAGMA cache_size = -2000")


@comments_cli.command(
    "import",
    epilog=f"Required columns: {', '.join(REQUIRED_COLUMNS)}. Optional: {', '.join(OPTIONAL_COLUMNS)}. "
    f"Channels: {', '.join(IMPORT_CHANNELS)}.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Import the good rows and skip the bad ones (they are listed).")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would be imported; write nothing.")
@writes
def import_command(file: Path, skip_bad: bool, dry_run: bool):
    """Import comments from a CSV or JSONL FILE.

    Columns: ref, law, version (empty: the latest), section (5, 4.2, 3.2.1), language (kk/ru/en, empty: detect),
    stance (support/oppose/neutral/amend), body, proposed (the wording, for amend), author, channel
    (portal/letter/hearing/e-otinish/other), received_at (2026-03-05, 2026-03-05T14:30 or 05.03.2026; Almaty
    time unless an offset is given). Other columns are ignored. Rows already imported are skipped, so the same
    file can be run again.
    """
    started = time.perf_counter()

    def progress(rows):
        # click hides the bar when the output is not a terminal and prints the label once.
        return click.progressbar(rows, label=f"Importing {len(rows)} comments", show_pos=True)

    try:
        with _larger_sqlite_cache():
            report = import_comments(file, skip_bad=skip_bad, dry_run=dry_run, progress=progress)
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    for line, message in report.bad[:MAX_LISTED]:
        click.echo(f"line {line}: {message}", err=True)
    if len(report.bad) > MAX_LISTED:
        click.echo(f"... and {len(report.bad) - MAX_LISTED} more bad rows", err=True)
    existing = f"{report.skipped_existing} already imported"
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {report.checked} comments to add, {existing}, {len(report.bad)} bad rows.")
        return
    if report.bad and not skip_bad:
        db.session.rollback()
        raise click.ClickException(
            f"{len(report.bad)} bad rows, nothing imported. Fix them, or give --skip-bad to import the other "
            f"{report.checked}."
        )
    db.session.commit()
    seconds = time.perf_counter() - started
    skipped = f", {len(report.bad)} bad rows skipped" if report.bad else ""
    click.echo(f"Imported {report.added} comments ({existing}{skipped}) in {seconds:.1f} s.")
