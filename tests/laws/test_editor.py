"""Editors publish drafts from text: preview first, clear errors, nothing half-imported."""

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.laws.models import Law, LawVersion, Section
from tests.conftest import demo_text


@pytest.fixture
def editor(create_user, create_agency, auth):
    agency = create_agency(slug="justice")
    user = create_user(role="editor", agency_id=agency.id)
    auth.login(user)
    return user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_preview_then_publish(client, editor):
    text = demo_text("public-discussion.ru.txt")
    page = client.post(
        "/en/editor/laws/new",
        data={"lang": "ru", "text": text, "agency": editor.agency_id, "committee": 0, "preview": "1"},
    )
    html = page.get_data(as_text=True)
    assert "Structure found in the text" in html
    assert "О публичных обсуждениях проектов нормативных правовых актов" in html
    assert "Article: 34" in html
    assert count(Law) == 0  # a preview writes nothing
    fingerprint = html.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/en/editor/laws/new",
        data={
            "lang": "ru",
            "text": text,
            "agency": editor.agency_id,
            "committee": 0,
            "publish": "1",
            "fingerprint": fingerprint,
        },
    )
    assert response.status_code == 302
    law = db.session.scalar(select(Law))
    assert law.status == "draft" and law.title_ru.startswith("О публичных обсуждениях")
    assert law.versions[0].number == 1
    assert db.session.scalar(select(func.count()).where(Section.kind == "article")) == 34


def test_publish_without_the_previewed_text_only_previews(client, editor):
    text = demo_text("air-quality.ru.txt")
    client.post(
        "/en/editor/laws/new",
        data={
            "lang": "ru",
            "text": text,
            "agency": editor.agency_id,
            "committee": 0,
            "publish": "1",
            "fingerprint": "stale",
        },
    )
    assert count(Law) == 0


