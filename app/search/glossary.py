"""The glossary of legal terms in Kazakh, Russian and English that carries a query into the other two languages.

The terms live in a text file the operator can extend (data/glossary.tsv, or the file SEARCH_GLOSSARY_FILE names):
one concept per line, its Kazakh, Russian and English terms in three TAB-separated columns, synonyms within a column
separated by "|". The file is read on first use and again whenever it changes on disk; a line that cannot be read
is logged and skipped, never an error for the reader (`flask search glossary` lists the problems).

Query words meet terms through the search analysers, as the indexed text does: "мәслихаттар" has the Kazakh stem of
"мәслихат", so it finds маслихат (ru) and maslikhat (en). A word's own form wins over its stem when both name a term
(правила is the rules, право a right, though Russian stems both to "прав"). A Latin word also meets a Kazakh or
Russian term through a loose transliteration key (maslikhat, maslihat and mäslihat all read as "maslihat").
"""

import logging
import os
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from app.search.analysis import LANGUAGES, analyzer_for, fold

logger = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).parent / "data" / "glossary.tsv"
MAX_WORDS = 6  # no term is longer: a query is scanned for runs of at most this many words
LATIN_MIN_LETTERS = 4  # shorter keys (bap, sot, akt) would meet English words by chance

# Kazakh and Russian letters to Latin, reduced to what every common romanisation agrees on: the key folds ә/а,
# қ/к, ұ/ү/у, ы/і/и and the digraphs (kh, zh, sh) so that maslikhat, maslihat and mäslihat meet мәслихат.
_CYRILLIC_TO_LATIN = str.maketrans(
    {
        **dict(zip("аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщыіэ", "aabvggdeejziikklmnnooprstuuufhhccssiie", strict=True)),
        "ъ": "",
        "ь": "",
        "ю": "iu",
        "я": "ia",
    }
)
_DIGRAPHS = (("shch", "s"), ("sch", "s"), ("sh", "s"), ("ch", "c"), ("ts", "c"), ("zh", "j"), ("kh", "h"),
             ("gh", "g"), ("ng", "n"), ("yu", "iu"), ("ya", "ia"))  # fmt: skip
_LATIN_LETTERS = str.maketrans("yqwäöüūığñşçé", "ikuaouuignsce", "'’")
_DOUBLED = re.compile(r"(.)\1+")
_LATIN_WORD = re.compile(r"[a-zäöüūığñşçé'’]+")
_LETTER_RUNS = re.compile(r"[^\W\d_]+")


def latin_key(word: str) -> str:
    """Return a loose Latin spelling of a word, the same for the usual romanisations of one Kazakh or Russian word."""
    key = fold(word).translate(_CYRILLIC_TO_LATIN)
    for digraph, letter in _DIGRAPHS:
        key = key.replace(digraph, letter)
    return _DOUBLED.sub(r"\1", key.translate(_LATIN_LETTERS))


@lru_cache(maxsize=20_000)
def tokens(text: str, lang: str, stemmed: bool = True) -> tuple[str, ...]:
    """The text's tokens as the index of that language holds them (or only folded, without stems)."""
    return tuple(token.text for token in analyzer_for(lang)(text, no_morph=not stemmed))


@dataclass(frozen=True)
class Expansion:
    lang: str
    text: str  # a glossary term, searched in its own language only, as a phrase when it has several words
    own_language: bool  # a synonym in a language the query was typed in: kept by "only in my language"


@dataclass(frozen=True)
class Match:
    start: int  # the query words [start:end] name a glossary term
    end: int
    expansions: tuple[Expansion, ...]


