"""Text analysis for search: folding, tokens, stop words and stemming for Kazakh, Russian and English.

Whoosh pickles each field's analyzer into the index's schema, so every filter here is a module-level
class or function: moving or renaming them makes existing indexes unreadable (rebuild with
`flask search reindex`). Bump ANALYSIS_VERSION whenever the tokens produced change (tokenizer, stop
lists, kk_stemmer rules or exceptions): an index built with other tokens must be rebuilt.

Tokenizing: a token is a run of letters and digits that starts with a letter, or a number whose parts
are joined by "-" or "." (5-1, 1.2.3). So "5-1-бап" gives "5-1" and "бап", "12-тармағы" gives "12" and
"тармақ", and a hyphenated word splits (үй-жай -> үй, жай) so each half can be found alone.
Numbers are never stopped or stemmed, whatever the language.
"""

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache, lru_cache

from whoosh.analysis import STOP_WORDS, Analyzer, Filter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.acore import Token
from whoosh.lang import stemmer_for_language

from app.search import kk_stemmer

LANGUAGES = ("kk", "ru", "en")
ANALYSIS_VERSION = 2
MAX_TOKEN_LENGTH = 64

# Combining marks (U+0300-036F) are kept inside a token so a decomposed й or ё is not cut in two;
# fold() then composes them.
WORD_PATTERN = r"\d+(?:[-.\u2010\u2011]\d+)*|[^\W\d_](?:[^\W_]|[\u0300-\u036f])*"

# Kept short on purpose: words too common to help a search, never words that change a legal meaning
# (тиіс "must", қажет "needed", сәйкес "according to" stay searchable).
KK_STOP_WORDS = frozenset(
    """
    және мен бен пен да де та те ал әрі немесе не бірақ алайда яғни егер онда сонда мұнда осында
    осы бұл сол ол олар оның оны оған олардың біз сіз сен бір әр әрбір өз өзі
    үшін бойынша туралы арқылы сияқты сондай сондықтан себебі тағы ғана қана дейін кейін
    еді екен емес болып табылады ма ме ба бе па пе ғой ең өте
    """.split()
)

# Whoosh does ship a Russian list (snowball's, 151 words), but it stops words that matter in a law or a
# comment on one: без, нельзя, можно, после, перед, два, три. This one keeps to function words.
RU_STOP_WORDS = frozenset(
    """
    а в во да для до же за и из или к ко как ли на над не ни но о об от по под при про с со то у что
    чтобы это этот эта эти этого этой этом его ее их им он она оно они мы вы я ты так также который
    которая которое которые которого которой котором которых был была было были быть есть будет бы
    """.split()
)

STOP_WORDS_BY_LANG = {"kk": KK_STOP_WORDS, "ru": RU_STOP_WORDS, "en": frozenset(STOP_WORDS)}
ALL_STOP_WORDS = frozenset().union(*STOP_WORDS_BY_LANG.values())

_HAS_LATIN = re.compile(r"[a-zA-ZəƏöÖüÜ]")
_HAS_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTERS = re.compile(r"[^\W\d_]+")
# Latin letters that look like Cyrillic ones, applied only inside a word that mixes both scripts:
# Kazakh typed without a Kazakh layout uses Latin i for і and h for һ, and spam hides words this way.
# Case matters: H looks like Н but h like һ, so this runs before lower-casing.
_HOMOGLYPHS = str.maketrans(
    "AaBCcEeHhIiKkMOoPpTXxYyƏəÖöÜü",
    "АаВСсЕеНһІіКкМОоРрТХхУуӘәӨөҮү",
)
_FOLD_TABLE = str.maketrans({"ё": "е", "\u2010": "-", "\u2011": "-"})


def _to_cyrillic(match: re.Match[str]) -> str:
    """Replace Latin look-alikes in a word that also has Cyrillic letters."""
    word = match.group()
    if _HAS_CYRILLIC.search(word) and _HAS_LATIN.search(word):
        return word.translate(_HOMOGLYPHS)
    return word


def fold(text: str) -> str:
    """Return text in NFC, lower case, with ё as е and Kazakh letters (ә ғ қ ң ө ұ ү һ і) kept."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFC", text)
    # Only a word mixing scripts is changed ("бiлiм" with a Latin i -> "білім"): "Kazakhstan" stays Latin.
    if _HAS_LATIN.search(text) and _HAS_CYRILLIC.search(text):
        text = _LETTERS.sub(_to_cyrillic, text)
    return text.lower().translate(_FOLD_TABLE)


class FoldFilter(Filter):
    """Fold each token with fold(): the LowercaseFilter of these analyzers."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = fold(token.text)
            yield token


# functools.lru_cache is thread-safe; Whoosh's own StemFilter cache is not, and an analyzer is shared
# between the request threads and the index writer. 20k words per language covers the bulk of running
# text (word frequencies are Zipfian) for a few MB per process.
_CACHE_SIZE = 20_000
kk_stem = lru_cache(maxsize=_CACHE_SIZE)(kk_stemmer.stem)


@lru_cache(maxsize=_CACHE_SIZE)
def ru_stem(word: str) -> str:
    """Stem a Russian word with Whoosh's snowball stemmer."""
    return _snowball("ru")(word)


@lru_cache(maxsize=_CACHE_SIZE)
def en_stem(word: str) -> str:
    """Stem an English word with Whoosh's snowball (Porter2) stemmer."""
    return _snowball("en")(word)


