"""Kazakh verbs: a verb's forms meet its verbal noun (жариялау finds жарияланады), nouns stay apart.

The stemmer's verb rules are tuned on data/kk_verbs_gold.tsv; data/kk_heldout.tsv measures them (test_analysis).
"""

from pathlib import Path

import pytest

from app.search import kk_stemmer
from app.search.backend import Filters
from app.search.kk_stemmer import stem
from app.search.services import search
from tests.search.test_analysis import REGULAR_NOUNS

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def request_context():
    """Replace the package's autouse request context: only the search test needs the app, and it pushes its own."""
    yield


def read_pairs(name: str) -> list[tuple[str, str]]:
    """Return (word, lemma or stem) for each line of a data file; "#" lines are comments or part headers."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, lemma = line.split("\t")
            rows.append((word, lemma))
    return rows


def test_verb_forms_meet_their_lemma():
    rows = read_pairs("kk_verbs_gold.tsv")
    failures = [(word, stem(word), stem(lemma)) for word, lemma in rows if stem(word) != stem(lemma)]
    print(f"kk verbs gold list: {len(rows) - len(failures)}/{len(rows)} pass")
    assert len(rows) >= 300
    assert failures == []


def test_verb_lemmas_keep_their_own_stems():
    # No two verbs meet, and no verb meets a noun of the noun lists unless it is that word (талқылау, ескерту).
    lemmas = {lemma for _, lemma in read_pairs("kk_verbs_gold.tsv")}
    noun_stems = {expected for _, expected in read_pairs("kk_gold.tsv")} | {stem(noun) for noun in REGULAR_NOUNS}
    seen: dict[str, str] = {}
    for lemma in sorted(lemmas):
        one = stem(lemma)
        assert seen.setdefault(one, lemma) == lemma, f"{lemma!r} and {seen[one]!r} share the stem {one!r}"
        assert one not in noun_stems or one == lemma, f"{lemma!r} meets a noun stemmed {one!r}"
        assert stem(one) == one, "a stem must stem to itself"


def test_verbs_gold_list_shares_nothing_with_the_heldout_list():
    heldout = read_pairs("kk_heldout.tsv")
    heldout_lemmas, heldout_words = {lemma for _, lemma in heldout}, {word for word, _ in heldout}
    tuned = read_pairs("kk_verbs_gold.tsv")
    assert {lemma for _, lemma in tuned} & heldout_lemmas == set()
    assert {word for word, _ in tuned} & heldout_words == set()
    # The stemmer's own word lists are tuning too.
    assert (kk_stemmer._VERB_ROOTS | kk_stemmer._NOT_VERBS) & (heldout_words | heldout_lemmas) == set()


def test_issue_example_meets():
    # Issue 12: "жариялау" found none of the comments saying жариялануы, жарияланады, жарияланған.
    forms = "жариялау жариялануы жарияланады жарияланған жариялаудың"
    assert {stem(form) for form in forms.split()} == {stem("жариялау")}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("қолдау", "қолдану"),  # "to support" and "to apply", although қолдан- looks like қолда-'s passive
        ("тарау", "таралу"),  # "chapter" and "to spread"
        ("хабарлама", "хабарлау"),  # "notification" and "to notify": the noun's -ма is not a negation
        ("ұсыныс", "ұсыну"),  # "proposal" and "to propose"
        ("тауар", "тау"),  # "goods" and "mountain": the future -ар is not stripped
        ("кеңсе", "кең"),  # "office" and "wide": -се is a conditional only after a verb
        ("отанды", "отау"),  # "homeland" (accusative) and "new household"
        ("тармақ", "тару"),  # "paragraph" and "millet": -мақ needs a longer stem
    ],
)
def test_distinct_words_stay_apart(one, other):
    assert stem(one) != stem(other)


@pytest.mark.parametrize(
    ("form", "noun"),
    [
        # An accusative or a possessive that reads like a verb ending keeps its noun.
        ("мемлекетін", "мемлекет"),
        ("депутатын", "депутат"),
        ("комитетін", "комитет"),
        ("ақпаратын", "ақпарат"),
        ("сайтын", "сайт"),
        ("жобасын", "жоба"),
        ("бағдарламасын", "бағдарлама"),
        ("жағдайды", "жағдай"),
        ("порталды", "портал"),
        ("кеденді", "кеден"),
        ("негізді", "негіз"),
        ("пікірді", "пікір"),
        ("шартты", "шарт"),
        ("ауылды", "ауыл"),
        ("диоксиді", "диоксид"),
        ("тармақта", "тармақ"),
        # заңды is both "the law" (accusative) and "lawful": Kazakh writes them alike, the noun reading wins.
        ("заңды", "заң"),
    ],
)
def test_nouns_that_look_like_verbs_keep_their_stem(form, noun):
    assert stem(form) == stem(noun)


def test_search_for_a_verbal_noun_finds_its_forms(app, article, create_comment, reindex, sync):
    reindex()
    bodies = [
        "Заң жобасы порталда уақытында жариялануы керек.",
        "Қорытынды құжат ресми сайтта жарияланады.",
        "Бұл өзгерістер бұрын ешқайда жарияланған жоқ.",
        "Жобаны жариялаудың мерзімін ұзарту қажет.",
    ]
    found = [create_comment(article, body=body, lang="kk") for body in bodies]
    other = create_comment(article, body="Қалдықтарды бөлек жинау үшін контейнерлер керек.", lang="kk")
    sync()
    with app.test_request_context("/kk/"):  # the search builds links
        results = search("жариялау", Filters(type="comment"))
    ids = {item.doc_id for item in results.groups.get("comment", [])}
    assert ids == {f"comment:{comment.id}" for comment in found}
    assert f"comment:{other.id}" not in ids
