"""A comment hidden by a moderator vanishes from search at once, before the index writer catches up.

The index is updated after commit by a background writer; until it runs, the index still holds the comment.
Search re-checks every hit against the database, and the totals leave out what it dropped.
"""

import pytest

from app.extensions import db
from app.moderation.decisions import decide
from app.search import get_backend
from app.search.backend import Filters
from app.search.queue import queued
from app.search.services import search

HIDDEN = "Предлагаю продлить срок обжалования, пишите мне на почту."
KEPT = "Предлагаю продлить срок обжалования до тридцати дней."


@pytest.fixture
def hidden_comment(article, create_comment, create_user, reindex, sync):
    """Two matching comments, both indexed; then one hidden by a moderator, the index not told yet."""
    reindex()
    hidden = create_comment(article, body=HIDDEN)
    kept = create_comment(article, body=KEPT)
    sync()
    assert search("обжалования", Filters(type="comment")).totals["comment"] == 2
    decide(hidden, actor=create_user(role="moderator"), action="hide", reason="personal_data",
           seen_version=hidden.version)  # fmt: skip
    # The change is queued in this transaction, but the writer is not told: as in the ~100 ms before it runs.
    db.session.info.pop("kenes_search_dirty")
    db.session.commit()
    # The attack window: the queue holds the change and the index still answers with the hidden comment.
    assert queued() == 1  # the hidden comment's removal
    stale = get_backend().search("обжалования", Filters(type="comment"), 1, 10)
    assert f"comment:{hidden.id}" in [hit.doc_id for hit in stale.hits] and stale.total == 2
    return hidden, kept


@pytest.mark.parametrize("kind", [None, "comment"])
def test_service_drops_the_hidden_comment_and_its_count(hidden_comment, kind):
    hidden, kept = hidden_comment
    results = search("обжалования", Filters(type=kind))
    assert [item.doc_id for item in results.groups["comment"]] == [f"comment:{kept.id}"]
    assert results.totals["comment"] == 1


@pytest.mark.parametrize("query", ["?q=обжалования", "?q=обжалования&type=comment", "?q=почту"])
def test_search_page_does_not_show_or_count_the_hidden_comment(app, client, hidden_comment, query):
    hidden, kept = hidden_comment
    html = client.get("/ru/search/" + query).get_data(as_text=True)
    assert f"/comments/{hidden.id}" not in html and "пишите мне" not in html  # neither its link nor its text
    if "почту" in query:  # only the hidden comment had this word: nothing is found
        assert 'id="group-comment"' not in html
        assert "По запросу «почту» ничего не найдено." in html
    else:
        assert f"/comments/{kept.id}" in html
        assert 'Комментарии <span class="muted">(1)</span>' in html


@pytest.mark.parametrize("query", [{"q": "обжалования"}, {"q": "обжалования", "type": "comment"}])
def test_api_search_does_not_return_or_count_the_hidden_comment(client, hidden_comment, query):
    hidden, kept = hidden_comment
    data = client.get("/api/v1/search", query_string=query).json
    ids = [item["id"] for item in data["items"] if item["type"] == "comment"]
    assert ids == [f"comment:{kept.id}"]
    assert data["totals"]["comment"] == 1


def test_a_draft_taken_back_into_preparation_disappears_with_its_comments(client, hidden_comment, article):
    hidden, kept = hidden_comment
    law = article.version.law
    law.status = "draft"
    db.session.commit()
    data = client.get("/api/v1/search", query_string={"q": "обжалования"}).json
    assert data["items"] == [] and data["totals"]["comment"] == 0
