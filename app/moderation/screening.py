"""Screen a comment before a moderator sees it: hints about links, insults and personal data, never verdicts."""

import itertools
import re
from dataclasses import dataclass, field

from app.moderation.profanity import find_profanity

# One link is a citation of a source; from two on, a comment starts to look like advertising.
LINKS_HINT_THRESHOLD = 2
MASK_CHAR = "\u2022"
IIN_WEIGHTS = (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))
# The hint codes of personal data, which publishing with personal data masked hides.
PERSONAL_DATA_KINDS = ("iin", "phone", "email", "passport", "id_card", "bank_card")
# How far from a number the word "passport" or "identity card" may stand, before it and after it.
CONTEXT_BEFORE, CONTEXT_AFTER = 60, 30


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
    passports: list[Finding] = field(default_factory=list)
    id_cards: list[Finding] = field(default_factory=list)
    bank_cards: list[Finding] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Return every piece of personal data found, of every kind."""
        return [*self.iins, *self.phones, *self.emails, *self.passports, *self.id_cards, *self.bank_cards]

    @property
    def personal_data(self) -> bool:
        """Tell whether the text holds an IIN, a phone number, an e-mail address, a document or a card number."""
        return bool(self.findings)

    @property
    def hints(self) -> list[str]:
        """Return the hint codes in their stable display order."""
        flags = {
            "links": self.links >= LINKS_HINT_THRESHOLD,
            "profanity": bool(self.profanity),
            "iin": bool(self.iins),
            "phone": bool(self.phones),
            "email": bool(self.emails),
            "passport": bool(self.passports),
            "id_card": bool(self.id_cards),
            "bank_card": bool(self.bank_cards),
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


# --- identity documents and bank cards ---------------------------------------------------------------------

# The words that make a nearby number a passport's or an identity card's, whatever their case ending ("паспорта",
# "төлқұжатымның", "жеке куәлігімнің", "удостоверения личности"), also typed without Kazakh letters.
_PASSPORT_WORDS = re.compile(r"паспорт|passport|т[өо]л[қк][ұу]жат", re.IGNORECASE)
_ID_CARD_WORDS = re.compile(
    r"""удостоверени | удост\. | уд\.\s?личн | ку[әа]л[іи][кг]
    | identity\s+(?:card|document) | \bid (?: [\s-]?(?:card|карт) | \s?(?:№|no\b|number) )""",
    re.IGNORECASE | re.VERBOSE,
)
# A Kazakh passport: N and eight digits. Run together it is distinctive enough on its own; "N 12345678" is taken
# for a passport only next to the word, as a Latin N also stands for № in references to acts.
_KZ_PASSPORT = re.compile(r"(?<![\w\u2022])N(?P<gap>[ \u00a0]?)[0-9]{8}(?![0-9\u2022])")
# Other passports, next to the word: a Russian one as 45 12 345678, or one to two capitals and 6 to 10 digits.
_PASSPORT_NUMBER = re.compile(
    r"""(?<![\w\u2022+])
    (?: [0-9]{2}[ \u00a0]?[0-9]{2}[ \u00a0][0-9]{6} | (?:[A-Z]{1,2}[ \u00a0]?)?[0-9]{6,10} )
    (?![\w\u2022])""",
    re.VERBOSE,
)
# A Kazakh identity card: nine digits.
_ID_CARD_NUMBER = re.compile(r"(?<![\w\u2022+])[0-9]{9}(?![\w\u2022])")
# A payment card: 13 to 19 digits run together, or printed as on the card: 4+4+4+4 (and a short tail on a
# 19-digit card), 4+6+5 (American Express) or 4+6+4 (Diners). Only a valid Luhn check digit makes it one.
_BANK_CARD = re.compile(
    rf"""
    (?<![\d\u2022+]) (?<!{_DIGIT}{_SEP})
    (?: \d{{13,19}} | \d{{4}}(?:{_SEP}\d{{4}}){{3}}(?:{_SEP}\d{{1,3}})? | \d{{4}}{_SEP}\d{{6}}{_SEP}\d{{4,5}} )
    (?!{_DIGIT}) (?!{_SEP}{_DIGIT})
    """,
    re.VERBOSE | re.ASCII,
)


def is_valid_card_number(digits: str) -> bool:
    """Check a payment card number's Luhn digit; placeholders such as all zeros are not numbers."""
    if not 13 <= len(digits) <= 19 or not digits.isascii() or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _near(words: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """Tell whether one of the words stands shortly before or after a span."""
    return bool(
        words.search(text, max(0, start - CONTEXT_BEFORE), start) or words.search(text, end, end + CONTEXT_AFTER)
    )


def find_passports(text: str) -> list[Finding]:
    """Find passport numbers: a Kazakh N and eight digits, or another passport's number next to the word."""
    found = [
        Finding("passport", match.start(), match.end(), match.group())
        for match in _KZ_PASSPORT.finditer(text)
        if not match.group("gap") or _near(_PASSPORT_WORDS, text, match.start(), match.end())
    ]
    if _PASSPORT_WORDS.search(text):
        found += [
            Finding("passport", match.start(), match.end(), match.group())
            for match in _PASSPORT_NUMBER.finditer(text)
            if _near(_PASSPORT_WORDS, text, match.start(), match.end())
        ]
    # "N12345678" next to the word is found by both patterns: keep it once.
    return sorted({(finding.start, finding.end): finding for finding in found}.values(), key=lambda f: f.start)


def find_id_cards(text: str) -> list[Finding]:
    """Find identity card numbers: nine digits next to the words "identity card" in kk, ru or en."""
    if not _ID_CARD_WORDS.search(text):
        return []
    return [
        Finding("id_card", match.start(), match.end(), match.group())
        for match in _ID_CARD_NUMBER.finditer(text)
        if _near(_ID_CARD_WORDS, text, match.start(), match.end())
    ]


def find_bank_cards(text: str) -> list[Finding]:
    """Find payment card numbers that pass the Luhn check, run together or grouped as printed on a card."""
    return [
        Finding("bank_card", match.start(), match.end(), match.group())
        for match in _BANK_CARD.finditer(text)
        if is_valid_card_number(re.sub(r"\D", "", match.group()))
    ]


# --- together ----------------------------------------------------------------------------------------------


# What a text must hold for a finder to have a chance: most comments have no four digits in a row and no "@", and
# these searches cost a tenth of the finders'.
_FOUR_DIGITS = re.compile(r"\d{4}")
_FINDERS = (
    (find_iins, _FOUR_DIGITS),
    # A Luhn-valid card printed in groups holds slices that read as phone numbers: the card comes first.
    (find_bank_cards, _FOUR_DIGITS),
    # Every Kazakh phone has an area code of three digits or more; every other one starts with "+".
    (find_phones, re.compile(r"\+|\d{3}")),
    (find_emails, re.compile("@")),
    (find_passports, _FOUR_DIGITS),
    (find_id_cards, _FOUR_DIGITS),
)


def find_personal_data(text: str) -> list[Finding]:
    """Find every kind of personal data, in order of appearance; digits one finder claims are hidden from the rest."""
    found: list[Finding] = []
    seen = text
    # Each finder sees the text masked as far as the finders before it got. Hiding digits can uncover a number that
    # a greedy match had swallowed, so the finders run again on the masked text until they find nothing more: a
    # second screening of the masked text then finds nothing, and masking twice changes nothing. Every round masks
    # more characters, so the rounds end; a text with no personal data takes one.
    while True:
        claimed_now: list[Finding] = []
        for finder, needed in _FINDERS:
            if needed.search(seen):
                claimed = finder(seen)
                claimed_now += claimed
                seen = _mask(seen, claimed)
        if not claimed_now:
            return sorted(found, key=lambda finding: finding.start)
        found += claimed_now


def _mask(text: str, findings: list[Finding]) -> str:
    """Replace the spans of the findings with bullets of the same length."""
    if not findings:
        return text
    chars = list(text)
    for finding in findings:
        chars[finding.start : finding.end] = MASK_CHAR * (finding.end - finding.start)
    return "".join(chars)


def screen(text: str) -> Screening:
    """Screen a text for links, insults and personal data."""
    found = find_personal_data(text)
    kinds = {kind: [finding for finding in found if finding.kind == kind] for kind in PERSONAL_DATA_KINDS}
    return Screening(
        links=count_links(text),
        profanity=find_profanity(text),
        iins=kinds["iin"],
        phones=kinds["phone"],
        emails=kinds["email"],
        passports=kinds["passport"],
        id_cards=kinds["id_card"],
        bank_cards=kinds["bank_card"],
    )


def mask_personal_data(text: str) -> str:
    """Replace every IIN, phone number, e-mail address, document and card number with bullets of the same length."""
    # The same finders as screen(), without the word-list pass that masking does not need.
    return _mask(text, find_personal_data(text))
