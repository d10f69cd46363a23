"""Every plural string of the kk, ru and en catalogs, rendered with 1, 2, 5 and 21 as the page would render it.

Kazakh has two forms and keeps the noun after a numeral singular ("5 пікір"); Russian has three, chosen by the
number's last digits ("1 комментарий", "2 комментария", "5 комментариев", "21 комментарий").
"""

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[1]
NUMBERS = (1, 2, 5, 21)
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")
# The catalog's form for each CLDR plural category of the language.
FORMS = {"kk": {"one": 0, "other": 1}, "ru": {"one": 0, "few": 1, "many": 2}, "en": {"one": 0, "other": 1}}
# The word right after the number: "%(num)d комментарий" -> "комментарий".
WORD_AFTER_NUMBER = re.compile(r"%\(num\)d\s+([^\W\d_]+(?:-[^\W\d_]+)?)")
# Russian plural endings (genitive, dative, instrumental, prepositional): never after 1 or 21.
RUSSIAN_PLURAL_ENDING = re.compile(r"(ых|их|ов|ев|ам|ям|ах|ях|ами|ями)$")
# Kazakh plural suffixes, which a noun after a numeral does not take ("5 пікір", not "5 пікірлер").
KAZAKH_PLURAL_SUFFIX = re.compile(r"(лар|лер|дар|дер|тар|тер)")


def catalog(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def translations(cat) -> Translations:
    """Compile the catalog in memory, as `make translations` does, so its own Plural-Forms rule is used."""
    buffer = BytesIO()
    write_mo(buffer, cat)
    buffer.seek(0)
    return Translations(buffer)


def plurals(cat) -> list:
    return [message for message in cat if message.id and message.pluralizable]


def render(text: str, msgid: str, n: int) -> str:
    """Fill the placeholders as a template would: %(num)d with n, the others with sample values."""
    values = {name: (n if name == "num" else 7 if kind == "d" else "X") for name, kind in PLACEHOLDER.findall(msgid)}
    return text % values


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_catalog_chooses_forms_as_cldr_does(lang):
    cat = catalog(lang)
    assert cat.num_plurals == len(FORMS[lang])
    choose = translations(cat).plural
    locale = Locale.parse(lang)
    wrong = [n for n in range(1000) if choose(n) != FORMS[lang][locale.plural_form(n)]]
    assert wrong == []


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_plural_string_renders_its_own_form_for_1_2_5_and_21(lang):
    cat = catalog(lang)
    gettext = translations(cat)
    locale = Locale.parse(lang)
    problems = []
    assert plurals(cat), "the catalog has no plural strings"
    for message in plurals(cat):
        singular, plural = message.id
        for n in NUMBERS:
            expected = message.string[FORMS[lang][locale.plural_form(n)]]
            text = gettext.ngettext(singular, plural, n)
            if not text or text != expected:
                problems.append(f"{singular!r} with {n}: {text!r} instead of the catalog's {expected!r}")
                continue
            rendered = render(text, plural, n)
            if "%(" in rendered or ("%(num)d" in plural and str(n) not in rendered):
                problems.append(f"{singular!r} with {n}: {rendered!r}")
    assert problems == []


def test_russian_forms_agree_with_the_number():
    problems = []
    for message in plurals(catalog("ru")):
        words = [
            match.group(1).lower() if (match := WORD_AFTER_NUMBER.search(form)) else None for form in message.string
        ]
        if words[0] and RUSSIAN_PLURAL_ENDING.search(words[0]):
            problems.append(f"{message.id[0]!r}: a plural {words[0]!r} after 1 or 21")
        # Where the words after 1 and 5 differ the phrase declines, and after 2 it is neither the form for 1.
        if words[0] != words[2] and words[1] == words[0]:
            problems.append(f"{message.id[0]!r}: {words[1]!r} after 2 is the form for 1")
    assert problems == []


def test_kazakh_keeps_the_noun_after_a_numeral_singular():
    problems = []
    for message in plurals(catalog("kk")):
        words = [match.group(1) if (match := WORD_AFTER_NUMBER.search(form)) else None for form in message.string]
        if words[0] != words[1]:
            problems.append(f"{message.id[0]!r}: {words[0]!r} after 1 but {words[1]!r} after 5")
        if words[1] and KAZAKH_PLURAL_SUFFIX.search(words[1]):
            problems.append(f"{message.id[0]!r}: {words[1]!r} takes a plural suffix after a numeral")
    assert problems == []
