"""Screen a comment before a moderator sees it: hints about links, insults and personal data, never verdicts."""

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

WORDLIST_DIR = Path(__file__).parent / "wordlists"
WORDLIST_LANGUAGES = ("kk", "ru", "en")
# One link is a citation of a source; from two on, a comment starts to look like advertising.
LINKS_HINT_THRESHOLD = 2
MASK_CHAR = "\u2022"
IIN_WEIGHTS = (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))


@dataclass(frozen=True)
class Finding:
    """A piece of personal data found in a text, with its span in the original."""

    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Screening:
    """What the automatic screening noticed in one text."""

    links: int
    profanity: list[str]
    iins: list[Finding]
    phones: list[Finding]
    emails: list[Finding]

    @property
    def personal_data(self) -> bool:
        """Tell whether the text holds an IIN, a phone number or an e-mail address."""
        return bool(self.iins or self.phones or self.emails)

    @property
    def hints(self) -> list[str]:
        """Return the hint codes in their stable display order."""
        flags = {
            "links": self.links >= LINKS_HINT_THRESHOLD,
            "profanity": bool(self.profanity),
            "iin": bool(self.iins),
            "phone": bool(self.phones),
            "email": bool(self.emails),
        }
        return [code for code, present in flags.items() if present]


# --- IIN / BIN ---------------------------------------------------------------------------------------------

# Separators people put inside numbers: space, no-break space, hyphen, non-breaking hyphen, en dash.
_SEP = r"[ \u00a0\u2011\u2013-]"
# Where a pattern asks "is there a digit next to it", a mask counts as one: otherwise masking a phone number
# could uncover a grouped IIN beside it that its digits had hidden, and masking twice would not be a no-op.
_DIGIT = r"[\d\u2022]"
# re.ASCII keeps \d to 0-9: Arabic-Indic or full-width digits are not what anyone types for an IIN.
# A "+" in front makes a 12-digit run an international phone number, not an IIN.
_IIN = re.compile(
    rf"""
    (?<![\d\u2022+]) \d{{12}} (?!{_DIGIT})
    # The grouped forms must not be a slice of a longer grouped number such as a card number.
    | (?<![\d\u2022+]) (?<!{_DIGIT}{_SEP})
      (?: \d{{6}}{_SEP}\d{{6}} | \d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}} )
      (?!{_DIGIT}) (?!{_SEP}{_DIGIT})
    """,
    re.VERBOSE | re.ASCII,
)


def is_valid_iin(digits: str) -> bool:
    """Check the 12 digits of an IIN (or a company's BIN) against its check digit."""
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        return False
    values = [int(char) for char in digits]
    for weights in IIN_WEIGHTS:
        check = sum(weight * value for weight, value in zip(weights, values, strict=False)) % 11
        if check != 10:
            return check == values[11]
    # Both weightings give 10: such numbers are never issued.
    return False


def find_iins(text: str) -> list[Finding]:
    """Find the IINs and BINs in a text: 12 digits, contiguous or grouped 6+6 or 4+4+4, with a valid check digit."""
    return [
        Finding("iin", match.start(), match.end(), match.group())
        for match in _IIN.finditer(text)
        if is_valid_iin(re.sub(r"\D", "", match.group()))
    ]


# --- phones ------------------------------------------------------------------------------------------------

# After +7 / 8 / 7 come ten digits: an area code of 3, 4 or 5 digits, the rest the subscriber's. Spelling the
# groupings out (rather than "ten digits with separators anywhere") is what keeps amounts grouped by thousands,
# such as "87 000 000 000", from reading as phone numbers.
# The seven digits after a three-digit code: 123 45 67, 123-4567, 1234567.
_SUBSCRIBER = rf"(?:\d{{3}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}|\d{{3}}{_SEP}\d{{4}})"
_NATIONAL = rf"""
    (?: (?:\(\d{{3}}\){_SEP}?|\d{{3}}{_SEP}?) {_SUBSCRIBER}
      | (?:\(\d{{4}}\){_SEP}?|\d{{4}}{_SEP}?) (?:\d{{2}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}|\d{{3}}{_SEP}?\d{{3}})
      | (?:\(\d{{5}}\){_SEP}?|\d{{5}}{_SEP}?) \d{_SEP}?\d{{2}}{_SEP}?\d{{2}}
    )
"""
_PHONE = re.compile(
    rf"""
    (?<![\w\u2022+])
    (?:
        # Kazakhstan and Russia share +7; domestically the trunk prefix is 8, and some write 7 without the +.
        (?P<national> (?:\+7|8|7(?={_SEP}?\(?7)) {_SEP}? {_NATIONAL} )
        # A Kazakh mobile without any prefix, only when grouped: a bare run of ten digits is as likely an amount.
        | (?P<local> (?:\(7\d{{2}}\){_SEP}?|7\d{{2}}{_SEP}) {_SUBSCRIBER} )
        # Any other international number; its digits are counted after the match.
        | (?P<international> \+\d+ (?:{_SEP}?\(\d+\){_SEP}?\d+)? (?:{_SEP}\d+)* )
    )
    (?!{_DIGIT})
    """,
    re.VERBOSE | re.ASCII,
)
_DIGIT_GROUP = re.compile(r"\d+", re.ASCII)
MIN_INTERNATIONAL_DIGITS = 10
MAX_INTERNATIONAL_DIGITS = 15