def test_upload_docx(client, editor):
    body = "".join(
        f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in demo_text("air-quality.kk.txt").splitlines() if line
    )
    xml = f'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
    data = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("word/document.xml", xml)
    data.seek(0)
    html = client.post(
        "/kk/editor/laws/new",
        data={"lang": "kk", "agency": editor.agency_id, "committee": 0, "preview": "1", "upload": (data, "draft.docx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Атмосфералық ауа сапасының мониторингі туралы" in html
    # the file's text is put into the form so publishing does not need the file again
    assert "1-тарау" in html.split("<textarea")[1]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((b"\x00\x01\x02PK\x00binary" * 50, "scan.txt"), "does not look like text"),
        ((b"   \n\n  ", "empty.txt"), "The text is empty"),
        ((b"Just a letter without any articles.", "letter.txt"), "No chapters or articles were found"),
        ((b"not a zip", "broken.docx"), "cannot be read"),
        ((b"whatever", "image.png"), "Only .txt and .docx"),
    ],
)
def test_bad_files_get_a_clear_error_and_nothing_is_saved(client, editor, upload, message):
    content, name = upload
    response = client.post(
        "/en/editor/laws/new",
        data={
            "lang": "ru",
            "agency": editor.agency_id,
            "committee": 0,
            "preview": "1",
            "upload": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Law) == 0 and count(LawVersion) == 0


def test_too_large_text(app, client, editor):
    app.config["IMPORT_MAX_BYTES"] = 1000
    html = client.post(
        "/en/editor/laws/new",
        data={
            "lang": "ru",
            "text": demo_text("waste.v1.ru.txt"),
            "agency": editor.agency_id,
            "committee": 0,
            "preview": "1",
        },
    ).get_data(as_text=True)
    assert "The text is too large" in html
    assert "Статья 1." in html  # the pasted text is still in the form


def test_add_language_shows_mismatches_and_publishes_nothing(client, editor, create_law_from):
    law = create_law_from([("ru", "waste.v1.ru.txt")], agency=editor.agency, status="draft")
    url = f"/en/editor/laws/{law.slug}/versions/1/languages/new"
    html = client.post(url, data={"lang": "kk", "text": demo_text("waste.v2.kk.txt"), "preview": "1"}).get_data(
        as_text=True
    )
    assert "The structure does not match" in html
    assert "article 11" in html  # v2 has an article v1 lacks
    assert 'name="publish"' not in html
    client.post(url, data={"lang": "kk", "text": demo_text("waste.v2.kk.txt"), "publish": "1", "fingerprint": "x"})
    db.session.expire_all()
    assert law.version(1).language_list == ["ru"]


def test_add_language_when_it_matches(client, editor, create_law_from):
    law = create_law_from([("ru", "waste.v1.ru.txt")], agency=editor.agency, status="draft")
    url = f"/en/editor/laws/{law.slug}/versions/1/languages/new"
    text = demo_text("waste.v1.kk.txt")
    html = client.post(url, data={"lang": "kk", "text": text, "preview": "1"}).get_data(as_text=True)
    assert "parts match the published version" in html
    fingerprint = html.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    assert (
        client.post(url, data={"lang": "kk", "text": text, "publish": "1", "fingerprint": fingerprint}).status_code
        == 302
    )
    db.session.expire_all()
    assert law.version(1).language_list == ["kk", "ru"]
    assert law.title_kk == "Тұрмыстық қалдықтармен жұмыс істеу туралы"


def test_new_version_redirects_to_the_diff(client, editor, create_law_from):
    law = create_law_from([("ru", "waste.v1.ru.txt")], agency=editor.agency, status="open")
    url = f"/en/editor/laws/{law.slug}/versions/new"
    text = demo_text("waste.v2.ru.txt")
    html = client.post(url, data={"lang": "ru", "text": text, "preview": "1"}).get_data(as_text=True)
    assert "parts follow parts of the previous version" in html
    fingerprint = html.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        url, data={"lang": "ru", "text": text, "note": "After consultation", "publish": "1", "fingerprint": fingerprint}
    )
    assert response.location.endswith(f"/en/laws/{law.slug}/diff/1/2/")


def test_window_and_status(client, editor, create_law_from):
    law = create_law_from([("ru", "waste.v1.ru.txt")], agency=editor.agency, status="draft")
    url = f"/en/editor/laws/{law.slug}/"
    html = client.post(f"{url}status", data={"status": "open"}, follow_redirects=True).get_data(as_text=True)
    assert "Set when the consultation opens and closes first." in html
    html = client.post(
        url,
        data={
            "title_ru": "Об отходах",
            "committee": 0,
            "opens_at": "2026-01-10T09:00",
            "closes_at": "2026-01-01T09:00",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "must close after it opens" in html
    client.post(
        url,
        data={
            "title_ru": "Об отходах",
            "committee": 0,
            "opens_at": "2026-01-10T09:00",
            "closes_at": "2099-01-01T09:00",
        },
    )
    db.session.expire_all()
    assert law.opens_at.hour == 4  # 09:00 in Almaty (UTC+5) is stored as 04:00 UTC
    client.post(f"{url}status", data={"status": "open"})
    db.session.expire_all()
    assert law.status == "open"
    client.post(f"{url}status", data={"status": "adopted"})
    db.session.expire_all()
    assert law.status == "open"  # adopted cannot follow open directly


def test_editor_of_another_agency_is_refused(client, create_user, create_agency, auth, create_law_from):
    law = create_law_from([("ru", "waste.v1.ru.txt")], status="draft")
    auth.login(create_user(role="editor", agency_id=create_agency().id))
    assert client.get(f"/en/editor/laws/{law.slug}/").status_code == 403
    assert client.post(f"/en/editor/laws/{law.slug}/status", data={"status": "withdrawn"}).status_code == 403


@pytest.mark.parametrize("path", ["/en/editor/", "/en/editor/laws/new"])
def test_editor_pages_need_login_and_role(client, create_user, auth, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.location
    auth.login(create_user(role="citizen"))
    assert client.get(path).status_code == 403