@cache
def _snowball(lang: str) -> Callable[[str], str]:
    """Return Whoosh's snowball stemming function for the language, built once."""
    return stemmer_for_language(lang)


class KazakhStemFilter(Filter):
    """Replace each token by its Kazakh stem (app.search.kk_stemmer)."""

    is_morph = True

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.stopped:
                token.text = kk_stem(token.text)
            yield token


def _stem_filter(lang: str) -> Filter:
    """Return the stemming filter for the language."""
    if lang == "kk":
        return KazakhStemFilter()
    # StemFilter(lang=...) would compare equal across languages (its __eq__ looks at stemfn only) and use
    # Whoosh's non-thread-safe cache; a module-level cached function avoids both and still pickles.
    return StemFilter(stemfn=ru_stem if lang == "ru" else en_stem, cachesize=None)


@cache
def analyzer_for(lang: str) -> Analyzer:
    """Return the Whoosh analyzer for "kk", "ru" or "en" (shared and stateless: do not modify it)."""
    if lang not in STOP_WORDS_BY_LANG:
        raise ValueError(f"no analyzer for language {lang!r}; expected one of {LANGUAGES}")
    # minsize=1 keeps one-digit numbers (5-бап -> "5"); one-letter words are in the stop lists.
    # maxsize drops runs no word reaches (pasted base64, digit strings), which only bloat the index.
    return (
        RegexTokenizer(WORD_PATTERN)
        | FoldFilter()
        | StopFilter(STOP_WORDS_BY_LANG[lang], minsize=1, maxsize=MAX_TOKEN_LENGTH)
        | _stem_filter(lang)
    )


@cache
def exact_analyzer() -> Analyzer:
    """Return the analyzer of words as written (folded, not stemmed), in any language: exact forms rank higher."""
    return RegexTokenizer(WORD_PATTERN) | FoldFilter() | StopFilter(ALL_STOP_WORDS, minsize=1, maxsize=MAX_TOKEN_LENGTH)


@lru_cache(maxsize=_CACHE_SIZE)
def exact_tokens(text: str) -> tuple[str, ...]:
    """The text's words as written (folded, not stemmed), as the exact analyzer gives them."""
    return tuple(token.text for token in exact_analyzer()(text))


_WORD = re.compile(WORD_PATTERN)
_STEMS = {"kk": kk_stem, "ru": ru_stem, "en": en_stem}
_folded = lru_cache(maxsize=100_000)(fold)  # per word: running text repeats a few words most of the time


_SPAN_WORDS = 100_000  # words as written remembered per language with their stem (False: a word left out)
_span_stems: dict[str, dict[str, str | bool]] = {}


def word_spans(text: str, lang: str) -> list[tuple[int, int, str]]:
    """(start, end, stem) of each word that analyzer_for(lang) keeps, the same tokens without Whoosh's pipeline of
    generators (a third of the time)."""
    return matched_spans(text, lang, None)


def matched_spans(text: str, lang: str, terms: frozenset[str] | set[str] | None) -> list[tuple[int, int, str]]:
    """word_spans(text, lang) kept to the words whose stem is in terms (None: every word): what a snippet marks.

    Snippets are cut from every shown result on every search: each word as written is looked up once in a plain dict
    (folding, the stop list and the stemmer's cache were three look-ups), a tuple is built only for the words kept,
    and the tokens come from one findall (a word is located with str.find after the previous one: the characters
    between two tokens are neither letters nor digits, so the token is the first place its text occurs)."""
    known = _span_stems.get(lang)
    if known is None or len(known) > _SPAN_WORDS:
        known = _span_stems[lang] = {}  # a new dict, not cleared in place: another thread may be reading the old one
    spans = []
    find, cursor = text.find, 0
    for raw in _WORD.findall(text):
        start = find(raw, cursor)
        cursor = start + len(raw)
        found = known.get(raw)
        if found is None:
            word = _folded(raw)
            keep = len(word) <= MAX_TOKEN_LENGTH and word not in STOP_WORDS_BY_LANG[lang]
            found = known[raw] = _STEMS[lang](word) if keep else False
        if found is not False and (terms is None or found in terms):
            spans.append((start, cursor, found))
    return spans


def index_tokens(text: str, lang: str) -> tuple[list[str], list[str]]:
    """The tokens analyzer_for(lang) and exact_analyzer() give a text (stems, forms as written), in one pass.

    A rebuild analyses every text of the database: Whoosh's pipeline of generators, run once per field, took half of
    its time. Whoosh indexes a list of tokens as given, with the positions an analyzer would give them (stop words
    leave no gap), so the index holds the same terms (tests/search/test_rebuild.py compares the two).
    """
    stops, stem = STOP_WORDS_BY_LANG[lang], _STEMS[lang]
    stems, forms = [], []
    for match in _WORD.findall(text):
        word = _folded(match)
        if len(word) > MAX_TOKEN_LENGTH:
            continue
        if word not in stops:
            stems.append(stem(word))
        if word not in ALL_STOP_WORDS:
            forms.append(word)
    return stems, forms


def stem_text(text: str, lang: str) -> str:
    """Return the text's analyzed tokens in lang, joined by spaces (stop words dropped)."""
    return " ".join(token.text for token in analyzer_for(lang)(text))
