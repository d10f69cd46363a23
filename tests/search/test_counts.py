"""Each part of a comment is found in its own language, and every count is what a reader can page through.

Issue 12, items 3 and 6: a Kazakh comment proposing Russian wording was found only in Kazakh, an English comment
filed as Russian was not found in English; counts under filters were Whoosh's estimates (a draft of 20 matching
sections was said to have 111), and a page said "Page 1 of 3" over no results.
"""

import math
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.db import utcnow
from app.extensions import db
from app.search import documents, get_backend
from app.search.backend import Filters
from app.search.documents import TYPES
from app.search.services import search

PER_PAGE = 4
KK_BODY = "Бұл бапты тұтынушылардың құқықтарын қорғайтын қоғамдық бірлестіктердің ұсыныстарымен толықтыруды сұраймын."
RU_WORDING = "Правила согласовываются с ассоциациями организаций по защите прав потребителей."
EN_BODY = "Every participant of the public hearing should receive the full text of the draft a week in advance."
RU_WASTE = [
    "Сроки вывоза отходов из частного сектора нужно указать прямо в статье.",
    "Тарифы на вывоз отходов должны публиковаться заранее.",
    "Раздельный сбор отходов надо вводить постепенно.",
    "Предлагаю штрафовать за сжигание отходов во дворах.",
    "Контейнеры для отходов стоят слишком далеко от домов.",
    "Переработка отходов должна поддерживаться льготами.",
]
KK_WASTE = [
    "Қалдықтарды бөлек жинау ауылдарда да енгізілуі керек.",
    "Қалдықтар полигоны елді мекеннен алыс болуы тиіс.",
    "Тұрмыстық қалдықтардың тарифін жыл сайын жариялау керек.",
]


def open_now(law) -> None:
    law.opens_at, law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=10)
    law.status = "open"
    db.session.commit()


@pytest.fixture
def corpus(open_law, article, create_law_from, create_comment, create_user, reindex):
    """Three copies of the waste draft with comments: open, closed, and one taken back into preparation after
    indexing; one comment hidden after indexing. The index has not heard of either change."""
    from app.laws.models import Section
    from app.moderation.decisions import decide

    versions = (
        [("ru", "waste.v1.ru.txt"), ("kk", "waste.v1.kk.txt")],
        [("ru", "waste.v2.ru.txt"), ("kk", "waste.v2.kk.txt")],
    )
    closed = create_law_from(*versions, slug="waste-closed")
    later = create_law_from(*versions, slug="waste-later")
    comments = {"kk_with_ru_wording": None, "en_filed_as_ru": None}
    for body in RU_WASTE:
        create_comment(article, body=body, lang="ru")
    for body in KK_WASTE:
        create_comment(article, body=body, lang="kk")
    comments["kk_with_ru_wording"] = create_comment(
        article, body=KK_BODY, stance="amend", proposed_wording=RU_WORDING, lang="kk"
    )
    comments["en_filed_as_ru"] = create_comment(article, body=EN_BODY, lang="ru")
    hidden = create_comment(article, body="Вывоз отходов: звоните мне по телефону.", lang="ru")
    for law, count in ((closed, 3), (later, 2)):
        open_now(law)
        section = db.session.scalar(
            db.select(Section).where(Section.version_id == law.latest_version.id, Section.key == "article:10")
        )
        for body in RU_WASTE[:count]:
            create_comment(section, body=body, lang="ru")
    closed.status = "closed"
    db.session.commit()
    reindex()
    # After indexing, and without the writer running: the index still holds both.
    decide(hidden, actor=create_user(role="moderator"), action="hide", reason="personal_data",
           seen_version=hidden.version)  # fmt: skip
    db.session.info.pop("kenes_search_dirty", None)
    later.status = "draft"
    db.session.commit()
    return comments


def walk_service(query: str, **filters) -> tuple[int, list[str]]:
    """The total on the first page, and every item of every page up to the first empty one."""
    kind = filters["type"]
    total = search(query, Filters(**filters), 1, PER_PAGE).totals[kind]
    seen, page = [], 1
    while items := (results := search(query, Filters(**filters), page, PER_PAGE)).groups[kind]:
        assert results.totals[kind] == total
        seen += [item.doc_id for item in items]
        page += 1
    assert page - 1 == math.ceil(total / PER_PAGE)
    return total, seen


def as_args(filters: dict) -> dict:
    """The filters as a query string holds them ("only in my language" is lang_only=1)."""
    return {name: "1" if value is True else value for name, value in filters.items()}


