"""What is searchable, built from the database: drafts, sections of their latest version, published comments."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.comments.models import Comment, CommentState
from app.extensions import db
from app.laws.access import public_laws_condition
from app.laws.models import LANGS, Law, LawVersion, Section

TYPES = ("law", "section", "comment")


@dataclass
class Document:
    doc_id: str  # "law:3", "section:120", "comment:77"
    type: str
    law: str  # slug
    status: str
    agency: str
    date: datetime
    texts: dict[str, str] = field(default_factory=dict)  # language → text

    @property
    def hash(self) -> str:
        """A digest of everything indexed, so `flask search verify` can tell a stale document."""
        parts = [self.type, self.law, self.status, self.agency, self.date.isoformat()]
        parts += [f"{lang}={self.texts.get(lang, '')}" for lang in LANGS]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def searchable_texts(item: Law | Section) -> dict[str, str]:
    """The text of a draft or a section in each language it has, as indexed and as quoted in result snippets."""
    return {lang: text for lang in LANGS if (text := item.searchable_text(lang))}


def comment_texts(comment: Comment) -> dict[str, str]:
    """The searchable text of a comment, in its language: what it says, then the wording it proposes."""
    return {comment.lang: "\n".join(filter(None, [comment.body, comment.proposed_wording]))}


def law_document(law: Law) -> Document:
    return Document(
        f"law:{law.id}", "law", law.slug, law.status, law.agency.slug, law.updated_at, searchable_texts(law)
    )


def section_document(section: Section, law: Law) -> Document:
    return Document(
        f"section:{section.id}", "section", law.slug, law.status, law.agency.slug, section.version.published_at,
        searchable_texts(section),
    )  # fmt: skip


def comment_document(comment: Comment, law: Law) -> Document:
    return Document(
        f"comment:{comment.id}", "comment", law.slug, law.status, law.agency.slug,
        comment.published_at or comment.created_at, comment_texts(comment),
    )  # fmt: skip


def latest_version_ids() -> select:
    return select(func.max(LawVersion.id)).group_by(LawVersion.law_id)


def load(doc_ids: list[str]) -> dict[str, Document | None]:
    """Build the documents for these ids; None where the thing should not be searchable (any more)."""
    wanted: dict[str, list[int]] = {kind: [] for kind in TYPES}
    for doc_id in doc_ids:
        kind, _, raw = doc_id.partition(":")
        if kind in wanted and raw.isdigit():
            wanted[kind].append(int(raw))
    found: dict[str, Document | None] = dict.fromkeys(doc_ids)
    if wanted["law"]:
        for law in db.session.scalars(
            select(Law).where(Law.id.in_(wanted["law"]), public_laws_condition()).options(joinedload(Law.agency))
        ):
            found[f"law:{law.id}"] = law_document(law)
    if wanted["section"]:
        rows = db.session.scalars(
            select(Section)
            .join(LawVersion, LawVersion.id == Section.version_id)
            .join(Law, Law.id == LawVersion.law_id)
            .where(
                Section.id.in_(wanted["section"]),
                public_laws_condition(),
                Section.version_id.in_(latest_version_ids()),
            )
            .options(joinedload(Section.version).joinedload(LawVersion.law).joinedload(Law.agency))
        )
        for section in rows:
            found[f"section:{section.id}"] = section_document(section, section.version.law)
    if wanted["comment"]:
        rows = db.session.scalars(
            select(Comment)
            .join(Law, Law.id == Comment.law_id)
            .where(Comment.id.in_(wanted["comment"]), Comment.state == CommentState.APPROVED, public_laws_condition())
            .options(joinedload(Comment.law).joinedload(Law.agency))
        )
        for comment in rows:
            found[f"comment:{comment.id}"] = comment_document(comment, comment.law)
    return found


def all_documents(batch: int = 1000):
    """Yield every searchable document (for a rebuild or a verification), a batch at a time."""
    laws = db.session.scalars(select(Law).where(public_laws_condition()).options(joinedload(Law.agency))).all()
    by_id = {law.id: law for law in laws}
    for law in laws:
        yield law_document(law)
    query = (
        select(Section)
        .join(LawVersion, LawVersion.id == Section.version_id)
        .where(LawVersion.law_id.in_(list(by_id)), Section.version_id.in_(latest_version_ids()))
        .options(joinedload(Section.version))
        .order_by(Section.id)
        .execution_options(yield_per=batch)
    )
    for section in db.session.scalars(query):
        yield section_document(section, by_id[section.version.law_id])
    query = (
        select(Comment)
        .where(Comment.law_id.in_(list(by_id)), Comment.state == CommentState.APPROVED)
        .order_by(Comment.id)
        .execution_options(yield_per=batch)
    )
    for comment in db.session.scalars(query):
        yield comment_document(comment, by_id[comment.law_id])
