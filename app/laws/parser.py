"""Recognise a draft law's structure in its text: title, preamble, sections, chapters, articles, points."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

KINDS = ("preamble", "section", "chapter", "article", "point", "subpoint")
LANGS = ("kk", "ru", "en")

# C0/C1 control characters other than tab, line and page breaks: blanked in a line; plenty of them in a file
# means it is not text (app/laws/files.py).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class ParseError(ValueError):
    """An upload that cannot be read or parsed; `code` and `params` are translated by the web layer."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code
        details = ", ".join(f"{name}={value!r}" for name, value in sorted(self.params.items()))
        return f"{self.code} ({details})"


@dataclass
class ParsedNode:
    """One structural unit of a law with its own text and its sub-units."""

    kind: str
    number: str
    heading: str = ""
    body: str = ""
    children: list[ParsedNode] = field(default_factory=list)

    def key_part(self) -> str:
        """Return this node's own part of a structural key, e.g. "article:5-1"."""
        if self.kind == "preamble":
            return "preamble"
        return f"{self.kind}:{normalize_number(self.number)}"


@dataclass
class ParsedLaw:
    """A parsed draft law in one language."""

    lang: str
    title: str
    nodes: list[ParsedNode] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[int, ParsedNode, tuple[str, ...]]]:
        """Yield (depth, node, key) for every node in document order."""
        stack: list[tuple[int, ParsedNode, tuple[str, ...]]] = [(0, node, ()) for node in self.nodes[::-1]]
        while stack:
            depth, node, parent_key = stack.pop()
            # Articles are numbered through the whole law, so an article keeps its key whichever chapter
            # it sits in; points and subpoints are numbered within their parent.
            if node.kind in ("point", "subpoint"):
                key = (*parent_key, node.key_part())
            else:
                key = (node.key_part(),)
            yield depth, node, key
            stack.extend((depth + 1, child, key) for child in reversed(node.children))

    def count(self, kind: str) -> int:
        """Return how many nodes of one kind the law has."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        return sum(1 for _, node, _ in self.walk() if node.kind == kind)


# --- Recognising structure --------------------------------------------------------------------------------

_ARABIC = r"[0-9]{1,4}(?:-[0-9]{1,4})*"
# Kazakh keyboards put Cyrillic І and Х where a roman I or X is meant, so they count as numerals.
_ROMAN = r"[IVXLCІХ]{1,8}"
_NUMBER = rf"(?P<num>{_ARABIC}|{_ROMAN})"
# "(?!\d)" keeps "Статья 5.1" out while still accepting a missing space in "Статья 5.Термины".
_AFTER_NUMBER = r"\.(?!\d) ?(?P<head>.*)"
_EN_WORDS = "Part|PART|Section|SECTION|Chapter|CHAPTER|Article|ARTICLE"
_HEADINGS: dict[str, re.Pattern[str]] = {
    # The period after the number is required: "Статья 5 настоящего Закона ..." opening a line is body text.
    "ru": re.compile(rf"(?P<word>Раздел|РАЗДЕЛ|Глава|ГЛАВА|Статья|СТАТЬЯ) {_NUMBER}{_AFTER_NUMBER}"),
    # "бап" must be followed by "." so that "1-баптың", "5-бапта" and the like stay body text.
    # Kazakh puts the number first ("5-1-бап."); typists leave a space around the hyphen or use a dash.
    "kk": re.compile(rf"(?P<num>{_ARABIC}) ?[-\u2013] ?(?P<word>бөлім|тарау|бап){_AFTER_NUMBER}", re.I),
    "en": re.compile(rf"(?P<word>{_EN_WORDS}) {_NUMBER}{_AFTER_NUMBER}"),
}
_WORD_KINDS = {
    "раздел": "section", "глава": "chapter", "статья": "article",
    "бөлім": "section", "тарау": "chapter", "бап": "article",
    "part": "section", "section": "section", "chapter": "chapter", "article": "article",
}  # fmt: skip
_LEVELS = ("section", "chapter", "article", "point", "subpoint")

_POINT = re.compile(r"(?P<num>[0-9]{1,3}(?:-[0-9]{1,3})?)\. (?P<text>\S.*)")
_SUBPOINT = re.compile(r"(?P<num>[0-9]{1,3}(?:-[0-9]{1,3})?)\) (?P<text>\S.*)")
# Points are numbered from 1 within an article; a bigger number opening a line is a year or an amount.
_MAX_ITEM_NUMBER = 200

_BANNERS = frozenset({
    "закон республики казахстан", "проект", "проект закона", "проект закона республики казахстан",
    "қазақстан республикасының заңы", "жоба", "заң жобасы", "қазақстан республикасы заңының жобасы",
    "law of the republic of kazakhstan", "the law of the republic of kazakhstan", "draft", "draft law",
    "draft law of the republic of kazakhstan",
})  # fmt: skip
_MAX_TITLE_CHARS = 300
_SENTENCE_END = (".", ";", ":")

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_CYRILLIC_ROMAN = str.maketrans({"І": "I", "Х": "X"})


def _roman_to_int(numeral: str) -> int | None:
    numeral = numeral.translate(_CYRILLIC_ROMAN)
    if not numeral or any(char not in _ROMAN_VALUES for char in numeral):
        return None
    total = 0
    for char, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = _ROMAN_VALUES[char]
        total += -value if following and _ROMAN_VALUES[following] > value else value
    # Only canonical numerals ("IV", not "IIII" or "IIV"), so that a stray word in capitals is not a number.
    return total if _int_to_roman(total) == numeral else None


def _int_to_roman(number: int) -> str:
    out = []
    for value, letters in (
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def normalize_number(number: str) -> str:
    """Return a number as used in keys: no spaces, plain hyphens, roman numerals as arabic."""
    compact = re.sub(r"\s+", "", number).replace("\u2013", "-").translate(_HYPHENS)
    value = _roman_to_int(compact.upper())
    return str(value) if value is not None else compact


def _clean_line(line: str) -> str:
    line = _INVISIBLE.sub("", line).translate(_HYPHENS)
    line = CONTROL_CHARS.sub(" ", line)
    return _SPACES.sub(" ", line).strip()


def _match_heading(line: str, lang: str) -> tuple[str, str, str] | None:
    match = _HEADINGS[lang].fullmatch(line)
    if match is None:
        return None
    kind = _WORD_KINDS[match["word"].lower()]
    number = match["num"]
    if not number[0].isdigit() and (kind == "article" or _roman_to_int(number) is None):
        return None
    return kind, number, match["head"].strip()


def _match_item(pattern: re.Pattern[str], line: str) -> tuple[str, str] | None:
    match = pattern.fullmatch(line)
    if match is None or not 1 <= int(match["num"].split("-")[0]) <= _MAX_ITEM_NUMBER:
        return None
    return match["num"], match["text"]


class _TreeBuilder:
    """Place lines into the tree, keeping one open node per level."""

    def __init__(self) -> None:
        self.front: list[str] = []
        self.nodes: list[ParsedNode] = []
        self.open: dict[str, ParsedNode] = {}
        self.bodies: list[tuple[ParsedNode, list[str]]] = []

    def start(self, kind: str, number: str, heading: str, first_line: str | None = None) -> None:
        level = _LEVELS.index(kind)
        for deeper in _LEVELS[level:]:
            self.open.pop(deeper, None)
        parent = next((self.open[up] for up in reversed(_LEVELS[:level]) if up in self.open), None)
        node = ParsedNode(kind, number, heading)
        (parent.children if parent else self.nodes).append(node)
        self.open[kind] = node
        self.bodies.append((node, [] if first_line is None else [first_line]))

    def add_text(self, line: str) -> None:
        if not self.open:
            # Blank lines are kept here: they delimit the title block.
            self.front.append(line)
            return
        if not line:
            return
        if "article" in self.open:
            # Points and subpoints exist only inside articles; elsewhere "1." opens an ordinary paragraph.
            for kind, pattern in (("point", _POINT), ("subpoint", _SUBPOINT)):
                item = _match_item(pattern, line)
                if item:
                    self.start(kind, item[0], "", item[1])
                    return
        # Starting a node closes every deeper one, so the newest node is always the deepest open one.
        self.bodies[-1][1].append(line)

    def finish(self) -> None:
        for node, lines in self.bodies:
            node.body = "\n".join(lines)


def _split_front(lines: list[str]) -> tuple[str, list[str]]:
    """Split the text before the first heading into the title and the preamble paragraphs."""
    index = 0
    has_banner = False

    def skip_blank(position: int) -> int:
        while position < len(lines) and not lines[position]:
            position += 1
        return position

    index = skip_blank(0)
    while index < len(lines) and lines[index].casefold().strip(' ."«»') in _BANNERS:
        has_banner = True
        index = skip_blank(index + 1)
    block: list[str] = []
    while index + len(block) < len(lines):
        line = lines[index + len(block)]
        # A title's wrapped lines go on in lower case and it has no full stop, so a capitalised sentence
        # is the preamble following without a blank line (.docx files often have no empty paragraphs).
        if not line or (block and line[0].isupper() and line.endswith(_SENTENCE_END)):
            break
        block.append(line)
    title = " ".join(block)
    # Without a banner the first paragraph may just as well be the preamble: only a short one without a
    # full stop is taken as the title.
    looks_like_title = len(title) < _MAX_TITLE_CHARS and not title.endswith(_SENTENCE_END)
    is_title = bool(block) and (has_banner or looks_like_title)
    if is_title:
        index += len(block)
    else:
        title = ""
    return title, [line for line in lines[index:] if line]


def parse_law(text: str, lang: str) -> ParsedLaw:
    """Parse the text of a law in one language into its title, preamble and structural tree."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}")
    lines = [_clean_line(line) for line in text.splitlines()]
    if not any(lines):
        raise ParseError("empty")
    builder = _TreeBuilder()
    for line in lines:
        heading = _match_heading(line, lang) if line else None
        if heading:
            builder.start(*heading)
        else:
            builder.add_text(line)
    if not builder.nodes:
        raise ParseError("no_structure")
    builder.finish()
    title, preamble = _split_front(builder.front)
    nodes = builder.nodes
    if preamble:
        nodes = [ParsedNode("preamble", "", "", "\n".join(preamble)), *nodes]
    return ParsedLaw(lang=lang, title=title, nodes=nodes)


def detect_lang(text: str) -> str | None:
    """Guess the language of a law from its heading words; None when no language clearly wins."""
    scores = dict.fromkeys(LANGS, 0)
    for raw in text.splitlines():
        line = _clean_line(raw)
        if not line:
            continue
        for lang in LANGS:
            if _match_heading(line, lang):
                scores[lang] += 1
    best = max(scores.values())
    winners = [lang for lang, score in scores.items() if score == best]
    return winners[0] if best and len(winners) == 1 else None
