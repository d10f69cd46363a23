"""The glossary of legal terms (issue 12.5): its file and how a query meets its terms; how close a correction is."""

import os
import time
from pathlib import Path

import pytest

from app.search import glossary
from app.search.analysis import analyzer_for, word_spans
from app.search.glossary import latin_key, parse
from app.search.query import plan
from app.search.spelling import close, closest, edit_distance, max_edits

DEMO_TEXTS = Path(__file__).resolve().parents[2] / "app" / "laws" / "demo_texts"


@pytest.fixture(autouse=True)
def request_context():
    """Replace the package's autouse request context: most of these are pure functions."""
    yield


def terms_for(query: str, lang_only: bool = False) -> set[tuple[str, str]]:
    asked = plan(query, lang_only)
    return {(e.lang, e.text) for clause in asked.clauses for e in clause.expansions}


def test_the_shipped_glossary_reads_cleanly_and_covers_the_demo_drafts():
    terms = glossary.load()
    assert terms.problems == [] and len(terms.concepts) >= 60
    everything = {term for concept in terms.concepts for group in concept.values() for term in group}
    wanted = """заң закон law бап статья article мәслихат маслихат maslikhat ұйым организация ҮЕҰ НКО NGO мерзім
        срок deadline қалдық отходы мониторинг айыппұл өтініш шағым әкімдік тарау тармақ""".split()
    assert set(wanted) <= everything
    assert {"жария талқылау", "ауа сапасы", "нормативтік құқықтық акт", "мемлекеттік орган"} <= everything


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # An inflected Kazakh form meets the term through its stem, and brings the Russian and English ones.
        ("мәслихаттар", {("ru", "маслихат"), ("en", "maslikhat"), ("en", "local representative body")}),
        ("маслихатов", {("kk", "мәслихат"), ("en", "maslikhat")}),
        # Latin spellings of a Kazakh or Russian term, listed or not.
        ("maslikhat", {("kk", "мәслихат"), ("ru", "маслихат")}),
        ("maslihat", {("kk", "мәслихат"), ("ru", "маслихат"), ("en", "maslikhat")}),
        ("Mäslihat", {("kk", "мәслихат"), ("ru", "маслихат")}),
        ("akimat", {("kk", "әкімдік"), ("ru", "акимат")}),
        # An abbreviation, and multi-word terms in the other languages.
        ("NGO", {("ru", "общественная организация"), ("kk", "қоғамдық ұйым"), ("ru", "НКО"), ("kk", "ҮЕҰ")}),
        ("закона", {("kk", "заң"), ("en", "law")}),
        # The longest term wins: "жария талқылау" is public discussion, not two separate words.
        ("жария талқылау", {("ru", "публичное обсуждение"), ("en", "public discussion")}),
        # A form names its own term before a stem shared with another: правила are rules, право a right.
        ("правила", {("kk", "қағида"), ("en", "rules")}),
        ("право", {("kk", "құқық"), ("en", "right")}),
    ],
)
def test_a_query_term_meets_the_glossary(query, expected):
    found = terms_for(query)
    assert expected <= found, found
    if query in ("правила", "право"):
        assert found == expected


def test_words_that_name_no_term_are_searched_as_typed():
    assert terms_for("контейнеры далеко от домов") == set()
    assert terms_for("bap") == set()  # too short to be read as a transliteration: an English word by chance
    # Quotes mean these words as typed; an excluded word is not translated either.
    assert terms_for('"мәслихаттар"') == set()
    assert terms_for("тариф -мәслихат") == {("en", "tariff")}


def test_only_in_my_language_keeps_the_synonyms_of_the_language_typed():
    assert terms_for("NGO", lang_only=True) == {
        ("en", "NGOs"),
        ("en", "non-governmental organisation"),
        ("en", "non-governmental organization"),
        ("en", "non-profit organisation"),
        ("en", "public association"),
    }
    assert terms_for("маслихатов", lang_only=True) == {("ru", "местный представительный орган")}
    assert terms_for("закона", lang_only=True) == set()


def test_a_term_joins_the_words_it_spans_in_one_clause():
    asked = plan("решение жария талқылау тариф")
    assert [[term.text for option in clause.options for term in option] for clause in asked.clauses] == [
        ["решение"],
        ["жария", "талқылау"],
        ["тариф"],
    ]
    # A stop word in any language is left out, or it would be required where it is not one ("the law").
    assert [clause.options[0][0].text for clause in plan("the law and the article").clauses] == ["law", "article"]


