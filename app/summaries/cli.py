"""`flask summaries build SLUG [--version N]` and `flask summaries export SLUG --format F -o FILE`.

Built in the background, summaries run on `flask worker` (app/jobs.py) where REDIS_URL is set."""

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.db import write_transaction
from app.extensions import db
from app.laws.models import Law
from app.summaries.document import latest_snapshot
from app.summaries.exports import FORMATS, export_snapshot
from app.summaries.jobs import request_build, run_build
from app.summaries.models import BuildState
from app.summaries.review import get_snapshot

summaries_cli = AppGroup("summaries", help="Summaries of what the approved comments on a draft say.")


@summaries_cli.command("build")
@click.argument("slug")
@click.option("--version", "version_number", type=click.IntRange(1, 2_000_000_000), help="Default: the latest.")
def build_command(slug, version_number):
    """Build a new summary snapshot of a draft version's approved comments, printing progress."""
    law = db.session.scalar(select(Law).where(Law.slug == slug))
    if law is None:
        raise click.ClickException(f"No draft law with the slug '{slug}'.")
    version = law.version(version_number) if version_number else law.latest_version
    if version is None:
        raise click.ClickException(f"{slug} has no version {version_number or ''}".strip() + ".")
    # The build row is committed first so its progress can be watched; the build itself reads without a write
    # lock and writes its snapshot in one short transaction at the end (see app/summaries/jobs.py).
    with write_transaction():
        build_id = request_build(law, version, None, start=False).id
        db.session.commit()
    click.echo(f"Building the summary of {slug} v{version.number} (build {build_id})")

    def echo(step: str, percent: int) -> None:
        click.echo(f"{percent:3d}%  {step}")

    build = run_build(build_id, echo=echo)
    if build is None or build.state != BuildState.DONE:
        raise click.ClickException(f"Build {build_id} failed: {build.error if build else 'not found'}")
    data = build.snapshot.data
    totals = data["totals"]
    themes = sum(len(section["themes"]) for section in data["sections"])
    click.echo(
        f"Snapshot {build.snapshot.number} of {slug} v{version.number}: {totals['comments']} comments by "
        f"{totals['authors']} authors, {len(data['sections'])} units, {themes} themes, "
        f"{len(data['campaigns'])} campaigns."
    )


@summaries_cli.command("export")
@click.argument("slug")
@click.option("--snapshot", "number", type=click.IntRange(1, 2_000_000_000), help="Default: the latest built.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True)
@click.option("--lang", type=click.Choice(["kk", "ru", "en"]), help="Language of the labels. Default: Kazakh.")
@click.option("-o", "--output", type=click.File("wb"), required=True, help="The file to write ('-': standard output).")
def export_command(slug, number, fmt, lang, output):
    """Write a summary snapshot as its JSON document, its summary table (CSV, DOCX) or its report (PDF)."""
    law = db.session.scalar(select(Law).where(Law.slug == slug))
    if law is None:
        raise click.ClickException(f"No draft law with the slug '{slug}'.")
    snapshot = get_snapshot(law, number) if number else latest_snapshot(law)
    if snapshot is None:
        raise click.ClickException(f"{slug} has no summary snapshot {number or ''}".strip() + ".")
    export = export_snapshot(snapshot, fmt, lang or current_app.config["DEFAULT_LANGUAGE"])
    output.write(export.content)
    size = len(export.content)
    click.echo(f"Snapshot {snapshot.number} of {slug} ({snapshot.status}) as {fmt}: {size} bytes.", err=True)
