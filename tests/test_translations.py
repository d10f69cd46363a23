"""Every interface string has a real, complete kk/ru/en translation, and the UI speaks the URL's language."""

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
KAZAKH_LETTERS = set("әғқңөұүһі")


def catalog(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def skip_dot_dirs(dirpath: str) -> bool:
    """Walk every folder but hidden ones: Babel's default also skips `_*`, which would miss templates/_macros."""
    return not Path(dirpath).name.startswith(".")


def extracted() -> list[tuple[str, str]]:
    """Extract (file, message id) from the code and templates, as `make update-translations` does."""
    method_map = [("app/**.py", "python"), ("app/**/templates/**.html", "jinja2")]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "lazy_gettext": None,
        "lazy_ngettext": (1, 2),
    }
    found = []
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        keywords=keywords,
        options_map={"app/**/templates/**.html": {}},
        directory_filter=skip_dot_dirs,
    ):
        found.append((filename, message[0] if isinstance(message, tuple) else message))
    return found


def source_messages() -> set[str]:
    """Return every message id in the code and templates."""
    return {message for _filename, message in extracted()}


def test_underscore_folders_are_extracted():
    files = {filename for filename, _message in extracted()}
    assert {"app/templates/_macros/forms.html", "app/templates/_macros/pagination.html"} <= files


def test_translate_update_extracts_what_this_test_does(app, runner, tmp_path):
    """`flask translate update` keeps exactly the strings found here: none dropped as obsolete, none missed."""
    shutil.copytree(ROOT / "translations", tmp_path / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path / "translations")
    result = runner.invoke(args=["translate", "update"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "translations" / "messages.pot").open("rb") as handle:
        pot = read_po(handle)
    assert {m.id[0] if isinstance(m.id, tuple) else m.id for m in pot if m.id} == source_messages()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_catalog_is_complete_and_not_fuzzy(lang):
    cat = catalog(lang)
    problems = []
    for message in cat:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.fuzzy:
            problems.append(f"fuzzy: {key}")
        if not all(strings) or len(strings) != (cat.num_plurals if message.pluralizable else 1):
            problems.append(f"untranslated: {key}")
        wanted = sorted(set(PLACEHOLDER.findall(message.id[-1] if isinstance(message.id, tuple) else message.id)))
        if any(sorted(set(PLACEHOLDER.findall(s))) != wanted for s in strings if s):
            problems.append(f"placeholders differ: {key}")
    assert problems == []


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_string_in_the_code_is_in_the_catalog(lang):
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog(lang) if m.id}
    missing = sorted(source_messages() - ids)
    assert missing == [], "run `make update-translations` and translate the new strings"


def test_kazakh_is_kazakh_not_russian():
    kk, ru = catalog("kk"), catalog("ru")
    russian = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in ru if m.id}
    sentences = [m for m in kk if m.id and isinstance(m.string, str) and len(m.string.split()) >= 4]
    with_kazakh_letters = [m for m in sentences if KAZAKH_LETTERS & set(m.string.lower())]
    assert len(with_kazakh_letters) / len(sentences) > 0.8
    same_as_russian = [
        m.id
        for m in kk
        if m.id
        and isinstance(m.id, str)
        and m.string == russian.get(m.id)
        and len(m.string) > 12
        # A pattern of placeholders and punctuation ("%(first)s – %(last)s") has no words to translate.
        and re.search(r"[^\W\d_]", PLACEHOLDER.sub("", m.id))
    ]
    assert same_as_russian == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("kk", "Заң жобалары"), ("ru", "Законопроекты"), ("en", "Draft laws")],
)
def test_pages_speak_the_language_of_the_url(client, lang, expected):
    html = client.get(f"/{lang}/laws/").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert expected in html


def test_plural_forms_follow_the_language(client, create_law_from, create_agency):
    agency = create_agency()
    for n in range(2):
        create_law_from([("ru", "air-quality.ru.txt")], agency=agency, slug=f"air-{n}", status="closed")
    assert "2 законопроекта" in client.get("/ru/laws/").get_data(as_text=True)
    assert "2 draft laws" in client.get("/en/laws/").get_data(as_text=True)


@pytest.mark.parametrize(("lang", "expected"), [("ru", "Такой страницы нет."), ("kk", "Мұндай бет жоқ.")])
def test_a_page_that_does_not_exist_answers_in_the_language_of_its_url(client, lang, expected):
    response = client.get(f"/{lang}/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert expected in response.get_data(as_text=True)
