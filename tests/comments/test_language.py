"""Comments are filed under Kazakh, Russian or English, including Kazakh written without its own letters."""

import json
import threading
from pathlib import Path

import pytest

from app.comments import language
from app.comments.language import KAZAKH_ONLY_LETTERS, detect_language

KAZAKH = [
    "Мен бұл заң жобасын толық қолдаймын.",
    "Бесінші бапты алып тастау керек деп ойлаймын.",
    "Айыппұлдар ауыл тұрғындары үшін тым жоғары.",
    "Заңның күшіне ену мерзімін бір жылға ұзарту қажет.",
    "Шағын бизнес бұл талаптарды орындай алмайды.",
    "Ата-аналар мен мұғалімдердің пікірін ескеру керек.",
    "Бұл норма сыбайлас жемқорлық тәуекелін тудырады.",
    "Цифрлық актив ұғымын түсіндіріп беріңізші.",
    "Жақсы бастама, бірақ әлі де пысықтау керек.",
    "Біз, Қарағанды тұрғындары, бұл түзетуге қарсымыз.",
    "ЗАҢ ЖОБАСЫН ҚОЛДАЙМЫН",
]

# The hard case: Kazakh that happens to use only letters Russian has too.
KAZAKH_WITHOUT_OWN_LETTERS = [
    "Мен бармаймын, ол да бармайды",
    "Ол жазда Алматыда болады",
    "Жобаны жоспар бойынша жасау керек",
    "Бала бармайды, ол ауырып жатыр",
    "Мектептер жабылмасын",
    "Ауылда жол жаман",
    "Жол салу керек",
    "Жоба жаман емес",
]

RUSSIAN = [
    "Я полностью поддерживаю этот законопроект.",
    "Статья 5 противоречит Конституции Республики Казахстан.",
    "Предлагаю исключить пункт 3 статьи 12.",
    "Срок вступления в силу слишком короткий для малого бизнеса.",
    "Кто будет контролировать исполнение этого закона?",
    "Необходимо учесть мнение родителей и учителей.",
    "Штрафы слишком высокие для сельских жителей.",
    "Эта норма создаёт коррупционные риски.",
    "Прошу разъяснить, что означает термин «цифровой актив».",
    "Хорошая инициатива, но нужно доработать.",
    "Я ПРОТИВ ЭТОГО ЗАКОНА",
]

ENGLISH = [
    "I fully support this draft law.",
    "Article 5 contradicts the Constitution of the Republic of Kazakhstan.",
    "I propose to delete paragraph 3 of Article 12.",
    "The transition period is too short for small businesses.",
    "Who will monitor compliance with this law?",
    "The fines are too high for people living in rural areas.",
    "This provision creates corruption risks.",
    "Please clarify what the term digital asset means.",
    "Good initiative, but it needs more work.",
    "We, the residents of Karaganda, oppose this amendment.",
    "I OPPOSE THIS LAW",
]


@pytest.mark.parametrize("text", KAZAKH)
def test_kazakh(text):
    assert detect_language(text) == "kk"


def test_hard_kazakh_cases_really_lack_kazakh_letters():
    assert [text for text in KAZAKH_WITHOUT_OWN_LETTERS if not KAZAKH_ONLY_LETTERS.isdisjoint(text)] == []


@pytest.mark.parametrize("text", KAZAKH_WITHOUT_OWN_LETTERS)
def test_kazakh_without_kazakh_letters(text):
    assert detect_language(text) == "kk"


@pytest.mark.parametrize("text", RUSSIAN)
def test_russian(text):
    assert detect_language(text) == "ru"


@pytest.mark.parametrize("text", ENGLISH)
def test_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Да", "ru"),
        ("Нет", "ru"),
        ("Ок", "ru"),
        ("Иә", "kk"),
        ("Жоқ", "kk"),
        ("заң", "kk"),
        ("OK", "en"),
        ("No", "en"),
        ("Yes", "en"),
        ("👍 Да!", "ru"),
    ],
)
def test_short_text_goes_by_its_alphabet(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "text", ["", "   ", "\n", "👍", "👍👍🔥🇰🇿", "123 456", "5.1, 7.2", "!!! ???", "مرحبا", "你好世界"]
)
def test_text_without_our_letters_is_kazakh(text):
    assert detect_language(text) == "kk"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Заңның 5-бабы 👍 مرحبا", "kk"),
        ("Закон хороший, бірақ мерзім қысқа", "kk"),
        ("Статья 5 туралы ұсыныс", "kk"),
        # Two Kazakh words in a sentence the model calls Russian: the letters settle it.
        ("Ну, это не дұрыс, и не жақсы", "kk"),
        # A Kazakh place name in its own spelling does not make a Russian sentence Kazakh.
        ("Я живу в городе Қарағанды и полностью поддерживаю этот законопроект.", "ru"),
        ("Проект закона о Нацфонде обсуждали в Мажилисе", "ru"),
        ("Please see статья 5, it is too strict for small farms in the regions.", "en"),
    ],
)
def test_mixed_text(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["Бiз бұл жобаны қолдаймыз", "Мен келiсемiн, бiрақ мерзiм тым ерте", "Бiз"])
def test_latin_i_typed_for_kazakh_i(text):
    assert detect_language(text) == "kk"


class _SaysRussian:
    """A model that calls everything Russian with confidence."""

    def classify(self, text: str) -> tuple[str, float]:
        return "ru", 0.99


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Бұл жоба жақсы емес деп ойлаймын", "kk"),
        ("Заң жобасы дұрыс", "kk"),
        ("Я живу в Қарағанды", "ru"),
        ("Я живу в Алматы", "ru"),
    ],
)
def test_kazakh_letters_in_two_words_overrule_russian(monkeypatch, text, lang):
    monkeypatch.setattr(language, "_identifier", _SaysRussian())
    assert detect_language(text) == lang


class _Unsure:
    """A model that cannot tell the three languages apart."""

    def classify(self, text: str) -> tuple[str, float]:
        return "en", 1 / 3


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Поддерживаю этот проект", "ru"), ("Толық қолдаймын", "kk"), ("Fully supported", "en")],
)
def test_unsure_model_falls_back_to_the_alphabet(monkeypatch, text, lang):
    monkeypatch.setattr(language, "_identifier", _Unsure())
    assert detect_language(text) == lang


def test_model_loads_once_for_concurrent_first_calls(monkeypatch):
    monkeypatch.setattr(language, "_identifier", None)
    loads = []
    real_load = language.LanguageIdentifier.from_model_file

    def counting_load(*args, **kwargs):
        loads.append(1)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(language.LanguageIdentifier, "from_model_file", counting_load)
    barrier = threading.Barrier(6)
    results: list[str] = []

    def detect() -> None:
        barrier.wait()
        results.append(detect_language("Мен бұл заң жобасын толық қолдаймын."))

    threads = [threading.Thread(target=detect) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["kk"] * 6
    assert len(loads) == 1


def test_any_naughty_string_gets_one_of_our_languages():
    payloads = json.loads((Path(__file__).parent.parent / "data" / "xss_payloads.json").read_text(encoding="utf-8"))
    assert {detect_language(payload) for payload in payloads} <= {"kk", "ru", "en"}
