"""Draft-law services: create drafts, publish versions, align languages, follow sections, diff versions.

Services flush but never commit: the view or CLI command that calls them commits once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import utcnow
from app.errors import UserError
from app.extensions import db
from app.laws.models import (
    LANGS,
    STATUS_TRANSITIONS,
    Agency,
    Committee,
    Law,
    LawVersion,
    Section,
    SectionIdentity,
    VersionSource,
)
from app.laws.parser import ParsedLaw, parse_law
from app.laws.signals import law_changed, version_changed, version_published

logger = logging.getLogger(__name__)

# Kinds whose sections are matched across versions over the whole law; points and sub-points are matched
# only inside their (matched) article, which keeps matching linear in practice and avoids cross-article jumps.
GLOBAL_KINDS = ("preamble", "section", "chapter", "article")
SAME_NUMBER_SIMILARITY = 0.5
RENUMBERED_SIMILARITY = 0.75


class LawError(UserError):
    """A problem the user can fix; `message` is translated when shown."""


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
    parsed = parse_law(text, lang)
    return parsed, flatten(parsed)


def text_fingerprint(text: str, lang: str) -> str:
    """Return a short hash that ties a publish request to the text the editor previewed."""
    return hashlib.sha256(f"{lang}\n{text}".encode()).hexdigest()[:32]


# --- slugs ---------------------------------------------------------------------------------------------

_TRANSLIT = str.maketrans(
    {
        "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o",
        "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "h",
        "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
        "ю": "yu", "я": "ya",
    }
)  # fmt: skip
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 60


def slugify(text: str) -> str:
    """Turn a title in any of our languages into a Latin URL slug."""
    latin = text.lower().translate(_TRANSLIT)
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    slug = slug[:MAX_SLUG].rstrip("-")
    return slug or "draft"


def unique_slug(base: str) -> str:
    """Return base, or base-2, base-3 ... whichever is free."""
    existing = set(db.session.scalars(select(Law.slug).where(Law.slug.like(f"{base}%"))))
    if base not in existing:
        return base
    n = 2
    while f"{base}-{n}" in existing:
        n += 1
    return f"{base}-{n}"


# --- creating drafts and versions ----------------------------------------------------------------------


def create_law(
    *,
    agency: Agency,
    created_by,
    titles: dict[str, str],
    committee: Committee | None = None,
    slug: str | None = None,
    descriptions: dict[str, str] | None = None,
) -> Law:
    """Create a draft law (status draft, no versions yet)."""
    if not any(titles.values()):
        raise LawError(_l("The draft needs a title."))
    if slug:
        if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
            raise LawError(_l("The address may contain only Latin letters, digits and hyphens."))
        if db.session.scalar(select(Law.id).where(Law.slug == slug)):
            raise LawError(_l("A draft with the address %(slug)s already exists."), slug=slug)
    else:
        first_title = next(titles[code] for code in ("en", "ru", "kk") if titles.get(code)) if titles else ""
        slug = unique_slug(slugify(first_title))
    law = Law(slug=slug, agency=agency, committee=committee, created_by=created_by)
    for code in LANGS:
        setattr(law, f"title_{code}", (titles.get(code) or "").strip()[:500] or None)
        setattr(law, f"description_{code}", ((descriptions or {}).get(code) or "").strip() or None)
    db.session.add(law)
    db.session.flush()
    logger.info("Created draft law %s", law.slug)
    return law


def publish_version(
    law: Law,
    *,
    lang: str,
    text: str,
    created_by=None,
    filename: str | None = None,
    note: str | None = None,
) -> LawVersion:
    """Publish the next version of a law from its text in one language, following sections from the last one."""
    _parsed, flat = parse_text(text, lang)
    previous = law.latest_version
    version = LawVersion(law=law, number=(previous.number + 1) if previous else 1, languages=lang, note=note or None)
    version.created_by_id = getattr(created_by, "id", None)
    db.session.add(version)
    db.session.add(
        VersionSource(version=version, lang=lang, filename=filename, text=text, imported_by_id=version.created_by_id)
    )
    identities = match_identities(previous, flat, lang) if previous else {}
    _store_sections(law, version, flat, lang, identities)
    db.session.flush()
    version_published.send(version)
    logger.info("Published %s version %s (%s sections)", law.slug, version.number, len(flat))
    return version


def _store_sections(law: Law, version: LawVersion, flat: list[FlatNode], lang: str, identities: dict[str, int]) -> None:
    new_identities = [SectionIdentity(law_id=law.id) for item in flat if item.key not in identities]
    db.session.add_all(new_identities)
    db.session.flush()
    fresh = iter(new_identities)
    by_key: dict[str, Section] = {}
    for item in flat:
        identity_id = identities.get(item.key) or next(fresh).id
        section = Section(
            version=version,
            identity_id=identity_id,
            parent=by_key.get(item.parent_key) if item.parent_key else None,
            position=item.position,
            depth=item.depth,
            kind=item.kind,
            number=item.number,
            key=item.key,
        )
        setattr(section, f"heading_{lang}", item.heading or None)
        setattr(section, f"body_{lang}", item.body or None)
        by_key[item.key] = section
        db.session.add(section)


@dataclass
class Alignment:
    """How a second language's tree lines up with a version's existing tree."""

    missing: list[str] = field(default_factory=list)  # keys the version has and the new text lacks
    extra: list[str] = field(default_factory=list)  # keys the new text has and the version lacks
    kind_mismatch: list[str] = field(default_factory=list)
    matched: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.kind_mismatch)


def load_sections(version: LawVersion) -> list[Section]:
    """Return every section of a version in document order with one query."""
    return list(db.session.scalars(select(Section).where(Section.version_id == version.id).order_by(Section.position)))


def align(version: LawVersion, flat: list[FlatNode]) -> Alignment:
    """Compare a parsed text with a version's sections, part by part, without guessing."""
    existing = {section.key: section for section in load_sections(version)}
    incoming = {item.key: item for item in flat}
    result = Alignment()
    result.missing = [key for key in existing if key not in incoming]
    result.extra = [key for key in incoming if key not in existing]
    for key, item in incoming.items():
        if key in existing:
            if existing[key].kind != item.kind:
                result.kind_mismatch.append(key)
            else:
                result.matched += 1
    return result


