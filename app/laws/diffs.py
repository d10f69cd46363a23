"""Compare two versions of a law article by article and word by word: changed, added, removed, renumbered."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from app.laws.models import LawVersion, Section
from app.laws.reading import load_sections

TOKEN_RE = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return [(op, text)] with op in equal/delete/insert, comparing word by word."""
    a, b = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            ops.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(("insert", "".join(b[j1:j2])))
    return ops


@dataclass
class DiffItem:
    change: str  # added / removed / changed / renumbered / unchanged
    old: Section | None
    new: Section | None
    ops: list[tuple[str, str]] = field(default_factory=list)
    heading_ops: list[tuple[str, str]] = field(default_factory=list)

    @property
    def renumbered(self) -> bool:
        return bool(self.old and self.new and self.old.number != self.new.number)


def _unit_texts(sections: list[Section], lang: str) -> tuple[list[Section], dict[int, str]]:
    """Pick the units a diff is told in (articles, else top-level parts) and their body texts with descendants."""
    units = [s for s in sections if s.kind == "article"] or [s for s in sections if s.depth == 0]
    unit_ids = {s.id for s in units}
    owner: dict[int, int] = {}
    texts: dict[int, list[str]] = defaultdict(list)
    for s in sections:
        if s.id in unit_ids:
            owner[s.id] = s.id
            body = getattr(s, f"body_{lang}") or ""
        else:
            parent_owner = owner.get(s.parent_id) if s.parent_id else None
            if parent_owner is None:
                continue
            owner[s.id] = parent_owner
            label = f"{s.number}{')' if s.kind == 'subpoint' else '.'} " if s.number else ""
            body = label + (getattr(s, f"body_{lang}") or "")
        if body:
            texts[owner[s.id]].append(body)
    return units, {unit_id: "\n".join(parts) for unit_id, parts in texts.items()}


def diff_versions(old: LawVersion, new: LawVersion, lang: str) -> list[DiffItem]:
    """Compare two versions article by article in one language: changed, added, removed, renumbered."""
    old_units, old_texts = _unit_texts(load_sections(old), lang)
    new_units, new_texts = _unit_texts(load_sections(new), lang)
    old_by_identity = {s.identity_id: s for s in old_units}
    items: list[DiffItem] = []
    seen: set[int] = set()
    for section in new_units:
        before = old_by_identity.get(section.identity_id)
        new_text = new_texts.get(section.id, "")
        new_heading = getattr(section, f"heading_{lang}") or ""
        if before is None:
            items.append(DiffItem("added", None, section, [("insert", new_text)], [("insert", new_heading)]))
            continue
        seen.add(before.identity_id)
        old_text = old_texts.get(before.id, "")
        old_heading = getattr(before, f"heading_{lang}") or ""
        if old_text == new_text and old_heading == new_heading:
            change = "renumbered" if before.number != section.number else "unchanged"
        else:
            change = "changed"
        items.append(
            DiffItem(change, before, section, word_diff(old_text, new_text), word_diff(old_heading, new_heading))
        )
    for section in old_units:
        if section.identity_id not in seen:
            old_heading = getattr(section, f"heading_{lang}") or ""
            removed = DiffItem(
                "removed", section, None, [("delete", old_texts.get(section.id, ""))], [("delete", old_heading)]
            )
            items.append(removed)
    return items
