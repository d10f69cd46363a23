"""What is searchable, built from the database: drafts, sections of their latest version, published comments.

A comment is indexed part by part: its body under the language it is filed in (and also under the language its
text was detected in, when the two differ: an English comment filed as Russian is still found in English), its
proposed wording under the wording's own language, detected here (a Kazakh comment often proposes the Russian
text of the draft). Each language's text goes to that language's field and analyser.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, cast, func, literal, select, union_all
from sqlalchemy.orm import joinedload

from app.comments.language import detect_language
from app.comments.models import Comment, CommentState
from app.extensions import db
from app.laws.access import public_laws_condition
from app.laws.models import LANGS, Law, LawVersion, Section
from app.search.analysis import ANALYSIS_VERSION
from app.search.models import SearchQueueEntry

TYPES = ("law", "section", "comment")

# What a document puts in the index: bump it when that changes (fields, which text goes under which language).
# Every document's hash changes with it (and with ANALYSIS_VERSION), so `flask search verify` reports an index built
# before as stale and `flask search reindex` (run after each deployment) rebuilds it.
# 3: Whoosh's unstemmed `exact` field (exact forms rank first; "did you mean" draws on it), no spelling fields.
# 4: Whoosh's `stems_<lang>` fields, the stems without positions (app/search/whoosh_postings.py).
INDEX_VERSION = 4


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
        parts = [
            f"v{INDEX_VERSION}.{ANALYSIS_VERSION}",
            self.type,
            self.law,
            self.status,
            self.agency,
            self.date.isoformat(),
        ]
        parts += [f"{lang}={self.texts.get(lang, '')}" for lang in LANGS]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def searchable_texts(item: Law | Section) -> dict[str, str]:
    """The text of a draft or a section in each language it has, as indexed and as quoted in result snippets."""
    return {lang: text for lang in LANGS if (text := item.searchable_text(lang))}


@dataclass(frozen=True)
class Part:
    name: str  # "body" or "wording"
    lang: str
    text: str


def comment_parts(comment: Comment) -> list[Part]:
    """The parts of a comment as indexed and quoted: the body in its language(s), the proposed wording in its own."""
    parts = []
    if comment.body:
        parts.append(Part("body", comment.lang, comment.body))
        # lang is what the author chose (or the detector, when they did not); lang_detected is the detector's guess on
        # the body alone. When they differ the body is indexed under both, so a wrong choice hides nothing.
        detected = comment.lang_detected
        if detected in LANGS and detected != comment.lang:
            parts.append(Part("body", detected, comment.body))
    if comment.proposed_wording:
        parts.append(Part("wording", detect_language(comment.proposed_wording), comment.proposed_wording))
    return parts


def comment_texts(comment: Comment) -> dict[str, str]:
    """The searchable text of a comment in each language it has: the parts in that language, one after another."""
    texts: dict[str, list[str]] = {}
    for part in comment_parts(comment):
        texts.setdefault(part.lang, []).append(part.text)
    return {lang: "\n".join(pieces) for lang, pieces in texts.items()}


def _head(law: Law) -> tuple[str, str, str]:
    """What a document carries of its draft: slug, status, agency."""
    return law.slug, law.status, law.agency.slug


def law_document(law: Law) -> Document:
    return Document(f"law:{law.id}", "law", *_head(law), law.updated_at, searchable_texts(law))


def _section_document(section: Section, head: tuple[str, str, str]) -> Document:
    return Document(f"section:{section.id}", "section", *head, section.version.published_at, searchable_texts(section))


def section_document(section: Section, law: Law) -> Document:
    return _section_document(section, _head(law))


def _comment_document(comment: Comment, head: tuple[str, str, str]) -> Document:
    return Document(
        f"comment:{comment.id}", "comment", *head, comment.published_at or comment.created_at, comment_texts(comment)
    )


def comment_document(comment: Comment, law: Law) -> Document:
    return _comment_document(comment, _head(law))


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


def all_documents(batch: int = 2000, short_reads: bool = False):
    """Yield every searchable document (for a rebuild or a verification), reading a batch of rows at a time.

    Rows are read by ranges of ids, each with its own statement. With short_reads, the session's transaction is
    rolled back after each batch (the caller must have nothing pending): a rebuild of minutes then holds no snapshot
    open (SQLite cannot checkpoint its WAL behind one, PostgreSQL cannot vacuum). A row changed after its batch was
    read is indexed as it was; the change's queue row outlives the rebuild, and the writer applies it after.
    """
    laws = db.session.scalars(select(Law).where(public_laws_condition()).options(joinedload(Law.agency))).all()
    # What each document carries of its draft, read once: a rollback between batches would expire the objects.
    heads = {law.id: _head(law) for law in laws}
    documents = [law_document(law) for law in laws]
    if short_reads:
        db.session.rollback()
    yield from documents
    sections = (
        select(Section)
        .join(LawVersion, LawVersion.id == Section.version_id)
        .where(LawVersion.law_id.in_(list(heads)), Section.version_id.in_(latest_version_ids()))
        .options(joinedload(Section.version))
    )
    yield from _by_ids(
        sections, Section.id, batch, short_reads, db.session.scalars,
        lambda section: _section_document(section, heads[section.version.law_id]),
    )  # fmt: skip
    # Columns, not Comment objects: comment_parts reads only these, and a hundred thousand objects took seconds.
    comments = select(
        Comment.id, Comment.law_id, Comment.body, Comment.lang, Comment.lang_detected, Comment.proposed_wording,
        Comment.published_at, Comment.created_at,
    ).where(Comment.law_id.in_(list(heads)), Comment.state == CommentState.APPROVED)  # fmt: skip
    yield from _by_ids(
        comments, Comment.id, batch, short_reads, db.session.execute,
        lambda row: _comment_document(row, heads[row.law_id]),
    )  # fmt: skip


def _by_ids(statement, key, batch: int, short_reads: bool, run, build):
    """The documents of a statement's rows, a range of ids at a time, each built before a rollback expires its row."""
    last = None
    while True:
        page = statement.order_by(key).limit(batch)
        rows = run(page if last is None else page.where(key > last)).all()
        built = [build(row) for row in rows]
        if short_reads:
            db.session.rollback()
        yield from built
        if len(rows) < batch:
            return
        last = rows[-1].id


