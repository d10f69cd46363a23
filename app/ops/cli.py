"""`flask backup PATH` and `flask restore PATH [--force]`."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.ops.backup import BackupError, backup, restore, row_counts


def _echo_counts(counts: dict[str, int]) -> None:
    width = max((len(name) for name in counts), default=0)
    for name, count in counts.items():
        click.echo(f"  {name:<{width}}  {count if count >= 0 else ''}".rstrip())


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Write a copy of the database to PATH while the site keeps writing, and check it before keeping it."""
    try:
        tables = backup(db.engine, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    size = path.stat().st_size
    click.echo(f"Backed up {db.engine.dialect.name} to {path} ({size} bytes, {len(tables)} tables, checked).")
    _echo_counts(tables)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds rows.")
@with_appcontext
def restore_command(path: Path, force: bool):
    """Restore a `flask backup` copy into the (empty) database; stop the web, worker and scheduler first."""
    db.session.remove()
    try:
        restore(db.engine, path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    counts = row_counts()
    db.session.remove()
    click.echo(f"Restored {path}: {sum(counts.values())} rows in {len(counts)} tables.")
    _echo_counts(counts)
    click.echo("Then rebuild the search index from the restored rows: `flask search reindex`.")