def test_latin_keys_fold_the_usual_romanisations():
    assert latin_key("мәслихат") == latin_key("маслихат") == latin_key("maslikhat") == latin_key("maslihat")
    assert latin_key("Мажилис") == latin_key("Mazhilis") == latin_key("Majilis")
    assert latin_key("заң") == latin_key("zang") == latin_key("zañ")


def test_a_broken_line_is_reported_and_the_rest_is_kept():
    text = (
        "# comment line\n"
        "заң\tзакон\tlaw\n"
        "бап статья article\n"  # spaces, not TABs: one term, not a concept
        "тарау\tглава\tchapter\textra\n"
        "\t\tthe | of\n"  # only stop words
        "\n"
        "мерзім | уақыт\t\tdeadline  # an empty column is allowed\n"
    )
    terms = parse(text)
    assert [sorted(concept) for concept in terms.concepts] == [["en", "kk", "ru"], ["en", "kk"]]
    assert terms.concepts[1] == {"kk": ("мерзім", "уақыт"), "en": ("deadline",)}
    assert [problem.split(":")[0] for problem in terms.problems] == ["line 3", "line 4", "line 5", "line 5"]
    assert "TABs" in terms.problems[0] and "4 columns" in terms.problems[1] and "stop words" in terms.problems[2]


def test_the_file_is_read_again_when_it_changes(tmp_path, caplog):
    path = tmp_path / "glossary.tsv"
    path.write_text("заң\tзакон\tlaw\n", encoding="utf-8")
    first = glossary.load(path)
    assert glossary.load(path) is first  # read once
    path.write_text("заң\tзакон\tlaw\nсот\tсуд\tcourt\n", encoding="utf-8")
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))
    assert len(glossary.load(path).concepts) == 2
    path.unlink()
    assert glossary.load(path).concepts == []  # gone: queries are searched as typed, nothing fails
    assert "cannot be read" in caplog.text


def test_the_operator_can_point_to_another_file(app, runner, tmp_path):
    path = tmp_path / "ours.tsv"
    path.write_text("жер\tземля\tland\n", encoding="utf-8")
    app.config["SEARCH_GLOSSARY_FILE"] = str(path)
    with app.app_context():
        assert terms_for("жерлер") == {("ru", "земля"), ("en", "land")}
        assert terms_for("мәслихаттар") == set()
    result = runner.invoke(args=["search", "glossary", "земли"])
    assert result.exit_code == 0 and "1 concepts" in result.output and "kk: жер" in result.output
    path.write_text("жер\tземля\tland\nбап статья article\n", encoding="utf-8")
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))
    result = runner.invoke(args=["search", "glossary"])
    assert result.exit_code != 0 and "line 2" in result.output


def test_a_correction_stays_close_to_the_word_typed():
    assert [max_edits(word) for word in ("act", "mail", "maill", "waste", "законв", "қалдықтарр")] == [1, 1, 1, 1, 2, 2]
    assert edit_distance("maill", "mail") == 1 and edit_distance("maill", "all") == 2
    assert edit_distance("abcd", "abdc") == 1  # a swap is one edit
    assert close("maill", "mail") and not close("maill", "all")
    assert not close("waste", "act") and not close("waste", "waste")
    frequency = {"all": 900, "mail": 5, "mall": 2}.get
    assert closest("maill", ["all", "mail", "mall"], frequency) == "mail"  # fewest edits, then the most frequent
    assert closest("maill", ["all"], frequency) is None
    assert closest("wast", ["act", "east"], lambda _: 1) == "east"


@pytest.mark.parametrize("name", ["public-discussion.kk.txt", "public-discussion.ru.txt", "public-discussion.en.txt"])
def test_snippets_see_the_words_the_index_sees(name):
    """Snippets tokenise without Whoosh's pipeline (analysis.word_spans): the tokens must stay the analyser's."""
    text = (Path(DEMO_TEXTS) / name).read_text(encoding="utf-8") + " 5-1-бап үй-жай бiлiм ёлка NGOs " + "x" * 70
    lang = name.split(".")[-2]
    expected = [(t.startchar, t.endchar, t.text) for t in analyzer_for(lang)(text, chars=True, removestops=True)]
    assert word_spans(text, lang) == expected and len(expected) > 2000
