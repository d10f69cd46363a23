"""Words read a block of postings at a time (app/search/whoosh_postings.py): the documents and scores Whoosh itself
gives, from the stems fields where the index has them, and the same pages from an index built before those fields."""

import pytest

from app.extensions import db
from app.search.backend import Filters
from app.search.services import search

BODIES = [
    "Сроки вывоза отходов нужно указать в статье закона.",
    "Отходы, отходы и ещё раз отходы: статья о них молчит, а закон требует сроков.",
    "Тарифы на вывоз отходов публикуются заранее.",
    "Заң жобасының бабы қалдықтарды бөлек жинау туралы айтпайды, заң бабы анық емес.",
    "The article on waste collection names no deadlines; waste, waste and more waste.",
    "Статья закона о статье закона: закон о законах.",
]
QUERIES = ["отходов", "статья закона", "заң бабы", "waste", "закон -тарифы", '"вывоз отходов"', "отходы закон статья"]


@pytest.fixture
def whoosh_only(app):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("Whoosh's postings")


def scores_of(leaf) -> dict:
    """A Leaf read with scores as document -> score."""
    return dict(zip(leaf.ids.tolist(), leaf.scores.tolist(), strict=True))


def pages() -> list:
    found = []
    for query in QUERIES:
        grouped = search(query, Filters())
        found.append(
            (
                {kind: [(r.doc_id, round(r.score, 9)) for r in items] for kind, items in grouped.groups.items()},
                grouped.totals,
            )
        )
    return found


@pytest.mark.parametrize("table", ["one table a word", "a posting at a time", "from the side file"])
def test_words_read_from_postings_have_whooshs_documents_and_scores(
    whoosh_only, article, create_comment, reindex, sync, monkeypatch, table
):
    from whoosh.query import Term

    from app.search import whoosh_postings, whoosh_side

    if table == "a posting at a time":  # as for weights that are not whole counts (a boosted field's)
        monkeypatch.setattr(whoosh_postings, "WHOLE_WEIGHTS", 0)
    # Every word of the rebuilt segment written beside it (whoosh_side), not only those of a thousand documents.
    monkeypatch.setattr(whoosh_side, "SIDE_FROM", 1 if table == "from the side file" else 10**9)
    side_reads = []
    read_side = whoosh_side.read
    monkeypatch.setattr(whoosh_side, "read", lambda *args: side_reads.append(read_side(*args)) or side_reads[-1])

    from app.search import get_backend
    from app.search.analysis import stem_text
    from app.search.whoosh_postings import read_term

    comments = [create_comment(article, body=f"{body} {'ещё ' * n}") for n in range(3) for body in BODIES]
    reindex()
    # A second segment, and deleted documents in the first: both read as Whoosh reads them.
    create_comment(article, body="Ещё один комментарий об отходах и статье закона.")
    comments[0].body = "Исправленный текст без тех слов."
    db.session.commit()
    get_backend().apply([], [f"comment:{comments[1].id}", f"comment:{comments[0].id}"])
    sync()
    searcher = get_backend()._open_searcher()
    assert len(searcher.leaf_searchers()) > 1 and searcher.reader().has_deletions()
    terms = [Term("text_ru", stem) for stem in stem_text("отходов статья закона вывоз", "ru").split()]
    terms += [Term("text_kk", stem) for stem in stem_text("заң бабы", "kk").split()]
    terms += [Term("exact", "отходов"), Term("text_en", "wast"), Term("text_ru", terms[1].text, boost=0.5)]
    for term in terms:
        expected = {hit.docnum: hit.score for hit in searcher.search(term, limit=None)}
        assert expected, term
        scored = read_term(searcher, term, {}, scored=True)
        assert scores_of(scored) == expected, term  # the same floats, not nearly
        unscored = read_term(searcher, term, {}, scored=False)
        assert unscored.scores is None and unscored.ids.tolist() == sorted(expected)
    # The rebuilt segment's words came from its side file (the later segment has none), else from Whoosh's blocks.
    assert any(found is not None for found in side_reads) == (table == "from the side file")


def test_an_index_built_before_the_stems_fields_gives_the_same_pages(
    whoosh_only, article, create_comment, reindex, sync, monkeypatch
):
    from app.search import get_backend, whoosh_backend

    for n in range(3):
        for body in BODIES:
            create_comment(article, body=f"{body} {'ещё ' * n}")
    reindex()
    with_stems = pages()
    built = whoosh_backend.make_schema

    def without_stems():
        schema = built()
        for name in [name for name in schema.names() if name.startswith("stems_")]:
            schema.remove(name)
        return schema

    fields = whoosh_backend.WhooshBackend._fields
    # What the code before the stems fields built.
    monkeypatch.setattr(whoosh_backend, "make_schema", without_stems)
    monkeypatch.setattr(
        whoosh_backend.WhooshBackend,
        "_fields",
        staticmethod(lambda document: {k: v for k, v in fields(document).items() if not k.startswith("stems_")}),
    )
    reindex()
    monkeypatch.setattr(whoosh_backend.WhooshBackend, "_fields", staticmethod(fields))  # today's code writes into it
    assert not any(name.startswith("stems_") for name in get_backend()._open_searcher().schema.names())
    assert pages() == with_stems
    # Comments keep being indexed into it until the next reindex.
    comment = create_comment(article, body="Отходы полигона: новый комментарий о вывозе.")
    sync()
    assert f"comment:{comment.id}" in [r.doc_id for r in search("полигона", Filters()).groups["comment"]]


def test_a_words_postings_outlive_an_index_change_and_still_give_whooshs_scores(
    whoosh_only, article, create_comment, reindex, sync, monkeypatch
):
    # Comments keep arriving in a busy consultation, and each one changes the index: the searcher is replaced, but
    # the segments it read stay, and so does what was read of them.
    from whoosh.query import Term

    from app.search import get_backend, whoosh_postings
    from app.search.analysis import stem_text
    from app.search.whoosh_postings import read_term

    comments = [create_comment(article, body=body) for body in BODIES]
    reindex()
    term = Term("text_ru", stem_text("отходов", "ru"))
    before = get_backend()._open_searcher()
    found_before = len(read_term(before, term, {}, scored=True))
    decoded = []
    blocks = whoosh_postings._blocks
    monkeypatch.setattr(whoosh_postings, "_blocks", lambda matcher: decoded.append(matcher) or blocks(matcher))
    # The index changes: a new comment with the word (a new segment), one with it taken out (deleted in the old one).
    create_comment(article, body="Новый комментарий: отходов всё больше.")
    sync()
    get_backend().apply([], [f"comment:{comments[0].id}"])
    searcher = get_backend()._open_searcher()
    assert searcher is not before and len(searcher.leaf_searchers()) > 1
    scored = read_term(searcher, term, {}, scored=True)
    assert scores_of(scored) == {hit.docnum: hit.score for hit in searcher.search(term, limit=None)}
    assert len(scored) == found_before  # one taken out, one added
    assert len(decoded) == 1  # the new segment's postings only
