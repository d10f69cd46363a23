"""Find insults and obscenities in a comment by the kk, ru and en word lists, seeing through the usual evasions."""

import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

WORDLIST_DIR = Path(__file__).parent / "wordlists"
WORDLIST_LANGUAGES = ("kk", "ru", "en")
# A line of the word lists may spell out many forms; past this a typo has probably multiplied them.
MAX_FORMS_PER_LINE = 5000

# Evasions: Latin letters (and digits) that look like Cyrillic ones, typed inside a Cyrillic word; and the
# reverse, a Cyrillic letter inside an English word ("fuсk"). i and 1 are read as и, or as і in a Kazakh word.
_TO_CYRILLIC = str.maketrans("aoepcxykmthub0346", "аоерсхукмтнивозчб")
_TO_LATIN = str.maketrans("аоерсхукмтнві", "aoepcxykmthbi")
# Digits for letters in an English word: "id10t", "sh1t".
_LEET = str.maketrans("013457", "oieast")
_LOOKALIKE_LATIN = frozenset("aoepcxykmthubi")
_EVASION_DIGITS = frozenset("01346")
_KAZAKH_ONLY = frozenset("әғқңөұүһі")
# Kazakh is often typed without its own letters ("акымак" for "ақымақ"): compare words with those folded away.
_FOLD = str.maketrans("әғқңөұүһіъ", "агкноуухиь")
# Soft hyphens and zero-width characters are invisible and split words for no reason but evasion.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
# Three or more single letters apart: "д у р а к", "д.у.р.а.к", "i-d-i-o-t". Abbreviations ("т. е.", "и т. д.")
# join into letter strings that no list holds.
_SPACED = re.compile(r"(?<![^\W_])[^\W\d_](?:[ .*_\-\u00b7]{1,2}[^\W\d_](?![^\W_])){2,}")
_TOKEN = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-z]")
# The word lists: "@name = forms…" defines a set; an entry is words, each "@name" or letters with "(a|b|)"
# groups and an optional trailing "*" for a stem.
_SET_LINE = re.compile(r"@(\w+) *= *(.+)")
_SET_REFERENCE = re.compile(r"@(\w+)")
_GROUP = re.compile(r"\(([^()]*)\)")
_FORM = re.compile(r"[^\W\d_]+\*?")
_TRAILING_COMMENT = re.compile(r"\s+#.*$")
_REPEATS = re.compile(r"(.)\1+")

Runs = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class _Part:
    """One word of a word-list entry, as runs of letters, and whether it is a stem."""

    runs: Runs
    stem: bool

    def matches(self, runs: Runs) -> bool:
        """Tell whether a word's runs fit: same letters, each repeated at least as often as in the entry."""
        if len(runs) < len(self.runs) or (not self.stem and len(runs) != len(self.runs)):
            return False
        return all(
            letter == own and count >= own_count
            for (letter, count), (own, own_count) in zip(runs, self.runs, strict=False)
        )


@dataclass
class _Lexicon:
    """Word-list entries as a tree of words: each level indexed by the letters of a word with repeats collapsed."""

    exact: dict[str, list[tuple[_Part, "_Node"]]] = field(default_factory=dict)
    stems: dict[str, list[tuple[_Part, "_Node"]]] = field(default_factory=dict)
    # The lengths of the stems' keys, so a word is looked up only by the prefixes some stem has.
    stem_lengths: list[int] = field(default_factory=list)

    def add(self, parts: tuple[_Part, ...]) -> None:
        """Add an entry's words below this level."""
        part, rest = parts[0], parts[1:]
        key = _key(part.runs)
        bucket = (self.stems if part.stem else self.exact).setdefault(key, [])
        node = next((node for own, node in bucket if own == part), None)
        if node is None:
            node = _Node()
            bucket.append((part, node))
            if part.stem and len(key) not in self.stem_lengths:
                self.stem_lengths = sorted([*self.stem_lengths, len(key)])
        if rest:
            node.following = node.following or _Lexicon()
            node.following.add(rest)
        else:
            node.final = True

    def matching(self, word: str) -> list["_Node"]:
        """Return the nodes at this level whose word matches a (folded) word."""
        key = _REPEATS.sub(r"\1", word)
        buckets = [self.exact[key]] if key in self.exact else []
        for length in self.stem_lengths:
            if length > len(key):
                break
            if key[:length] in self.stems:
                buckets.append(self.stems[key[:length]])
        if not buckets:
            return []
        # Most words share no letters with any entry: only the few that do are split into runs.
        runs = _runs(word)
        return [node for bucket in buckets for part, node in bucket if part.matches(runs)]