@dataclass
class Glossary:
    concepts: list[dict[str, tuple[str, ...]]] = field(default_factory=list)  # language -> terms
    problems: list[str] = field(default_factory=list)  # "line 12: ..." for `flask search glossary`

    def __post_init__(self) -> None:
        # (language, stemmed or not, token tuple) -> concepts; Latin key tuple -> concepts.
        self._terms: dict[tuple[str, bool, tuple[str, ...]], set[int]] = {}
        self._latin: dict[tuple[str, ...], set[int]] = {}
        for number, concept in enumerate(self.concepts):
            for lang, terms in concept.items():
                for term in terms:
                    for stemmed in (False, True):
                        if found := tokens(term, lang, stemmed):
                            self._terms.setdefault((lang, stemmed, found), set()).add(number)
                    if lang != "en" and (key := tuple(latin_key(word) for word in term.split())):
                        if sum(map(len, key)) >= LATIN_MIN_LETTERS:
                            self._latin.setdefault(key, set()).add(number)

    def __hash__(self) -> int:  # one object per version of the file: cached query plans are keyed by it
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def find(self, words: list[str]) -> list[Match]:
        """The glossary terms the words name, longest first from the left, with what each expands to."""
        found, start = [], 0
        while start < len(words):
            for end in range(min(len(words), start + MAX_WORDS), start, -1):
                if match := self._match(words[start:end], start, end):
                    found.append(match)
                    start = end
                    break
            else:
                start += 1
        return found

    def _match(self, words: list[str], start: int, end: int) -> Match | None:
        typed: dict[str, tuple[str, ...]] = {}  # language -> the typed words' stems, already searched as typed
        concepts: dict[int, set[str]] = {}  # concept -> the languages it was typed in
        for lang in LANGUAGES:
            per_word = [tokens(word, lang) for word in words]
            if not per_word[0] or not per_word[-1]:
                continue  # a run does not start or end on a stop word
            typed[lang] = sum(per_word, ())
            exact = sum((tokens(word, lang, stemmed=False) for word in words), ())
            hits = self._terms.get((lang, False, exact)) or self._terms.get((lang, True, typed[lang]), ())
            for number in hits:
                concepts.setdefault(number, set()).add(lang)
        keys = _latin_keys(words)
        if keys and sum(map(len, keys)) >= LATIN_MIN_LETTERS:
            for number in self._latin.get(keys, ()):
                concepts.setdefault(number, set()).add("en")  # typed in Latin letters: English is its own
        if not concepts:
            return None
        expansions: dict[tuple[str, tuple[str, ...]], Expansion] = {}
        for number, langs in sorted(concepts.items()):
            for lang, terms in self.concepts[number].items():
                for term in terms:
                    key = (lang, tokens(term, lang))
                    if key[1] and key[1] != typed.get(lang) and key not in expansions:
                        expansions[key] = Expansion(lang, term, lang in langs)
        return Match(start, end, tuple(expansions.values()))


def _latin_keys(words: list[str]) -> tuple[str, ...] | None:
    """The Latin keys of words typed in Latin letters, one word each ("maslikhat," counts), else None."""
    keys = []
    for word in words:
        runs = _LETTER_RUNS.findall(fold(word))
        if len(runs) != 1 or not _LATIN_WORD.fullmatch(runs[0]):
            return None
        keys.append(latin_key(runs[0]))
    return tuple(keys)


def parse(text: str) -> Glossary:
    """Read the glossary's text; a line that cannot be used is reported in .problems and skipped."""
    concepts, problems = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        columns = line.split("\t")
        if len(columns) > len(LANGUAGES):
            problems.append(f"line {number}: {len(columns)} columns, expected kk, ru and en separated by TABs")
            continue
        concept = {}
        for lang, column in zip(LANGUAGES, columns, strict=False):
            terms = tuple(term for part in column.split("|") if (term := " ".join(part.split())))
            if unanalysable := [term for term in terms if not tokens(term, lang)]:
                problems.append(f"line {number}: only stop words in {lang} term(s) {', '.join(unanalysable)}")
                terms = tuple(term for term in terms if term not in unanalysable)
            if terms:
                concept[lang] = terms
        if sum(len(terms) for terms in concept.values()) < 2:
            problems.append(f"line {number}: fewer than two terms (are the columns separated by TABs?)")
            continue
        concepts.append(concept)
    return Glossary(concepts, problems)


_lock = threading.Lock()
_loaded: dict[Path, tuple[int, Glossary]] = {}  # path -> (modification time, glossary)
EMPTY = Glossary()


def load(path: str | os.PathLike | None = None) -> Glossary:
    """Return the glossary in the file (the default one without a path), read again when the file has changed."""
    path = Path(path or DEFAULT_FILE)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        cached = _loaded.get(path)
        if cached is None or cached[1] is not EMPTY:
            logger.warning("Search glossary %s cannot be read (%s): queries are not translated", path, error)
            _loaded[path] = (-1, EMPTY)
        return EMPTY
    cached = _loaded.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    with _lock:
        cached = _loaded.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        try:
            glossary = parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            logger.warning("Search glossary %s cannot be read (%s): queries are not translated", path, error)
            glossary = EMPTY
        for problem in glossary.problems:
            logger.warning("Search glossary %s, %s", path, problem)
        _loaded[path] = (stamp, glossary)
        return glossary
