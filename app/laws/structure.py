"""Lay a law's text out as keyed parts in document order, from a parsed text or from a stored version."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.laws.language import check_language
from app.laws.models import Section
from app.laws.parser import ParsedLaw, parse_law
from app.laws.services import LawError


@dataclass
class FlatNode:
    """A parsed node placed in document order, with its structural key and its parent's."""

    position: int
    depth: int
    kind: str
    number: str
    heading: str
    body: str
    key: str
    parent_key: str | None
    full_text: str = ""
    identity: int | None = None  # set for nodes read back from a stored version

    @property
    def own_text(self) -> str:
        return f"{self.heading}\n{self.body}".strip()


def flatten(parsed: ParsedLaw) -> list[FlatNode]:
    """Return the parsed tree in document order with keys, refusing duplicate keys."""
    flat: list[FlatNode] = []
    stack: list[FlatNode] = []
    seen: set[str] = set()
    for position, (depth, node, key_parts) in enumerate(parsed.walk()):
        key = "/".join(key_parts)
        if key in seen:
            raise LawError(_l("The text numbers two parts the same way: %(key)s."), key=describe_key(key))
        seen.add(key)
        del stack[depth:]
        parent_key = stack[-1].key if stack else None
        item = FlatNode(position, depth, node.kind, node.number, node.heading, node.body, key, parent_key)
        flat.append(item)
        stack.append(item)
    return _with_full_texts(flat)


def _with_full_texts(flat: list[FlatNode]) -> list[FlatNode]:
    """Fill each node's full text (own text plus every descendant), so articles compare as a whole."""
    by_key = {item.key: item for item in flat}
    for item in reversed(flat):
        own = item.own_text
        item.full_text = f"{own}\n{item.full_text}".strip() if item.full_text else own
        if item.parent_key:
            parent = by_key[item.parent_key]
            parent.full_text = f"{item.full_text}\n{parent.full_text}".strip() if parent.full_text else item.full_text
    return flat


def describe_key(key: str) -> str:
    """Return a short human label for a structural key, e.g. "article 5, point 2"."""
    return ", ".join(part.replace(":", " ") for part in key.split("/"))


def parse_text(text: str, lang: str) -> tuple[ParsedLaw, list[FlatNode]]:
    """Parse a law's text and flatten it; ParseError and LawError carry what went wrong."""
    # Before parsing: a text in another language would otherwise be refused as having no chapters or articles.
    check_language(text, lang)
    parsed = parse_law(text, lang)
    return parsed, flatten(parsed)


def flat_from_sections(sections: list[Section], lang: str) -> list[FlatNode]:
    """Read a stored version back as flat nodes in one language, with their identities."""
    by_id = {s.id: s for s in sections}
    flat = []
    for s in sections:
        parent = by_id.get(s.parent_id) if s.parent_id else None
        item = FlatNode(
            s.position, s.depth, s.kind, s.number, getattr(s, f"heading_{lang}") or "",
            getattr(s, f"body_{lang}") or "", s.key, parent.key if parent else None,
            identity=s.identity_id,
        )  # fmt: skip
        flat.append(item)
    return _with_full_texts(flat)
