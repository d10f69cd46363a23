"""Follow a law's sections across versions: same text, same number with similar text, or similar text renumbered."""

from __future__ import annotations

from collections import defaultdict
from difflib import SequenceMatcher

from app.laws.models import LawVersion
from app.laws.reading import load_sections
from app.laws.structure import FlatNode, flat_from_sections

# Kinds whose sections are matched across versions over the whole law; points and sub-points are matched
# only inside their (matched) article, which keeps matching linear in practice and avoids cross-article jumps.
GLOBAL_KINDS = ("preamble", "section", "chapter", "article")
SAME_NUMBER_SIMILARITY = 0.5
RENUMBERED_SIMILARITY = 0.75


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    words_a, words_b = a.split(), b.split()
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
    if matcher.real_quick_ratio() < RENUMBERED_SIMILARITY / 2:
        return 0.0
    return matcher.ratio()


def match_identities(previous: LawVersion, flat: list[FlatNode], lang: str) -> dict[str, int]:
    """Map new keys to identities of the previous version: same text, same number, or similar text."""
    old_sections = load_sections(previous)
    text_lang = lang if previous.has_language(lang) else None
    if text_lang is None:
        # Without a common language only the numbering can be followed.
        return {s.key: s.identity_id for s in old_sections if s.key in {item.key for item in flat}}
    old_flat = flat_from_sections(old_sections, text_lang)
    result: dict[str, int] = {}
    old_identity = {s.key: s.identity_id for s in old_sections}
    matched_old: set[str] = set()

    def match_group(old_items: list[FlatNode], new_items: list[FlatNode]) -> None:
        old_free = [o for o in old_items if o.key not in matched_old]
        new_free = [n for n in new_items if n.key not in result]
        # 1. identical text (a renumbered but unchanged article)
        by_text: dict[tuple[str, str], list[FlatNode]] = defaultdict(list)
        for o in old_free:
            by_text[(o.kind, o.full_text)].append(o)
        for n in new_free:
            candidates = [o for o in by_text.get((n.kind, n.full_text), []) if o.key not in matched_old]
            if candidates:
                best = next((o for o in candidates if o.number == n.number), candidates[0])
                _pair(best, n)
        # 2. same number, text still alike
        old_by_key = {o.key: o for o in old_free if o.key not in matched_old}
        for n in new_free:
            o = old_by_key.get(n.key)
            if n.key not in result and o and o.kind == n.kind and o.key not in matched_old:
                if _similarity(o.full_text, n.full_text) >= SAME_NUMBER_SIMILARITY:
                    _pair(o, n)
        # 3. renumbered and edited: the most similar free one of the same kind
        for n in new_free:
            if n.key in result:
                continue
            best, best_score = None, RENUMBERED_SIMILARITY
            for o in old_free:
                if o.key in matched_old or o.kind != n.kind:
                    continue
                score = _similarity(o.full_text, n.full_text)
                if score >= best_score:
                    best, best_score = o, score
            if best:
                _pair(best, n)

    def _pair(old: FlatNode, new: FlatNode) -> None:
        matched_old.add(old.key)
        result[new.key] = old_identity[old.key]

    match_group([o for o in old_flat if o.kind in GLOBAL_KINDS], [n for n in flat if n.kind in GLOBAL_KINDS])
    # Points and sub-points are followed inside matched parents only.
    old_children: dict[str, list[FlatNode]] = defaultdict(list)
    new_children: dict[str, list[FlatNode]] = defaultdict(list)
    for o in old_flat:
        if o.kind not in GLOBAL_KINDS and o.parent_key:
            old_children[o.parent_key].append(o)
    for n in flat:
        if n.kind not in GLOBAL_KINDS and n.parent_key:
            new_children[n.parent_key].append(n)
    new_to_old_key = {}
    old_key_by_identity = {o.identity: o.key for o in old_flat}
    for n in flat:
        if n.kind in GLOBAL_KINDS and n.key in result:
            new_to_old_key[n.key] = old_key_by_identity[result[n.key]]
    for n in flat:  # document order: a point's parent is matched before its sub-points
        if n.key in new_children and n.key in new_to_old_key:
            match_group(old_children.get(new_to_old_key[n.key], []), new_children[n.key])
            for child in new_children[n.key]:
                if child.key in result:
                    new_to_old_key[child.key] = old_key_by_identity[result[child.key]]
    return result
