"""Tell which language a draft's text is written in, so a text imported under another language is refused by name."""

from __future__ import annotations

from app.laws.parser import LANGS, ParseError, detect_lang

KAZAKH_ONLY_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# About one Cyrillic letter in seven of a Kazakh law is Kazakh-only; a Russian law has them only in a few names.
KAZAKH_LETTER_SHARE = 0.02


def language_by_letters(text: str) -> str | None:
    """Guess the language from the alphabet of the whole text; None when it has no Cyrillic or Latin letters."""
    cyrillic = latin = kazakh = 0
    for char in text:
        if "\u0400" <= char <= "\u04ff":
            cyrillic += 1
            kazakh += char in KAZAKH_ONLY_LETTERS
        elif char.isascii() and char.isalpha():
            latin += 1
    if not cyrillic and not latin:
        return None
    if latin > cyrillic:
        return "en"
    return "kk" if kazakh >= KAZAKH_LETTER_SHARE * cyrillic else "ru"


def text_language(text: str) -> str | None:
    """Return the language the headings and the letters agree on; None when they disagree or say nothing."""
    by_headings = detect_lang(text)
    # Both must agree: a letter without headings, or a bilingual file, is left to the parser's own messages.
    return by_headings if by_headings and by_headings == language_by_letters(text) else None


def check_language(text: str, lang: str) -> None:
    """Refuse a text whose language is clearly not the chosen one, naming both."""
    detected = text_language(text)
    if detected and lang in LANGS and detected != lang:
        raise ParseError("wrong_language", detected=detected, chosen=lang)
