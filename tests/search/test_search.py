"""Search in three languages, kept consistent with the database, and never breaking a write."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.laws.importing import publish_version
from app.laws.services import create_law
from app.search.backend import Filters
from app.search.services import search

RU_TEXT = """ЗАКОН РЕСПУБЛИКИ КАЗАХСТАН

О тестовом законе

Глава 1. Общие положения

Статья 1. Предмет
Настоящий закон регулирует порядок рассмотрения жалоб.

Статья 2. Законы и подзаконные акты
Законы Республики Казахстан применяются вместе с иными актами.

Статья 3. Балансовая стоимость
Балансовая стоимость имущества определяется по правилам учёта.
"""
KK_TEXT = """ҚАЗАҚСТАН РЕСПУБЛИКАСЫНЫҢ ЗАҢЫ

Сынақ заңы туралы

1-тарау. Жалпы ережелер

1-бап. Мәні
Бұл заң шағымдарды қарау тәртібін реттейді.

2-бап. Заңдар
Қазақстан Республикасының заңдары басқа актілермен бірге қолданылады.

3-бап. Балалар
Балалардың құқықтары қорғалады.
"""
EN_TEXT = """LAW OF THE REPUBLIC OF KAZAKHSTAN

On a test law

Chapter 1. General provisions

Article 1. Subject
This Law governs how complaints are examined.

Article 2. Laws
An amendment to this Law is adopted by Parliament.

