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


def test_phrases_checked_a_block_at_a_time_match_whooshs_over_many_blocks():
    # Hundreds of documents per word, so the postings span many blocks of 128 and most blocks hold no candidate.
    import random

    from whoosh.fields import TEXT, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import Phrase

    from app.search.whoosh_postings import _matching

    rng = random.Random(7)
    index = RamStorage().create_index(Schema(body=TEXT(phrase=True)))
    writer = index.writer()
    for _ in range(1500):
        writer.add_document(body=" ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(6)))
    writer.commit()
    with index.searcher() as searcher:
        reader = searcher.reader()
        for words in (["alpha", "beta"], ["beta", "beta"], ["gamma", "alpha", "delta"]):
            expected = sorted(searcher.docs_for_query(Phrase("body", words)))
            for size in (6, 300):  # a few candidates (most blocks passed by their header), or some in every block
                candidates = sorted(rng.sample(range(1500), size))
                assert _matching(reader, "body", words, candidates) == [doc for doc in expected if doc in candidates]
            assert _matching(reader, "body", words, list(range(1500))) == expected
            assert len(expected) > 50  # spread over most of the 12 blocks


def test_a_phrase_checked_in_a_segment_is_not_checked_again_after_an_index_change(
    app, article, create_comment, reindex, sync, monkeypatch
):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("Whoosh's phrase matcher")
    from whoosh.query import Phrase

    from app.search import get_backend, whoosh_postings
    from app.search.analysis import stem_text
    from app.search.whoosh_postings import docset

    comments = [create_comment(article, body=body) for body in BODIES]
    reindex()
    sync()  # what the comments queued is applied: the index changes after this only by what the test does
    query = Phrase("text_ru", stem_text("вывоз отходов", "ru").split())
    before = docset(get_backend()._open_searcher(), query, {})
    checked = []
    matching = whoosh_postings._matching
    monkeypatch.setattr(whoosh_postings, "_matching", lambda *args: checked.append(args[3]) or matching(*args))
    # A new comment with the phrase (a new segment), one with it deleted from the old segment.
    added = create_comment(article, body="Вывоз отходов опять задержали.")
    sync()
    get_backend().apply([], [f"comment:{comments[1].id}"])
    searcher = get_backend()._open_searcher()
    assert len(searcher.leaf_searchers()) > 1 and searcher.reader().has_deletions()
    after = docset(searcher, query, {})
    assert set(numpy.flatnonzero(after).tolist()) == set(searcher.docs_for_query(query))
    assert numpy.count_nonzero(after) == numpy.count_nonzero(before)  # one added, one taken out
    assert len(checked) == 1 and len(checked[0]) == 1  # the new segment's one candidate alone
    assert f"comment:{added.id}" in {searcher.stored_fields(int(doc))["doc_id"] for doc in numpy.flatnonzero(after)}


def test_a_phrase_checked_by_a_newer_searcher_still_finds_what_an_older_one_sees(
    app, article, create_comment, reindex, sync
):
    # A searcher still in use when the index changes, and a newer one checking the phrase first with a deletion the
    # older one does not see: the older one still finds the deleted comment, as Whoosh does in its view.
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("Whoosh's phrase matcher")
    from whoosh.query import Phrase

    from app.search import get_backend
    from app.search.analysis import stem_text
    from app.search.whoosh_postings import docset

    comments = [create_comment(article, body=body) for body in BODIES]
    reindex()
    sync()
    query = Phrase("text_ru", stem_text("вывоз отходов", "ru").split())
    get_backend()._open_searcher()
    older = get_backend()._index.searcher()  # its own, which the backend's reopening does not close
    try:
        get_backend().apply([], [f"comment:{comments[2].id}"])  # holds the phrase twice
        newer = get_backend()._open_searcher()
        assert older.doc_count() == newer.doc_count() + 1  # the comment is deleted in the newer one's view only
        assert set(numpy.flatnonzero(docset(newer, query, {})).tolist()) == set(newer.docs_for_query(query))
        seen = set(older.docs_for_query(query))
        assert set(numpy.flatnonzero(docset(older, query, {})).tolist()) == seen
        assert len(seen) == len(set(newer.docs_for_query(query))) + 1
    finally:
        older.close()
