"""Publish a law's versions from their text and add their other languages, part by part.

Services flush but never commit: the view or CLI command that calls them commits once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.laws.identity import match_identities
from app.laws.models import LANGS, Law, LawVersion, Section, SectionIdentity, VersionSource
from app.laws.reading import load_sections
from app.laws.services import LawError
from app.laws.signals import version_changed, version_published
from app.laws.structure import FlatNode, parse_text

logger = logging.getLogger(__name__)


def text_fingerprint(text: str, lang: str) -> str:
    """Return a short hash that ties a publish request to the text the editor previewed."""
    return hashlib.sha256(f"{lang}\n{text}".encode()).hexdigest()[:32]


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
