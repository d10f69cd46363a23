"""Commands: `flask laws import` and `flask seed-demo`."""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from app.db import writes
from app.extensions import db
from app.laws.files import read_upload
from app.laws.importing import AlignmentError, add_language, publish_version
from app.laws.messages import parse_error_message
from app.laws.models import LANGS, Law
from app.laws.parser import ParseError
from app.laws.services import LawError, create_law
from app.laws.structure import describe_key, parse_text
from app.organisations.models import Agency, Committee

laws_cli = AppGroup("laws", help="Manage draft laws.")


def _fail(message: str) -> None:
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
@click.option("--agency", "agency_slug", help="Drafting agency of a new draft (default: the only one).")
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