def walk_api(client, query: str, **filters) -> tuple[int, list[str]]:
    kind = filters["type"]
    seen, page, total = [], 1, None
    while True:
        data = client.get(
            "/api/v1/search", query_string={"q": query, **as_args(filters), "page": page, "per_page": PER_PAGE}
        ).json
        total = data["totals"][kind] if total is None else total
        assert data["totals"][kind] == total
        if not data["items"]:
            break
        seen += [item["id"] for item in data["items"]]
        page += 1
    return total, seen


GROUP_TOTAL = re.compile(r'<h2 id="group-(\w+)">[^<]*<span class="muted">\((\d+)\)</span>')


def walk_page(client, query: str, **filters) -> tuple[int, int]:
    """The total the search page shows, and the number of results on all the pages it links to."""
    kind = filters["type"]
    shown, page, total = 0, 1, None
    while True:
        html = client.get("/en/search/", query_string={"q": query, **as_args(filters), "page": page}).get_data(
            as_text=True
        )
        totals = dict(GROUP_TOTAL.findall(html))
        if total is None:
            total = int(totals.get(kind, 0))
        items = html.count('<p class="snippet">')
        shown += items
        if total:
            assert totals == {kind: str(total)}
            assert items and f"Page {page} of {math.ceil(total / PER_PAGE)}" in html or total <= PER_PAGE
        if 'rel="next"' not in html:
            break
        page += 1
    return total, shown


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("отходов", {}),
        ("отходов", {"law": "waste-closed"}),
        ("отходов", {"law": "household-waste"}),
        ("отходов", {"lang": "ru"}),
        ("қалдықтар", {"lang": "kk"}),
        ("отходов", {"status": "closed"}),
        ("отходов", {"status": "open", "lang": "ru"}),
        ("participants", {"lang": "en"}),
        # Issue 12.5: the glossary carries these into the other languages (or, lang_only, keeps them in theirs).
        ("waste", {}),
        ("waste", {"lang": "kk"}),
        ("отходов", {"lang_only": True}),
        ("мәслихаттар", {"status": "open"}),
        ("мәслихаттар", {"lang_only": True, "law": "waste-closed"}),
    ],
)
def test_every_count_is_what_the_pages_hold(app, client, corpus, query, filters):
    app.config["SEARCH_PER_PAGE"] = PER_PAGE
    overall = search(query, Filters(**filters), 1, PER_PAGE).totals
    api_overall = client.get("/api/v1/search", query_string={"q": query, **as_args(filters)}).json["totals"]
    assert api_overall == overall
    for kind in TYPES:
        total, seen = walk_service(query, **filters, type=kind)
        assert total == overall[kind] == len(seen) == len(set(seen))
        assert walk_api(client, query, **filters, type=kind) == (total, seen)
        assert walk_page(client, query, **filters, type=kind) == (total, total)
    assert sum(overall.values()) > 0  # the query does reach something under this filter


def test_the_glossary_widens_a_search_and_only_in_my_language_narrows_it_back(corpus):
    translated = search("waste", Filters()).totals
    assert translated["comment"] == search("отходов", Filters()).totals["comment"] > 0  # Russian and Kazakh ones
    assert search("waste", Filters(lang_only=True)).total == 0  # no English text speaks of waste
    in_russian = search("отходов", Filters(lang_only=True)).totals
    assert 0 < in_russian["comment"] < translated["comment"]


def test_law_filter_counts_only_that_draft(corpus):
    from app.comments.models import Comment
    from app.laws.models import Section

    everywhere, _ = walk_service("отходов", type="section")
    one, seen = walk_service("отходов", type="section", law="waste-closed")
    # Two public copies of the same text (the third is back in preparation): half of the matches each.
    assert 0 < one and everywhere == 2 * one
    sections = db.session.scalars(db.select(Section).where(Section.id.in_([int(i.split(":")[1]) for i in seen])))
    assert {section.version.law.slug for section in sections} == {"waste-closed"}
    total, seen = walk_service("отходов", type="comment", law="waste-closed")
    assert total == 3
    laws = db.session.scalars(db.select(Comment.law_id).where(Comment.id.in_([int(i.split(":")[1]) for i in seen])))
    assert {db.session.get(type(corpus["en_filed_as_ru"].law), law_id).slug for law_id in laws} == {"waste-closed"}