def add_language(
    version: LawVersion, *, lang: str, text: str, created_by=None, filename: str | None = None
) -> LawVersion:
    """Add (or replace) one language of a published version; the structure must match exactly."""
    _parsed, flat = parse_text(text, lang)
    alignment = align(version, flat)
    if not alignment.ok:
        raise AlignmentError(alignment)
    sections = {section.key: section for section in load_sections(version)}
    for item in flat:
        section = sections[item.key]
        setattr(section, f"heading_{lang}", item.heading or None)
        setattr(section, f"body_{lang}", item.body or None)
    source = db.session.scalar(
        select(VersionSource).where(VersionSource.version_id == version.id, VersionSource.lang == lang)
    )
    user_id = getattr(created_by, "id", None)
    if source is None:
        db.session.add(VersionSource(version=version, lang=lang, filename=filename, text=text, imported_by_id=user_id))
    else:
        source.text, source.filename, source.imported_by_id, source.imported_at = text, filename, user_id, utcnow()
    if lang not in version.language_list:
        version.languages = ",".join(code for code in LANGS if code in [*version.language_list, lang])
    db.session.flush()
    logger.info("Added %s to %s version %s", lang, version.law.slug, version.number)
    version_changed.send(version)
    return version


class AlignmentError(LawError):
    def __init__(self, alignment: Alignment):
        super().__init__(_l("The structure of this text does not match the published version."))
        self.alignment = alignment


# --- following sections across versions ----------------------------------------------------------------


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
    old_flat = _flat_from_sections(old_sections, text_lang)
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


def _flat_from_sections(sections: list[Section], lang: str) -> list[FlatNode]:
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


# --- diffs between versions ----------------------------------------------------------------------------

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


# --- status and consultation window --------------------------------------------------------------------


def change_status(law: Law, new_status: str, *, now: datetime | None = None) -> Law:
    """Move a law to the next status, checking the allowed transitions and the consultation window."""
    if new_status not in STATUS_TRANSITIONS.get(law.status, ()):
        raise LawError(_l("This status change is not allowed."))
    if new_status == "open":
        if not law.versions:
            raise LawError(_l("Publish the text before opening the consultation."))
        if law.opens_at is None or law.closes_at is None:
            raise LawError(_l("Set when the consultation opens and closes first."))
        if law.closes_at <= (now or utcnow()):
            raise LawError(_l("The consultation window has already ended; set a later closing date."))
    law.status = new_status
    db.session.flush()
    logger.info("Law %s is now %s", law.slug, new_status)
    law_changed.send(law)
    return law


def set_window(law: Law, opens_at: datetime | None, closes_at: datetime | None) -> Law:
    """Set the consultation window (UTC)."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise LawError(_l("The consultation must close after it opens."))
    law.opens_at, law.closes_at = opens_at, closes_at
    db.session.flush()
    law_changed.send(law)
    return law


def update_law(law: Law, *, titles: dict[str, str], descriptions: dict[str, str], committee: Committee | None) -> Law:
    """Change a law's titles, descriptions and responsible committee."""
    if not any((titles.get(code) or "").strip() for code in LANGS):
        raise LawError(_l("The draft needs a title."))
    for code in LANGS:
        setattr(law, f"title_{code}", (titles.get(code) or "").strip()[:500] or None)
        setattr(law, f"description_{code}", (descriptions.get(code) or "").strip() or None)
    law.committee = committee
    db.session.flush()
    law_changed.send(law)
    return law