def _international_number(text: str, match: re.Match[str]) -> str | None:
    """Trim an international candidate to a plausible phone number, or return None."""
    groups = list(_DIGIT_GROUP.finditer(match.group()))
    digits = list(itertools.accumulate(len(group.group()) for group in groups))
    # The greedy match runs on into whatever number follows after a space: keep at most E.164's fifteen digits,
    # and if what follows is a Kazakh number in its own right ("+44 20 7946 0958 701 123 45 67"), stop before it.
    kept = 1
    while kept < len(groups) and digits[kept] <= MAX_INTERNATIONAL_DIGITS:
        following = _PHONE.match(text, match.start() + groups[kept].start())
        if digits[kept - 1] >= MIN_INTERNATIONAL_DIGITS and following and following.group("international") is None:
            break
        kept += 1
    if not MIN_INTERNATIONAL_DIGITS <= digits[kept - 1] <= MAX_INTERNATIONAL_DIGITS:
        return None
    # "+10 000 000 000 тенге" is an amount: thousands ending in 000. "+996 555 123 456" is a Kyrgyz phone.
    lengths = [len(group.group()) for group in groups[1:kept]]
    if len(lengths) >= 2 and set(lengths) == {3} and groups[kept - 1].group() == "000":
        return None
    return match.group()[: groups[kept - 1].end()]


def find_phones(text: str) -> list[Finding]:
    """Find Kazakh (and other +7) phone numbers in the usual notations, and international "+" numbers."""
    found = []
    position = 0
    while match := _PHONE.search(text, position):
        number = match.group()
        position = match.end()
        if match.group("international") is not None:
            number = _international_number(text, match)
            if number is None:
                continue
            # What trimming gave back may hold the next number: scan it again.
            position = match.start() + len(number)
        found.append(Finding("phone", match.start(), match.start() + len(number), number))
    return found


# --- e-mail and links --------------------------------------------------------------------------------------

# Pragmatic, not RFC 5322. The lookbehind stops a match from starting halfway through a longer local part
# (which would also make a failed search quadratic), and a mention ("@username") has no local part at all.
# Domains may be Cyrillic: ".қаз" is Kazakhstan's own.
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w%+-]+(?:\.[\w%+-]+)*@(?:[^\W_]+(?:-+[^\W_]+)*\.)+[^\W\d_]{2,}(?![\w-])",
)
_LINK = re.compile(
    r"""
    \[[^\[\]\n]*\]\([^)\s]+\)                    # a markdown link, counted once for its text and target
    | \bhttps?://[^\s<>"'()\[\]]+
    | (?<![\w./@-])www\.[^\W_][^\s<>"'()\[\]]*
    """,
    re.VERBOSE | re.IGNORECASE,
)


def find_emails(text: str) -> list[Finding]:
    """Find e-mail addresses in a text."""
    return [Finding("email", match.start(), match.end(), match.group()) for match in _EMAIL.finditer(text)]


def count_links(text: str) -> int:
    """Count the http(s) URLs, www. hosts and markdown links in a text."""
    return sum(1 for _ in _LINK.finditer(text))


# --- profanity ---------------------------------------------------------------------------------------------

# Evasions: Latin letters (and a few digits) that look like Cyrillic ones, typed inside a Cyrillic word; and
# the reverse, a Cyrillic letter inside an English word ("fuсk").
_TO_CYRILLIC = str.maketrans("aoepcxykmthub036", "аоерсхукмтнивозб")
_TO_LATIN = str.maketrans("аоерсхукмтнві", "aoepcxykmthbi")
_LOOKALIKE_LATIN = frozenset("aoepcxykmthubi")
_EVASION_DIGITS = frozenset("036")
_KAZAKH_ONLY = frozenset("әғқңөұүһі")
# Kazakh is often typed without its own letters ("акымак" for "ақымақ"): compare words with those folded away.
_FOLD = str.maketrans("әғқңөұүһіъ", "агкноуухиь")
# Soft hyphens and zero-width characters are invisible and split words for no reason but evasion.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_TOKEN = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-z]")
_ENTRY = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*\*?")

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