@dataclass
class _Node:
    """A word of one or more entries: whether an entry ends with it, and the words that follow it in others."""

    final: bool = False
    following: _Lexicon | None = None


# --- the word lists ----------------------------------------------------------------------------------------


def _forms(pattern: str, sets: dict[str, list[str]]) -> list[str]:
    """Spell out one word of a list line: a set's forms, or every choice of its "(a|b)" groups."""
    if reference := _SET_REFERENCE.fullmatch(pattern):
        if reference.group(1) not in sets:
            raise ValueError(f"unknown set {pattern!r}")
        return sets[reference.group(1)]
    pieces = _GROUP.split(pattern)
    choices = [piece.split("|") if odd else [piece] for odd, piece in zip(itertools.cycle((0, 1)), pieces)]
    forms = ["".join(choice) for choice in itertools.product(*choices)]
    if not forms or not all(_FORM.fullmatch(form) for form in forms):
        raise ValueError(f"not a word, stem or group of endings: {pattern!r}")
    return forms


def _expand(line: str, sets: dict[str, list[str]]) -> list[str]:
    """Spell out every phrase a list line stands for."""
    words = [_forms(word, sets) for word in line.split(" ")]
    if math.prod(map(len, words)) > MAX_FORMS_PER_LINE:
        raise ValueError(f"more than {MAX_FORMS_PER_LINE} forms")
    return [" ".join(phrase) for phrase in itertools.product(*words)]


@dataclass(frozen=True)
class WordList:
    """One language's list spelled out: the phrases to flag, and the words a stem must not catch."""

    entries: tuple[str, ...]
    exceptions: tuple[str, ...]


@functools.cache
def word_list(language: str) -> WordList:
    """Read a language's list, with its sets and groups of endings spelled out."""
    path = WORDLIST_DIR / f"{language}.txt"
    sets: dict[str, list[str]] = {}
    found: dict[str, None] = {}
    exceptions: dict[str, None] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = _lower(_TRAILING_COMMENT.sub("", raw).strip())
        if not line or line.startswith("#"):
            continue
        try:
            if definition := _SET_LINE.fullmatch(line):
                sets[definition.group(1)] = [
                    form for word in definition.group(2).split() for form in _forms(word, sets)
                ]
            elif line.startswith("!"):
                exceptions.update(dict.fromkeys(_forms(line[1:], sets)))
            else:
                found.update(dict.fromkeys(_expand(line, sets)))
        except ValueError as error:
            raise ValueError(f"{path}:{number}: {error}: {raw!r}") from None
    return WordList(tuple(found), tuple(exceptions))


def entries(language: str) -> tuple[str, ...]:
    """Return every phrase a language's list flags."""
    return word_list(language).entries


@functools.cache
def _lexicon() -> tuple[_Lexicon, _Lexicon]:
    """Load the kk, ru and en word lists once per process: the entries, and the exceptions to their stems."""
    lexicon, exceptions = _Lexicon(), _Lexicon()
    # Phrases spelled out from sets repeat the same words thousands of times: one part for each word.
    parts: dict[str, _Part] = {}

    def part(word: str) -> _Part:
        if word not in parts:
            parts[word] = _Part(_match_runs(word.rstrip("*")), word.endswith("*"))
        return parts[word]

    for language in WORDLIST_LANGUAGES:
        for entry in word_list(language).entries:
            lexicon.add(tuple(part(word) for word in entry.split(" ")))
        for word in word_list(language).exceptions:
            exceptions.add((part(word),))
    return lexicon, exceptions


# --- normalising a text ------------------------------------------------------------------------------------


def _runs(word: str) -> Runs:
    """Split a word into runs of the same letter, so "идииот" and "идиот" share their letters."""
    runs: list[tuple[str, int]] = []
    for letter in word:
        if runs and runs[-1][0] == letter:
            runs[-1] = (letter, runs[-1][1] + 1)
        else:
            runs.append((letter, 1))
    return tuple(runs)


