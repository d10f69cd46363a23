"""`flask answers import`: the drafting agency's decisions, prepared in a spreadsheet."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.answers.importing import COLUMNS, MAX_ID, import_answers
from app.auth.models import User
from app.db import writes
from app.errors import UserError
from app.extensions import db
from app.laws.models import LANGS, Law
from app.summaries.models import SummarySnapshot

answers_cli = AppGroup("answers", help="The drafting agency's answers to comments.")

# A file with thousands of bad rows (the wrong file) should not scroll the terminal for minutes.
MAX_LISTED = 200


def _snapshot(law: Law, number: int | None) -> SummarySnapshot | None:
    if number is None:
        return None
    snapshot = db.session.scalar(
        select(SummarySnapshot).where(SummarySnapshot.law_id == law.id, SummarySnapshot.number == number)
    )
    if snapshot is None:
        raise click.ClickException(_("This draft has no summary no. %(number)d.", number=number))
    return snapshot


@answers_cli.command("import", epilog=f"Columns: {', '.join(COLUMNS)}.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--law", "slug", required=True, help="The draft whose comments the table answers (its web address).")
@click.option("--editor", "email", required=True, help="E-mail of the editor the answers are given by.")
@click.option("--snapshot", "number", type=click.IntRange(1, MAX_ID), help="Summary number (default: the latest).")
@click.option("--lang", type=click.Choice(LANGS), help="Language of the messages (default: the site's).")
@writes
def import_command(file: Path, slug: str, email: str, number: int | None, lang: str | None):
    """Answer comments from a CSV (UTF-8) or XLSX FILE, all rows or none.

    Each row names exactly one of ref (a comment received through another channel), comment_id, theme (s12-t3, from
    the summary) or campaign, and gives decision (accepted, partly_accepted, rejected, not_applicable), reasoning_kk,
    reasoning_ru, reasoning_en and optionally changed_in (version:unit, e.g. 2:5.1). Bad rows are listed by line and
    nothing is written; rows the answers already say change nothing, so the same file can be run again.
    """
    with force_locale(lang or current_app.config["DEFAULT_LANGUAGE"]):
        law = db.session.scalar(select(Law).where(Law.slug == slug))
        if law is None:
            raise click.ClickException(_("There is no draft law %(slug)s.", slug=slug))
        editor = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if editor is None:
            raise click.ClickException(_("There is no user %(email)s.", email=email))
        snapshot = _snapshot(law, number)
        with file.open("rb") as handle:
            data = handle.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        try:
            result = import_answers(law, data, file.name, user=editor, snapshot=snapshot)
        except UserError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        if result.errors:
            db.session.rollback()
            for line, message in result.errors[:MAX_LISTED]:
                click.echo(f"line {line}: {message}", err=True)
            if len(result.errors) > MAX_LISTED:
                click.echo(f"... {len(result.errors) - MAX_LISTED}", err=True)
            bad = len({line for line, _message in result.errors})
            raise click.ClickException(
                ngettext("%(num)d bad row: nothing was written.", "%(num)d bad rows: nothing was written.", bad)
            )
        db.session.commit()
        click.echo(result.summary())