@dataclass(frozen=True)
class _Lexicon:
    """Word-list entries indexed by the letters of their first word with repeats collapsed."""

    exact: dict[str, list[tuple[_Part, ...]]]
    stems: dict[str, list[tuple[_Part, ...]]]


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


def _variants(token: str) -> list[str]:
    """Return the readings of a lower-cased token, seeing through look-alike letters typed to evade a list."""
    has_cyrillic, has_latin = bool(_CYRILLIC.search(token)), bool(_LATIN.search(token))
    if has_cyrillic and (has_latin or not _EVASION_DIGITS.isdisjoint(token)):
        # Latin i stands for Kazakh і in Kazakh words, otherwise for и ("пiзда").
        i = "і" if not _KAZAKH_ONLY.isdisjoint(token) else "и"
        cyrillic = token.translate(_TO_CYRILLIC).replace("i", i)
        return [cyrillic, token.translate(_TO_LATIN)] if has_latin else [cyrillic]
    if has_latin and not has_cyrillic and set(token) <= _LOOKALIKE_LATIN:
        # Every letter has a Cyrillic twin ("cyka"): it may be a Cyrillic word typed in Latin.
        return [token, token.translate(_TO_CYRILLIC).replace("i", "и")]
    return [token]


def _match_runs(word: str) -> Runs:
    """Return the runs a word is compared by: Kazakh letters folded, ъ as ь."""
    return _runs(word.translate(_FOLD))


@functools.cache
def _lexicon() -> _Lexicon:
    """Load the kk, ru and en word lists once per process."""
    exact: dict[str, list[tuple[_Part, ...]]] = {}
    stems: dict[str, list[tuple[_Part, ...]]] = {}
    for language in WORDLIST_LANGUAGES:
        path = WORDLIST_DIR / f"{language}.txt"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            entry = _lower(line.strip())
            if not entry or entry.startswith("#"):
                continue
            if not _ENTRY.fullmatch(entry):
                raise ValueError(f"{path}:{number}: not a word, phrase or stem: {line!r}")
            words = entry.split(" ")
            # Only the last word of a phrase may be a stem.
            parts = tuple(_Part(_match_runs(word.rstrip("*")), word.endswith("*")) for word in words)
            index = stems if parts[0].stem else exact
            index.setdefault(_key(parts[0].runs), []).append(parts)
    return _Lexicon(exact, stems)


def _candidates(lexicon: _Lexicon, runs: Runs) -> list[tuple[_Part, ...]]:
    """Return the entries whose first word might match a word with these runs."""
    key = _key(runs)
    found = list(lexicon.exact.get(key, []))
    for length in range(1, len(key) + 1):
        found.extend(lexicon.stems.get(key[:length], []))
    return found


def find_profanity(text: str) -> list[str]:
    """Return the insults and obscenities in a text as normalised words, deduplicated, in order of appearance."""
    lexicon = _lexicon()
    # Each position holds the readings of one word: (normalised word, its runs for matching).
    words = [
        [(variant, _match_runs(variant)) for variant in _variants(token)] for token in _TOKEN.findall(_lower(text))
    ]
    found: dict[str, None] = {}
    for position, readings in enumerate(words):
        for word, runs in readings:
            for parts in _candidates(lexicon, runs):
                matched = _match_entry(parts, words, position, word, runs)
                if matched:
                    found.setdefault(matched, None)
    return list(found)


def _match_entry(
    parts: tuple[_Part, ...], words: list[list[tuple[str, Runs]]], position: int, first: str, runs: Runs
) -> str:
    """Return the words matching an entry from a position whose reading is already chosen, or ""."""
    if position + len(parts) > len(words) or not parts[0].matches(runs):
        return ""
    matched = [first]
    for part, readings in zip(parts[1:], words[position + 1 :], strict=False):
        word = next((reading for reading, reading_runs in readings if part.matches(reading_runs)), None)
        if word is None:
            return ""
        matched.append(word)
    return " ".join(matched)


# --- together ----------------------------------------------------------------------------------------------


def screen(text: str) -> Screening:
    """Screen a text for links, insults and personal data."""
    return Screening(
        links=count_links(text),
        profanity=find_profanity(text),
        iins=find_iins(text),
        phones=find_phones(text),
        emails=find_emails(text),
    )


def mask_personal_data(text: str) -> str:
    """Replace every IIN, phone number and e-mail address with bullets of the same length."""
    chars = list(text)
    # The same finders as screen(), without the word-list pass that masking does not need.
    for finding in (*find_iins(text), *find_phones(text), *find_emails(text)):
        chars[finding.start : finding.end] = MASK_CHAR * (finding.end - finding.start)
    return "".join(chars)
