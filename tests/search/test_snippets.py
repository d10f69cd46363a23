"""Snippets: the words they mark are the analyser's, and the passage shown is the one holding the most of them."""

from pathlib import Path

import pytest

from app.search.analysis import analyzer_for, matched_spans
from app.search.snippets import WINDOW, matches, passage

DEMO_TEXTS = Path(__file__).resolve().parents[2] / "app" / "laws" / "demo_texts"
# Tokens whose boundaries are easy to get wrong: numbers joined by - and ., a hyphenated word, a decomposed й, mixed
# scripts, underscores, a superscript digit, a word inside a longer one and a run too long to be indexed.
AWKWARD = " 5-1-бап 1.2.3 үй-жай и\u0306ыл бiлiм ёлка H2O snake_case x²y закон законы 12-тармағы " + "x" * 70


@pytest.fixture(autouse=True)
def request_context():
    """Replace the package's autouse request context: these are pure functions."""
    yield


@pytest.mark.parametrize("name", ["public-discussion.kk.txt", "public-discussion.ru.txt", "public-discussion.en.txt"])
def test_marked_words_are_the_analysers_tokens_with_a_stem_asked_for(name):
    text = AWKWARD + (DEMO_TEXTS / name).read_text(encoding="utf-8") + AWKWARD
    lang = name.split(".")[-2]
    tokens = [(t.startchar, t.endchar, t.text) for t in analyzer_for(lang)(text, chars=True, removestops=True)]
    stems = sorted({stem for _, _, stem in tokens})
    for terms in ({"5-1", "бап", "закон", "жай"}, set(stems[::7]), set(stems), set()):
        expected = [token for token in tokens if token[2] in terms]
        assert matched_spans(text, lang, frozenset(terms)) == expected
    assert len(matched_spans(text, lang, frozenset(stems))) > 2000


def test_the_passage_holds_the_most_matches_and_marks_them():
    text = "право " * 100 + "закон и закон " + "x " * 200 + "закон " * 3 + "y " * 300
    spans, own = matches(text, "закон", "ru", also=["право"])  # the glossary's term is marked, not the query's own
    assert (len(spans), own) == (105, 5)
    html = passage(text, [span for span in spans if span[2] == "закон"])
    assert str(html).count("<mark>закон</mark>") == 3 and str(html).startswith("…")  # the run of three, not the pair
    assert len(str(html).replace("<mark>", "").replace("</mark>", "")) <= WINDOW + 2


def test_a_text_without_a_match_shows_its_beginning_escaped():
    text = "<b>" + "слово " * 60
    assert str(passage(text, [])) == "&lt;b&gt;" + text[3:WINDOW] + "…"
    spans, own = matches("Проект <script>", "закон", "ru")
    assert (spans, own) == ([], 0)
    assert str(passage("Проект <script>", spans)) == "Проект &lt;script&gt;"