Article 3. Children
The rights of children are protected.
"""


@pytest.fixture
def test_law(app, create_agency, reindex):
    from app.laws.importing import add_language

    law = create_law(
        agency=create_agency(slug="justice"), created_by=None, titles={"ru": "О тестовом законе"}, slug="test-law"
    )
    version = publish_version(law, lang="ru", text=RU_TEXT)
    add_language(version, lang="kk", text=KK_TEXT)
    add_language(version, lang="en", text=EN_TEXT)
    law.status = "open"
    law.opens_at, law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=5)
    db.session.commit()
    reindex()
    return law


def section_titles(results) -> list[str]:
    return [item.title for item in results.groups.get("section", [])]


def test_russian_inflections_meet(test_law):
    found = section_titles(search("закона", Filters(lang="ru")))
    assert any("Законы и подзаконные акты" in t for t in found)
    assert any("Предмет" in t for t in found)  # "закон" in article 1


def test_kazakh_inflections_meet(test_law):
    found = section_titles(search("заңның", Filters(lang="kk")))
    assert any("Заңдар" in t for t in found) and any("Мәні" in t for t in found)


def test_english_stemming(test_law):
    found = section_titles(search("amendments", Filters(lang="en")))
    assert any("Laws" in t for t in found)


def test_kazakh_query_does_not_match_unrelated_russian(test_law):
    results = search("балалар", Filters(type="section"))
    titles = section_titles(results)
    assert any("Балалар" in t for t in titles)
    assert not any("Балансовая" in t for t in titles)


def test_snippets_mark_the_match_and_escape_text(test_law):
    item = search("жалоб", Filters(type="section", lang="ru")).groups["section"][0]
    assert "<mark>жалоб</mark>" in str(item.snippet)


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "*",
        "AND OR NOT",
        "x" * 10_000,
        "\x01\x1f\x7f закон",
        "((()))",
        "title:закон",
        "закон~2",
        "^$%#@!",
        "OR",
    ],
)
def test_odd_queries_never_fail(client, test_law, query):
    assert client.get("/ru/search/", query_string={"q": "\x00" + query}).status_code == 400  # NUL: a clear refusal
    response = client.get("/ru/search/", query_string={"q": query})
    assert response.status_code == 200
    assert client.get("/api/v1/search", query_string={"q": "\x00" + query}).status_code == 400
    api = client.get("/api/v1/search", query_string={"q": query})
    assert api.status_code == 200 and api.json["incomplete"] is False  # the engine answered, no fallback


def test_search_page_groups_results(client, test_law):
    html = client.get("/ru/search/", query_string={"q": "закон"}).get_data(as_text=True)
    assert "Статья 2." in html and "<mark>" in html
    html = client.get("/ru/search/", query_string={"q": "закон", "type": "section"}).get_data(as_text=True)
    assert "Статья 2." in html
    html = client.get("/en/search/", query_string={"q": "nothingmatcheshere"}).get_data(as_text=True)
    assert "Nothing was found" in html


def test_search_inside_one_draft(client, test_law, create_law_from, reindex):
    create_law_from([("ru", "waste.v1.ru.txt")], slug="waste")
    reindex()
    assert (
        search("закон", Filters(type="section")).totals["section"]
        > search("закон", Filters(type="section", law="test-law")).totals["section"]
    )
    html = client.get("/ru/laws/test-law/").get_data(as_text=True)
    assert 'name="law" value="test-law"' in html


def test_did_you_mean(test_law):
    results = search("законв", Filters(lang="ru"))
    assert results.suggestion and "закон" in results.suggestion


def test_comments_follow_their_state(client, app, test_law, create_comment, create_user, sync):
    from app.comments.services import withdraw_comment
    from app.laws.models import Section
    from app.moderation.decisions import decide

    app.config["PREMODERATION"] = True
    section = db.session.scalar(select(Section).where(Section.key == "article:1"))
    comment = create_comment(section, body="Предлагаю ускорить рассмотрение жалоб граждан.", state="pending")
    sync()
    assert search("ускорить", Filters(type="comment")).totals["comment"] == 0  # pending: not searchable
    moderator = create_user(role="moderator")
    decide(comment, actor=moderator, action="approve", seen_version=comment.version)
    db.session.commit()
    sync()
    assert search("ускорить", Filters(type="comment")).totals["comment"] == 1
    withdraw_comment(comment, user=comment.author)
    db.session.commit()
    sync()
    assert search("ускорить", Filters(type="comment")).totals["comment"] == 0


def test_masked_comment_is_indexed_masked(test_law, create_comment, create_user, sync):
    from app.laws.models import Section
    from app.moderation.decisions import decide

    section = db.session.scalar(select(Section).where(Section.key == "article:1"))
    iin = "900101300007"
    comment = create_comment(section, body=f"Мой ИИН {iin}, прошу ускорить.", state="pending")
    decide(comment, actor=create_user(role="moderator"), action="publish_masked", seen_version=comment.version)
    db.session.commit()
    sync()
    assert search("ускорить", Filters(type="comment")).totals["comment"] == 1
    assert search(iin, Filters()).total == 0
    results = search("ускорить", Filters(type="comment"))
    assert iin not in str(results.groups["comment"][0].snippet)


def test_writes_succeed_and_search_falls_back_without_an_index(client, app, auth, test_law, create_user, runner):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("the on-disk index is Whoosh's")
    from app.laws.models import Section

    shutil.rmtree(Path(app.config["SEARCH_INDEX_DIR"]))
    section = db.session.scalar(select(Section).where(Section.key == "article:1"))
    auth.login(create_user())
    response = client.post(
        f"/ru/laws/test-law/sections/{section.id}/comments",
        data={"stance": "support", "body": "Без индекса.", "client_token": "t"},
    )
    assert response.status_code == 302  # the write succeeded
    html = client.get("/ru/search/", query_string={"q": "закон"}).get_data(as_text=True)
    assert "получены упрощённым поиском и могут быть неполными" in html
    assert "Статья 2." in html  # the database fallback still finds it
    assert runner.invoke(args=["search", "verify"]).exit_code != 0
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    result = runner.invoke(args=["search", "verify"])
    assert result.exit_code == 0, result.output


def test_verify_finds_differences_and_sync_mends_them(app, runner, test_law, create_comment, create_user):
    from app.laws.models import Section
    from app.search.models import SearchQueueEntry

    section = db.session.scalar(select(Section).where(Section.key == "article:1"))
    create_comment(section, body="Новый комментарий про сроки.")  # queued, not yet applied outside a request
    assert db.session.scalar(select(SearchQueueEntry.id).limit(1)) is not None
    assert runner.invoke(args=["search", "verify"]).exit_code != 0
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["search", "verify"]).exit_code == 0


def test_api_search(client, test_law):
    data = client.get("/api/v1/search", query_string={"q": "заңның", "lang": "kk", "type": "section"}).json
    assert data["totals"] == {"section": 2}
    assert sorted(item["title"] for item in data["items"]) == ["1-бап. Мәні", "2-бап. Заңдар"]
    assert "<mark>" in data["items"][0]["snippet"]
    assert client.get("/api/v1/search").status_code == 400
    assert client.get("/api/v1/search?q=x&type=user").status_code == 400


def test_drafts_in_preparation_are_not_searchable(test_law, reindex):
    test_law.status = "draft"
    db.session.commit()
    reindex()
    assert search("закон", Filters()).total == 0


def test_results_name_their_draft_and_article_and_link_to_them(test_law, create_comment, sync):
    from flask import url_for

    from app.i18n import current_lang
    from app.laws.models import Section
    from app.template_helpers import heading_label

    section = db.session.scalar(select(Section).where(Section.key == "article:1"))
    comment = create_comment(section, body="Предлагаю ускорить рассмотрение жалоб граждан.")
    sync()
    results = search("жалоб", Filters(lang="ru"))
    quoted = results.groups["comment"][0]
    assert quoted.url == url_for("comments.show_comment", comment_id=comment.id)
    assert quoted.title == heading_label("article", "1", current_lang()) and quoted.law_title == "О тестовом законе"
    assert (quoted.part, quoted.lang) == ("body", "ru") and "<mark>жалоб</mark>" in str(quoted.snippet)
    article = next(item for item in results.groups["section"] if item.doc_id == f"section:{section.id}")
    assert article.url == url_for("laws.show", slug="test-law") + "#article-1"
    assert article.law_title == "О тестовом законе" and "Предмет" in article.title
