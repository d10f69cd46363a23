"""Words and sentences of comments for the summaries: the search analysers' folding, stop words and stemmers.

Search (app/search/analysis.py) already knows how Kenes reads kk/ru/en: its tokenizer pattern, folding, stop
lists, the Kazakh stemmer (app/search/kk_stemmer.py) and snowball for Russian and English. This module uses
those pieces directly (not the Whoosh analyzer object) because a theme's label needs the word as written next to
its stem, and building a Whoosh token stream per sentence costs several times more on 100,000 comments.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable

from app.search.analysis import STOP_WORDS_BY_LANG, WORD_PATTERN, en_stem, fold, kk_stem, ru_stem

_WORD = re.compile(WORD_PATTERN)
_STEMMERS: dict[str, Callable[[str], str]] = {"kk": kk_stem, "ru": ru_stem, "en": en_stem}
# Words shorter than this carry no topic (particles, initials, one-letter list markers).
_MIN_WORD = 3
# A sentence ends at . ! ? … or a line break; a dot inside a number (4.2) or after one letter (initials) does not.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"»”')\]]*\s+|\n+")
_SPACES = re.compile(r"\s+")
_MARKDOWN = re.compile(r"[*_`#>]+|\[([^\]]*)\]\([^)]*\)")


def plain(text: str) -> str:
    """The comment's text without Markdown marks and with single spaces."""
    text = _MARKDOWN.sub(lambda m: m.group(1) or " ", text)
    return _SPACES.sub(" ", text).strip()


def words(text: str, lang: str, surfaces: dict[str, Counter] | None = None) -> list[str]:
    """Return the stems of the text's content words in `lang`; count each stem's written forms in `surfaces`."""
    stop = STOP_WORDS_BY_LANG[lang]
    stem = _STEMMERS[lang]
    folded = fold(text)
    # The form shown in a label is the word as written (идёт, not the folded идет), where folding kept the length.
    written = unicodedata.normalize("NFC", text).lower() if surfaces is not None else ""
    if len(written) != len(folded):
        written = folded
    found = []
    for match in _WORD.finditer(folded):
        word = match.group()
        if len(word) < _MIN_WORD or word[0].isdigit() or word in stop:
            continue
        stemmed = stem(word)
        found.append(stemmed)
        if surfaces is not None:
            surfaces[stemmed][written[match.start() : match.end()]] += 1
    return found


def sentences(text: str) -> list[str]:
    """Split plain text into sentences."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def normalise_wording(text: str) -> str:
    """A proposed wording reduced for comparison: folded, punctuation dropped, single spaces."""
    return " ".join(match.group() for match in _WORD.finditer(fold(text)))


def excerpt(text: str, limit: int = 300) -> str:
    """The first `limit` characters of plain text, cut at a word, with an ellipsis when cut."""
    text = plain(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:—–- ") + "…"