def test_hidden_things_are_not_counted(corpus):
    total, seen = walk_service("телефону", type="comment")  # only the hidden comment says it
    assert total == 0 and seen == []
    assert search("отходов", Filters(law="waste-later")).total == 0  # the draft back in preparation


def test_russian_wording_of_a_kazakh_comment_is_found_in_russian(client, corpus):
    comment = corpus["kk_with_ru_wording"]
    assert documents.comment_texts(comment) == {"kk": KK_BODY, "ru": RU_WORDING}
    for lang in (None, "ru"):
        results = search("организации", Filters(type="comment", lang=lang))
        assert [item.doc_id for item in results.groups["comment"]] == [f"comment:{comment.id}"]
        item = results.groups["comment"][0]
        assert item.part == "wording" and item.lang == "ru" and "<mark>организаций</mark>" in str(item.snippet)
        assert results.totals["comment"] == 1
    assert search("организации", Filters(type="comment", lang="kk")).totals["comment"] == 0
    html = client.get("/ru/search/", query_string={"q": "организации", "type": "comment"}).get_data(as_text=True)
    assert "Предлагаемая редакция:" in html and f"/comments/{comment.id}" in html
    # The Kazakh body is still found in Kazakh, by another form of its words.
    found = search("қоғамдық бірлестіктер", Filters(type="comment", lang="kk")).groups["comment"]
    assert [item.doc_id for item in found] == [f"comment:{comment.id}"] and found[0].part == "body"


def test_english_comment_filed_as_russian_is_found_in_english(client, corpus):
    comment = corpus["en_filed_as_ru"]
    assert comment.lang == "ru" and comment.lang_detected == "en"
    assert documents.comment_texts(comment) == {"ru": EN_BODY, "en": EN_BODY}
    for lang in (None, "en"):
        results = search("participants", Filters(type="comment", lang=lang))
        assert [item.doc_id for item in results.groups["comment"]] == [f"comment:{comment.id}"]
        assert "<mark>participant</mark>" in str(results.groups["comment"][0].snippet)
    data = client.get("/api/v1/search", query_string={"q": "participants"}).json
    assert data["totals"]["comment"] == 1 and [i["id"] for i in data["items"]] == [f"comment:{comment.id}"]


@pytest.fixture
def trigrams(app):
    """PostgreSQL's "did you mean" needs pg_trgm, as the migration installs it."""
    if get_backend().name == "postgres":
        db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        db.session.commit()


def test_nothing_found_says_so_without_a_next_page(app, client, corpus, trigrams):
    app.config["SEARCH_PER_PAGE"] = PER_PAGE
    html = client.get("/ru/search/", query_string={"q": "отходовв", "type": "comment"}).get_data(as_text=True)
    assert "По запросу «отходовв» ничего не найдено." in html
    assert 'rel="next"' not in html and "Страница" not in html
    assert "Возможно, вы имели в виду:" in html and "отходов</a>" in html
    data = client.get("/api/v1/search", query_string={"q": "отходовв", "type": "comment"}).json
    assert data["items"] == [] and data["totals"] == {"comment": 0} and data["suggestion"] == "отходов"


def test_a_page_past_the_last_is_empty_not_an_error(app, client, corpus):
    app.config["SEARCH_PER_PAGE"] = PER_PAGE
    total = search("отходов", Filters(type="comment"), 1, PER_PAGE).totals["comment"]
    last = math.ceil(total / PER_PAGE)
    response = client.get("/en/search/", query_string={"q": "отходов", "type": "comment", "page": 50})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Nothing was found on page 50: the results for «отходов» end on page {last}." in html
    assert f"page={last}" in html and 'rel="next"' not in html and '<p class="snippet">' not in html
    data = client.get("/api/v1/search", query_string={"q": "отходов", "type": "comment", "page": 50}).json
    assert data["items"] == [] and data["totals"] == {"comment": total}


def test_api_refuses_an_unknown_status(client, corpus):
    assert client.get("/api/v1/search", query_string={"q": "отходов", "status": "draft"}).status_code == 400


def test_an_index_built_before_this_layout_is_reported_stale(runner, corpus, monkeypatch):
    assert runner.invoke(args=["search", "sync"]).exit_code == 0
    assert runner.invoke(args=["search", "verify"]).exit_code == 0
    monkeypatch.setattr(documents, "INDEX_VERSION", documents.INDEX_VERSION + 1)
    result = runner.invoke(args=["search", "verify"])
    assert result.exit_code != 0 and "stale:" in result.output
