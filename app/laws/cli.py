"""Commands: `flask laws import`, and `list`, `open`, `close` to run a consultation from the terminal."""

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.db import utcnow, writes
from app.extensions import db
from app.laws.files import read_upload
from app.laws.importing import AlignmentError, add_language, publish_version
from app.laws.messages import parse_error_message
from app.laws.models import LANGS, STATUS_VALUES, Law, LawStatus
from app.laws.parser import ParseError
from app.laws.services import LawError, change_status, create_law, set_window
from app.laws.signals import laws_listed
from app.laws.structure import describe_key, parse_text
from app.organisations.models import Agency, Committee

laws_cli = AppGroup("laws", help="Manage draft laws.")


def _fail(message: str) -> NoReturn:
    db.session.rollback()
    raise click.ClickException(message)


def _find(model, slug: str | None, what: str):
    if not slug:
        return None
    found = db.session.scalar(select(model).where(model.slug == slug))
    if found is None:
        _fail(f"No {what} with the slug '{slug}'.")
    return found


@laws_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", "lang", type=click.Choice(LANGS), required=True, help="Language of the text.")
@click.option("--law", "law_slug", help="Add to this existing draft instead of creating a new one.")
@click.option(
    "--version",
    "version_number",
    type=click.IntRange(1, 2_000_000_000),
    help="With --law: add the language to this version.",
)
@click.option("--title", help="Title of a new draft (default: the text's own title lines).")
@click.option("--slug", help="Web address of a new draft (default: made from the title).")
@click.option(
    "--agency",
    "agency_slug",
    help="Drafting agency of a new draft; required when there are several agencies (default: the only one).",
)
@click.option("--committee", "committee_slug", help="Responsible committee of a new draft.")
@click.option("--note", help="What changed, for a new version.")
@writes
def import_command(file, lang, law_slug, version_number, title, slug, agency_slug, committee_slug, note):
    """Import a draft law's text (.txt or .docx), split into chapters, articles, points and sub-points."""
    with force_locale("en"):
        try:
            text = read_upload(file.name, file.read_bytes())
            parsed, flat = parse_text(text, lang)
        except ParseError as error:
            _fail(parse_error_message(error))
        except LawError as error:
            _fail(str(error))
        try:
            if law_slug:
                law = _find(Law, law_slug, "draft law")
                if version_number is None:
                    version = publish_version(law, lang=lang, text=text, filename=file.name, note=note)
                    action = f"Published version {version.number} of {law.slug}"
                else:
                    version = law.version(version_number)
                    if version is None:
                        _fail(f"{law.slug} has no version {version_number}.")
                    add_language(version, lang=lang, text=text, filename=file.name)
                    if not getattr(law, f"title_{lang}") and parsed.title:
                        setattr(law, f"title_{lang}", parsed.title[:500])
                    action = f"Added {lang} to version {version.number} of {law.slug}"
            else:
                if version_number is not None:
                    _fail("--version needs --law.")
                agency = _find(Agency, agency_slug, "agency")
                if agency is None:
                    agencies = db.session.scalars(select(Agency)).all()
                    if len(agencies) != 1:
                        _fail("Name the drafting agency with --agency SLUG.")
                    agency = agencies[0]
                committee = _find(Committee, committee_slug, "committee")
                law = create_law(
                    agency=agency, committee=committee, created_by=None,
                    titles={lang: title or parsed.title or file.stem}, slug=slug,
                )  # fmt: skip
                publish_version(law, lang=lang, text=text, filename=file.name, note=note)
                action = f"Created draft {law.slug} (status: draft)"
        except AlignmentError as error:
            lines = ["The structure does not match the published version:"]
            lines += [f"  missing in this text: {describe_key(k)}" for k in error.alignment.missing]
            lines += [f"  not in the published version: {describe_key(k)}" for k in error.alignment.extra]
            lines += [f"  different kind: {describe_key(k)}" for k in error.alignment.kind_mismatch]
            _fail("\n".join(lines))
        except LawError as error:
            _fail(str(error))
    db.session.commit()
    counts = {
        kind: sum(1 for item in flat if item.kind == kind) for kind in ("chapter", "article", "point", "subpoint")
    }
    click.echo(f"{action}: " + ", ".join(f"{n} {kind}s" for kind, n in counts.items()))


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def _local(moment: datetime | None) -> str:
    return moment.astimezone(_zone()).strftime("%Y-%m-%d %H:%M") if moment else "-"


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _moment(value: str, option: str, end_of_day: bool) -> datetime:
    """Read YYYY-MM-DD or YYYY-MM-DDTHH:MM in the display time zone and return it in UTC."""
    try:
        if DAY.fullmatch(value):
            # A consultation that closes on the 31st takes comments all through the 31st.
            moment = datetime.combine(date.fromisoformat(value), time(23, 59) if end_of_day else time())
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"{option} takes a date, YYYY-MM-DD, or a date and time, YYYY-MM-DDTHH:MM (not '{value}').")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone())
    return moment.astimezone(UTC)


