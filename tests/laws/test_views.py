"""Public pages of draft laws in three languages."""

from datetime import timedelta

import pytest

from app.db import utcnow
from app.extensions import db


def test_root_redirects_by_accept_language(client):
    assert client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).location.endswith("/ru/")
    assert client.get("/", headers={"Accept-Language": "en-US"}).location.endswith("/en/")
    assert client.get("/", headers={"Accept-Language": "de"}).location.endswith("/kk/")
    assert client.get("/").location.endswith("/kk/")


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_law_page_in_each_language(client, create_law_from, lang):
    law = create_law_from(
        [("kk", "public-discussion.kk.txt"), ("ru", "public-discussion.ru.txt"), ("en", "public-discussion.en.txt")]
    )
    html = client.get(f"/{lang}/laws/{law.slug}/").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f'<article class="law-text-view" lang="{lang}">' in html
    heading = {"kk": "Жалпы ережелер", "ru": "Общие положения", "en": "General Provisions"}[lang]
    assert heading in html
    assert 'id="article-34"' in html  # the anchor is the same in every language
    # parts are named as the text itself names them: Kazakh puts the number first
    label = {"kk": "34-бап. ", "ru": "Статья 34. ", "en": "Article 34. "}[lang]
    assert label in html
    assert 'href="#article-1"' in html  # the table of contents links to it


def test_missing_language_falls_back_with_a_notice(client, waste_law):
    html = client.get(f"/en/laws/{waste_law.slug}/").get_data(as_text=True)
    # English readers of a Kazakh and Russian draft get the Russian text (config CONTENT_FALLBACK), and are told so.
    assert "You are reading the Russian text: this draft has no English version." in html
    assert '<article class="law-text-view" lang="ru">' in html
    assert "Статья 10" in html


def test_language_switch_keeps_the_page(client, waste_law):
    html = client.get(f"/ru/laws/{waste_law.slug}/v/1/").get_data(as_text=True)
    assert f'href="/kk/laws/{waste_law.slug}/v/1/"' in html
    assert f'href="/en/laws/{waste_law.slug}/v/1/"' in html


def test_drafts_in_preparation_are_hidden_from_the_public(client, create_law_from, create_user, auth):
    law = create_law_from([("ru", "air-quality.ru.txt")], status="draft")
    assert client.get(f"/ru/laws/{law.slug}/").status_code == 404
    assert law.slug not in client.get("/ru/laws/").get_data(as_text=True)
    editor = create_user(role="editor", agency_id=law.agency_id)
    auth.login(editor)
    assert client.get(f"/ru/laws/{law.slug}/").status_code == 200


def test_list_filters_and_empty_state(client, create_law_from, create_agency):
    other = create_agency(slug="ecology")
    create_law_from([("ru", "air-quality.ru.txt")], status="closed", agency=other, slug="air")
    create_law_from([("ru", "waste.v1.ru.txt")], status="open", slug="waste")
    html = client.get("/ru/laws/?agency=ecology").get_data(as_text=True)
    assert "/ru/laws/air/" in html and "/ru/laws/waste/" not in html
    html = client.get("/ru/laws/?status=open").get_data(as_text=True)
    assert "/ru/laws/waste/" in html and "/ru/laws/air/" not in html
    html = client.get("/en/laws/?status=adopted").get_data(as_text=True)
    assert "No draft laws match these filters." in html


def test_list_paginates(app, client, create_law_from, create_agency):
    app.config["LAWS_PER_PAGE"] = 2
    agency = create_agency()
    for n in range(5):
        create_law_from([("ru", "air-quality.ru.txt")], agency=agency, slug=f"law-{n}", status="closed")
    first = client.get("/en/laws/").get_data(as_text=True)
    assert "Page 1 of 3" in first and 'rel="next"' in first
    last = client.get("/en/laws/?page=3").get_data(as_text=True)
    assert last.count('class="card"') == 1
    assert client.get("/en/laws/?page=abc").status_code == 200


def test_home_lists_open_consultations_first_with_time_left(client, create_law_from):
    law = create_law_from([("ru", "waste.v1.ru.txt")], status="open", slug="waste")
    law.opens_at, law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=3, hours=2)
    closed = create_law_from([("ru", "air-quality.ru.txt")], status="closed", slug="air")
    db.session.commit()
    html = client.get("/en/").get_data(as_text=True)
    assert "3 days left to comment" in html
    assert html.index("/en/laws/waste/") < html.index(f"/en/laws/{closed.slug}/")


def test_home_empty_state(client):
    assert "No consultation is open right now." in client.get("/en/").get_data(as_text=True)


def test_versions_and_diff_pages(client, waste_law):
    html = client.get(f"/ru/laws/{waste_law.slug}/versions/").get_data(as_text=True)
    assert f"/ru/laws/{waste_law.slug}/diff/1/2/" in html
    html = client.get(f"/ru/laws/{waste_law.slug}/diff/1/2/").get_data(as_text=True)
    assert "<del>тридцати</del>" in html and "<ins>пятнадцати</ins>" in html
    assert "Учет бытовых отходов по массе" in html  # the removed article is shown
    assert "Раздельный сбор отработанных элементов питания" in html  # the added one


def test_earlier_version_is_marked(client, waste_law):
    html = client.get(f"/en/laws/{waste_law.slug}/v/1/").get_data(as_text=True)
    assert "This is an earlier version." in html
