"""Guess whether a comment is written in Kazakh, Russian or English."""

import re
import threading

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGES = ("kk", "ru", "en")
# Kazakh is the state language: text that says nothing about its language is filed under it.
DEFAULT_LANGUAGE = "kk"

# Below this many letters, or this confidence, the model's guess is noise and the alphabet says more.
MIN_LETTERS = 4
MIN_CONFIDENCE = 0.5

KAZAKH_ONLY_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
# Keyboards without a Kazakh layout make people type Latin i for і inside Cyrillic words ("бiрақ").
_LATIN_I_IN_CYRILLIC = re.compile(r"(?<=[\u0400-\u04ff])[iI]|[iI](?=[\u0400-\u04ff])")
_WORD = re.compile(r"\w+")
# What a comment quotes (the draft, often in its other language) and its links are not the author's own words.
_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|„[^„“”]*[“”]|\"[^\"]*\"")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

_identifier: LanguageIdentifier | None = None
_identifier_lock = threading.Lock()


def _get_identifier() -> LanguageIdentifier:
    """Load the py3langid model once per process, on first use."""
    global _identifier
    # Loading takes about half a second; without the lock two first requests would both pay for it.
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                # Our own instance, so code elsewhere using py3langid's global one keeps all its languages.
                identifier.set_languages(list(LANGUAGES))
                _identifier = identifier
    return _identifier


def _by_alphabet(text: str) -> str:
    """Guess the language from the letters alone."""
    if any(char in KAZAKH_ONLY_LETTERS for char in text):
        return "kk"
    if _CYRILLIC.search(text):
        return "ru"
    if _LATIN.search(text):
        return "en"
    return DEFAULT_LANGUAGE


def _kazakh_letter_words(text: str) -> int:
    """Count the words that contain a letter only Kazakh uses."""
    return sum(1 for word in _WORD.findall(text) if not KAZAKH_ONLY_LETTERS.isdisjoint(word))


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


def _own_words(text: str) -> str:
    """Return the text without its links and quotations, unless that leaves too little to go by."""
    unlinked = _LINK.sub(" ", text)
    unquoted = _QUOTED.sub(" ", unlinked)
    # "«…» — согласен" is still the author's Russian, but a comment that is all quote is judged by the quote.
    for candidate in (unquoted, unlinked):
        if _letters(candidate) >= MIN_LETTERS:
            return candidate
    return text


def detect_language(text: str) -> str:
    """Return "kk", "ru" or "en" for a comment's text; Kazakh when the text gives no clue."""
    text = _own_words(text)
    text = _LATIN_I_IN_CYRILLIC.sub(lambda match: "і" if match.group() == "i" else "І", text)
    if not _CYRILLIC.search(text) and not _LATIN.search(text):
        # Emoji, digits, punctuation or another script only: none of our languages can be told apart.
        return DEFAULT_LANGUAGE
    if _letters(text) < MIN_LETTERS:
        return _by_alphabet(text)
    lang, confidence = _get_identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return _by_alphabet(text)
    # Russian has none of these letters, so two words with them mean Kazakh the model underrated. One word is
    # not enough: Russian comments spell Kazakh place names natively ("я живу в Қарағанды").
    if lang == "ru" and _kazakh_letter_words(text) >= 2:
        return "kk"
    return lang