@laws_cli.command("list")
@click.option("--status", type=click.Choice(STATUS_VALUES), help="Only drafts with this status.")
def list_command(status):
    """List the drafts: status, agency, versions, consultation window and published comments."""
    query = select(Law).options(joinedload(Law.agency), selectinload(Law.versions)).order_by(Law.slug)
    if status:
        query = query.where(Law.status == status)
    laws = db.session.scalars(query).all()
    if not laws:
        click.echo("No drafts." if not status else f"No drafts with the status {status}.")
        return
    figures: dict[int, dict] = {law.id: {} for law in laws}
    laws_listed.send(current_app._get_current_object(), laws=laws, figures=figures)
    header = ("SLUG", "STATUS", "AGENCY", "VERSIONS", f"WINDOW ({current_app.config['DISPLAY_TIMEZONE']})", "COMMENTS")
    rows = [header]
    for law in laws:
        latest = law.latest_version
        versions = f"{len(law.versions)} ({', '.join(latest.language_list)})" if latest else "0"
        window = f"{_local(law.opens_at)} - {_local(law.closes_at)}" if law.opens_at or law.closes_at else "-"
        comments = str(figures[law.id].get("comments", "-"))
        rows.append((law.slug, law.status, law.agency.slug, versions, window, comments))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@laws_cli.command("open")
@click.argument("slug")
@click.option(
    "--closes",
    required=True,
    help="Last day for comments, YYYY-MM-DD (open until 23:59), or YYYY-MM-DDTHH:MM; Almaty time (DISPLAY_TIMEZONE).",
)
@click.option(
    "--opens", help="When comments open, YYYY-MM-DD or YYYY-MM-DDTHH:MM (default: now, or unchanged if open already)."
)
@writes
def open_command(slug, closes, opens):
    """Open a draft's consultation until --closes; on an open draft, change when it closes."""
    law = _find(Law, slug, "draft law")
    closes_at = _moment(closes, "--closes", end_of_day=True)
    # Moving the close of an open consultation keeps the day it opened.
    already_open = law.status == LawStatus.OPEN and law.opens_at is not None
    opens_at = _moment(opens, "--opens", end_of_day=False) if opens else law.opens_at if already_open else utcnow()
    if closes_at <= utcnow():
        _fail(f"--closes {closes} has already passed: choose a later date.")
    with force_locale("en"):
        try:
            set_window(law, opens_at, closes_at)
            if law.status != LawStatus.OPEN:
                change_status(law, LawStatus.OPEN.value)
        except LawError as error:
            _fail(f"{law.slug} was not opened: {error}")
    db.session.commit()
    click.echo(f"{law.slug} is open for comments from {_local(opens_at)} until {_local(closes_at)}.")


@laws_cli.command("close")
@click.argument("slug")
@writes
def close_command(slug):
    """Close a draft's consultation now: it takes no more comments."""
    law = _find(Law, slug, "draft law")
    if law.status == LawStatus.CLOSED:
        _fail(f"The consultation on {law.slug} is already closed.")
    with force_locale("en"):
        try:
            change_status(law, LawStatus.CLOSED.value)
        except LawError as error:
            _fail(f"{law.slug} was not closed (status: {law.status}): {error}")
    db.session.commit()
    click.echo(f"The consultation on {law.slug} is closed.")