def _key(runs: Runs) -> str:
    """Return the letters of a word with repeats collapsed."""
    return "".join(letter for letter, _ in runs)


def _lower(text: str) -> str:
    """Lower-case a text and drop what only varies its spelling: ё, composed forms, invisible characters."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text)).lower()
    return text.replace("ё", "е")


def _join_spaced(text: str) -> str:
    """Join letters typed apart to dodge a list ("д у р а к") into one word."""
    return _SPACED.sub(lambda match: "".join(char for char in match.group() if char.isalpha()), text)


def _variants(token: str) -> list[str]:
    """Return the readings of a lower-cased token, seeing through look-alike letters typed to evade a list."""
    has_cyrillic, has_latin = bool(_CYRILLIC.search(token)), bool(_LATIN.search(token))
    digits = 0 if token.isalpha() else sum(char.isdigit() for char in token)
    # Digits stand for letters only inside a word mostly of letters: "2026ж" and "a4" are not evasions.
    digits_as_letters = 0 < digits < len(token) - digits
    if has_cyrillic and (has_latin or (digits_as_letters and not _EVASION_DIGITS.isdisjoint(token))):
        i = "і" if not _KAZAKH_ONLY.isdisjoint(token) else "и"
        cyrillic = token.translate(_TO_CYRILLIC).replace("i", i).replace("1", i)
        return [cyrillic, token.translate(_TO_LATIN)] if has_latin else [cyrillic]
    if has_latin and not has_cyrillic:
        if digits_as_letters:
            return [token, token.translate(_LEET)]
        if set(token) <= _LOOKALIKE_LATIN:
            # Every letter has a Cyrillic twin ("cyka"): it may be a Cyrillic word typed in Latin.
            return [token, token.translate(_TO_CYRILLIC).replace("i", "и")]
    return [token]


def _match_runs(word: str) -> Runs:
    """Return the runs a word is compared by: Kazakh letters folded, ъ as ь."""
    return _runs(word.translate(_FOLD))


# --- matching ----------------------------------------------------------------------------------------------


def find_profanity(text: str) -> list[str]:
    """Return the insults and obscenities in a text as normalised words, deduplicated, in order of appearance."""
    tokens = _TOKEN.findall(_join_spaced(_lower(text)))
    found: dict[str, None] = {}
    for position, token in enumerate(tokens):
        for word, node in _starts(token):
            if node.final:
                found.setdefault(word, None)
            if node.following is not None:
                for rest in _walk(node.following, tokens, position + 1):
                    found.setdefault(" ".join([word, *rest]), None)
    return list(found)


def _readings(token: str) -> list[tuple[str, str]]:
    """Return the readings of a token as (normalised word, word folded for matching)."""
    return [(variant, variant.translate(_FOLD)) for variant in _variants(token)]


def _matching(lexicon: _Lexicon, token: str) -> list[tuple[str, _Node]]:
    """Return the nodes of a level that a token's readings match, as (the reading, the node), less exceptions."""
    _, exceptions = _lexicon()
    return [
        (word, node)
        for word, folded in _readings(token)
        if (nodes := lexicon.matching(folded)) and not exceptions.matching(folded)
        for node in nodes
    ]


# Comments repeat their words, and the same words recur from comment to comment: what a word starts is remembered.
# Most words start nothing, so the cache holds mostly empty tuples: a few megabytes per process at most.
@functools.lru_cache(maxsize=8192)
def _starts(token: str) -> tuple[tuple[str, _Node], ...]:
    """Return the first words of entries that a token matches, as (its reading, the entry's node)."""
    # A tuple: the empty one is shared by every word that starts nothing.
    return tuple(_matching(_lexicon()[0], token))


def _walk(lexicon: _Lexicon, tokens: list[str], position: int) -> Iterator[list[str]]:
    """Yield the following words of every entry that goes on at a position, one word at a time."""
    if position >= len(tokens):
        return
    for word, node in _matching(lexicon, tokens[position]):
        if node.final:
            yield [word]
        if node.following is not None:
            yield from ([word, *rest] for rest in _walk(node.following, tokens, position + 1))


def clear_caches() -> None:
    """Forget the loaded word lists and what was remembered of words, so the lists are read again."""
    for cached in (word_list, _lexicon, _starts):
        cached.cache_clear()