def private_law_slugs() -> frozenset[str]:
    """The drafts nobody may find (in preparation): the index may still hold their documents until the writer runs."""
    return frozenset(db.session.scalars(select(Law.slug).where(~public_laws_condition())))


def _queued(prefix: str):
    """The queued ids of one kind, and their number as an SQL expression ("comment:12" -> 12)."""
    rows = select(SearchQueueEntry.doc_id).where(SearchQueueEntry.doc_id.like(f"{prefix}:%")).distinct().subquery()
    return rows, cast(func.substr(rows.c.doc_id, len(prefix) + 2), Integer)


def unsearchable_queued() -> frozenset[str]:
    """Queued documents that are no longer searchable (hidden, withdrawn, replaced): the index may still hold them.

    The same tests as load(), in one statement whatever the length of the queue; it is empty most of the time.
    """
    if db.session.scalar(select(SearchQueueEntry.id).limit(1)) is None:
        return frozenset()  # most of the time: one look at the queue instead of the statement below
    laws, law_id = _queued("law")
    sections, section_id = _queued("section")
    comments, comment_id = _queued("comment")
    public_law = select(literal(1)).select_from(Law).where(Law.id == law_id, public_laws_condition())
    public_section = (
        select(literal(1))
        .select_from(Section)
        .join(LawVersion, LawVersion.id == Section.version_id)
        .join(Law, Law.id == LawVersion.law_id)
        .where(Section.id == section_id, public_laws_condition(), Section.version_id.in_(latest_version_ids()))
    )
    public_comment = (
        select(literal(1))
        .select_from(Comment)
        .join(Law, Law.id == Comment.law_id)
        .where(Comment.id == comment_id, Comment.state == CommentState.APPROVED, public_laws_condition())
    )
    statement = union_all(
        select(laws.c.doc_id).where(~public_law.exists()),
        select(sections.c.doc_id).where(~public_section.exists()),
        select(comments.c.doc_id).where(~public_comment.exists()),
    )
    return frozenset(db.session.scalars(statement))
