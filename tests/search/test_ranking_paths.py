"""The ways of ranking many matches give the same page: scoring candidates one by one, walking Whoosh's matchers
(TopsCollector), and choosing candidates by their scores added up from their words' (whoosh_scores), a group's or every
match's at once. On a big index the last decides the searches of common words; here every match is sent down each
path in turn."""

import numpy
import pytest

from app.search.backend import Filters
from app.search.services import search

BODIES = [
    "Сроки вывоза отходов из частного сектора нужно указать прямо в статье закона.",
    "Тарифы на вывоз отходов должны публиковаться заранее, статья об этом молчит.",
    "Раздельный сбор отходов надо вводить постепенно; вывоз отходов дорожает.",
    "Заң жобасының бабы қалдықтарды бөлек жинау туралы айтпайды.",
    "Қалдықтар полигоны елді мекеннен алыс болуы тиіс, заң бабы анық емес.",
    "The article on waste collection should name the deadlines; waste is a public matter.",
    "Вывоз отходов вывоз отходов: статья закона, закон о статье.",
]
QUERIES = ["отходов", "вывоз отходов", "статья", "заң бабы", "waste", "закон -тарифы", '"вывоз отходов"']


def test_every_ranking_path_gives_the_same_page(app, article, create_comment, reindex, monkeypatch):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("Whoosh's ranking paths")
    from app.search import whoosh_backend, whoosh_ranking, whoosh_scores

    monkeypatch.setattr(whoosh_backend, "CACHE_SIZE", 0)  # each path searches afresh

    for n in range(4):
        for body in BODIES:
            create_comment(article, body=f"{body} {'ещё ' * n}")
    reindex()
    scores, used = whoosh_scores.scores, []

    def bulk(*args):
        used.append(1)
        return scores(*args)

    pages = {}
    for path in ("one by one", "walk", "all scores", "every match's scores at once"):
        monkeypatch.setattr(whoosh_ranking, "SCORE_DIRECTLY", 10**9 if path == "one by one" else 0)
        monkeypatch.setattr(whoosh_scores, "scores", bulk if "scores" in path else lambda *args: None)
        # At once: the scores of every match worked out once a search, as for a group of a common word's thousands.
        monkeypatch.setattr(whoosh_ranking, "SCORE_EVERY_FROM", 0 if "at once" in path else 10**9)
        found = []
        for query in QUERIES:
            grouped = search(query, Filters())
            paged = [search(query, Filters(type="comment"), page, 5) for page in (1, 2, 3)]
            found.append(
                (
                    {kind: [(r.doc_id, round(r.score, 9)) for r in items] for kind, items in grouped.groups.items()},
                    grouped.totals,
                    [[r.doc_id for r in page.groups["comment"]] for page in paged],
                )
            )
        pages[path] = found
    assert pages["walk"] == pages["one by one"]
    assert pages["all scores"] == pages["one by one"]
    assert pages["every match's scores at once"] == pages["one by one"]
    assert used and any(totals["comment"] > 10 for _, totals, _ in pages["walk"])


def test_a_phrase_matches_the_documents_whoosh_finds(app, article, create_comment, reindex):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("Whoosh's phrase matcher")
    from whoosh.query import Phrase

    from app.search import get_backend
    from app.search.analysis import stem_text
    from app.search.whoosh_postings import docset

    def members(mask) -> set[int]:
        return set(numpy.flatnonzero(mask).tolist())

    for body in BODIES:
        create_comment(article, body=body)
    reindex()
    phrases = [("ru", "вывоз отходов"), ("ru", "отходов вывоз"), ("ru", "статья закона"), ("kk", "заң бабы")]
    searcher = get_backend()._open_searcher()  # the backend's own, kept open per process
    for lang, text in phrases:
        query = Phrase(f"text_{lang}", stem_text(text, lang).split())
        assert members(docset(searcher, query, {})) == set(searcher.docs_for_query(query))
    assert any(docset(searcher, Phrase(f"text_{lang}", stem_text(t, lang).split()), {}).any() for lang, t in phrases)
