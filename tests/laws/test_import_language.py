"""A draft's text imported under another language than its own is refused by name, and nothing is written."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.laws.language import text_language
from app.laws.models import Law, LawVersion, Section
from tests.conftest import DEMO, demo_text

RU_AS_KK = "The text looks Russian, but Kazakh was chosen: choose Russian or upload the Kazakh text."
EN_AS_RU = "The text looks English, but Russian was chosen: choose English or upload the Russian text."
KK_AS_RU = "The text looks Kazakh, but Russian was chosen: choose Kazakh or upload the Russian text."
NO_STRUCTURE = "No chapters or articles were found"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def editor(create_user, create_agency, auth):
    user = create_user(role="editor", agency_id=create_agency(slug="justice").id)
    auth.login(user)
    return user


def upload(client, editor, lang: str, name: str, **extra):
    return client.post(
        "/en/editor/laws/new",
        data={
            "lang": lang,
            "agency": editor.agency_id,
            "committee": 0,
            "upload": (io.BytesIO(demo_text(name).encode()), name),
            **extra,
        },
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("path", sorted(DEMO.glob("*.txt")), ids=lambda path: path.name)
def test_every_demo_text_is_recognised(path: Path):
    assert text_language(path.read_text(encoding="utf-8")) == path.name.split(".")[-2]


@pytest.mark.parametrize(
    "text",
    [
        "Just a letter without any articles.",
        # A file holding both languages says nothing clear: the parser's own messages stay.
        demo_text("air-quality.kk.txt") + "\n" + demo_text("air-quality.ru.txt"),
        # Russian headings over a Kazakh body: the letters disagree with the headings.
        "Статья 1. Негізгі ұғымдар\nБұл Заңда мынадай негізгі ұғымдар пайдаланылады: уәкілетті орган, әкімдік.",
    ],
)
def test_unclear_text_has_no_language(text):
    assert text_language(text) is None


@pytest.mark.parametrize(
    ("lang", "name", "message"), [("kk", "air-quality.ru.txt", RU_AS_KK), ("ru", "public-discussion.en.txt", EN_AS_RU)]
)
def test_editor_upload_in_another_language_is_refused(client, editor, lang, name, message):
    html = upload(client, editor, lang, name, preview="1").get_data(as_text=True)
    assert message in html
    assert NO_STRUCTURE not in html
    assert "Structure found in the text" not in html
    assert count(Law) == 0 and count(LawVersion) == 0


def test_editor_publish_in_another_language_writes_nothing(client, editor):
    response = upload(client, editor, "kk", "waste.v1.ru.txt", publish="1", fingerprint="anything")
    assert response.status_code == 200 and RU_AS_KK in response.get_data(as_text=True)
    assert count(Law) == 0 and count(Section) == 0


def test_editor_kazakh_text_as_kazakh_still_imports(client, editor):
    html = upload(client, editor, "kk", "air-quality.kk.txt", preview="1").get_data(as_text=True)
    assert "Structure found in the text" in html
    assert "looks" not in html
    fingerprint = html.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    response = upload(client, editor, "kk", "air-quality.kk.txt", publish="1", fingerprint=fingerprint)
    assert response.status_code == 302
    assert db.session.scalar(select(Law)).title_kk == "Атмосфералық ауа сапасының мониторингі туралы"


def test_editor_adding_a_language_in_another_language_is_refused(client, editor, create_law_from):
    law = create_law_from([("ru", "waste.v1.ru.txt")], agency=editor.agency, status="draft")
    url = f"/en/editor/laws/{law.slug}/versions/1/languages/new"
    html = client.post(url, data={"lang": "ru", "text": demo_text("waste.v1.kk.txt"), "preview": "1"}).get_data(
        as_text=True
    )
    assert KK_AS_RU in html
    db.session.expire_all()
    assert law.version(1).language_list == ["ru"]


def import_file(runner, name: str, lang: str, *args: str):
    return runner.invoke(args=["laws", "import", str(DEMO / name), "--lang", lang, *args])


@pytest.mark.parametrize(
    ("lang", "name", "message"), [("kk", "waste.v1.ru.txt", RU_AS_KK), ("ru", "public-discussion.en.txt", EN_AS_RU)]
)
def test_cli_import_in_another_language_is_refused(runner, create_agency, lang, name, message):
    create_agency()
    result = import_file(runner, name, lang)
    assert result.exit_code == 1
    assert message in result.output and NO_STRUCTURE not in result.output
    assert count(Law) == 0 and count(LawVersion) == 0


def test_cli_adding_a_language_in_another_language_changes_nothing(runner, create_agency):
    create_agency()
    assert import_file(runner, "waste.v1.ru.txt", "ru", "--slug", "waste").exit_code == 0
    result = import_file(runner, "waste.v1.ru.txt", "kk", "--law", "waste", "--version", "1")
    assert result.exit_code == 1 and RU_AS_KK in result.output
    assert db.session.scalar(select(func.count()).where(Section.body_kk.is_not(None))) == 0


def test_cli_kazakh_text_as_kazakh_still_imports(runner, create_agency):
    create_agency()
    result = import_file(runner, "air-quality.kk.txt", "kk")
    assert result.exit_code == 0, result.output
    assert count(Law) == 1
