"""`flask translate ...`: keep the kk/ru/en catalogs in step with the code."""

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po
from flask import current_app
from flask.cli import AppGroup

translate_cli = AppGroup("translate", help="Extract, update and compile the interface translations.")

ROOT = Path(__file__).resolve().parents[2]


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def _catalog_dir() -> Path:
    return Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])


def fill_english(po_path: Path) -> int:
    """Copy each English source string into the en catalog (the code is written in English)."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            wanted = tuple(message.id)
        else:
            wanted = message.id
        if message.string != wanted or message.fuzzy:
            message.string = wanted
            message.flags.discard("fuzzy")
            filled += 1
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=120, omit_header=False)
    return filled


@translate_cli.command("update")
def update():
    """Extract messages from the code and templates and merge them into every catalog."""
    directory = _catalog_dir()
    pot = directory / "messages.pot"
    # --ignore-dirs: skip hidden folders only; Babel's default also skips `_*`, which would miss templates/_macros.
    _pybabel(
        "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2",
        "--ignore-dirs=.*", "--no-location", "--sort-output", "--width=120", "-o", str(pot), str(ROOT),
    )  # fmt: skip
    for lang in current_app.config["LANGUAGES"]:
        po = directory / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel("update", "-i", str(pot), "-d", str(directory), "-l", lang, "--no-fuzzy-matching",
                     "--ignore-obsolete", "--width=120")  # fmt: skip
        else:
            _pybabel("init", "-i", str(pot), "-d", str(directory), "-l", lang, "--width=120")
    filled = fill_english(directory / "en" / "LC_MESSAGES" / "messages.po")
    click.echo(f"Catalogs updated; {filled} English entries filled from the source.")


@translate_cli.command("compile")
def compile_catalogs():
    """Compile the catalogs to .mo files."""
    _pybabel("compile", "-d", str(_catalog_dir()))
