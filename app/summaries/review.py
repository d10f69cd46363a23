"""The drafting agency's review of a built summary: its own introduction, edited summary prose, and submission.

Figures are never edited: the only fields an editor can change are the introduction and, per analysed unit and
language, the text of the extractive summary (stored in `edits` as {"<section id>/summary/<lang>": "text"}). The
computed document (`data`) stays as built, so a reader can always see what was edited and what was computed.

Submitting sends the snapshot to the draft's committee: it is frozen (status 'submitted', a content hash of what
was sent), and the draft's status becomes "summary sent" — the only way a draft gets that status.
Services flush, never commit.
"""

import hashlib
import json
import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.laws.models import LANGS, Law, LawStatus
from app.laws.services import LawError, record_summary_sent
from app.summaries.models import BuildState, SnapshotStatus, SummaryBuild, SummarySnapshot
from app.summaries.services import SummaryError, check_can_change
from app.summaries.signals import summary_submitted

logger = logging.getLogger(__name__)

INTRODUCTION_MAX = 20_000
EDIT_MAX = 5_000
# A summary goes to Parliament once the consultation is over; a later one may follow an earlier one.
SUBMITTABLE_LAW_STATUSES = (LawStatus.CLOSED.value, LawStatus.SUMMARY_SENT.value)


@dataclass(frozen=True)
class EditablePart:
    """The extractive summary of one unit in one language: what the editor may reword."""

    section: dict
    lang: str
    key: str
    original: str


def edit_key(section_id: int, lang: str) -> str:
    return f"{section_id}/summary/{lang}"


def original_text(section: dict, lang: str) -> str:
    """The computed summary of a unit in one language, a sentence per line."""
    return "\n".join((section.get("summary") or {}).get(lang) or [])


def editable_parts(data: dict) -> list[EditablePart]:
    """Every unit-and-language whose summary has computed sentences, in document order."""
    parts = []
    for section in data.get("sections") or []:
        for lang in LANGS:
            original = original_text(section, lang)
            if original:
                parts.append(EditablePart(section, lang, edit_key(section["id"], lang), original))
    return parts


def _normalise(text: str) -> str:
    lines = (" ".join(line.split()) for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def edit_snapshot(snapshot: SummarySnapshot, *, introduction: str | None, texts: dict[str, str]) -> SummarySnapshot:
    """Set the introduction and the edited summary texts of a built snapshot; an empty or unchanged text keeps the
    computed one. Keys that name no editable part are ignored (the form only offers editable ones)."""
    check_can_change(snapshot)
    introduction = (introduction or "").replace("\r\n", "\n").strip()
    if len(introduction) > INTRODUCTION_MAX:
        raise SummaryError(_l("The introduction is too long (at most %(max)d characters)."), max=INTRODUCTION_MAX)
    edits = dict(snapshot.edits or {})
    for part in editable_parts(snapshot.data):
        if part.key not in texts:
            continue
        text = _normalise(texts[part.key])
        if len(text) > EDIT_MAX:
            raise SummaryError(_l("An edited summary is too long (at most %(max)d characters)."), max=EDIT_MAX)
        if not text or text == _normalise(part.original):
            edits.pop(part.key, None)
        else:
            edits[part.key] = text
    snapshot.introduction = introduction or None
    snapshot.edits = edits  # a new dict: the JSON column sees the change
    db.session.flush()
    logger.info("summary snapshot %s of law %s edited (%d parts)", snapshot.number, snapshot.law_id, len(edits))
    return snapshot


def canonical_json(data: dict, introduction: str | None, edits: dict | None) -> bytes:
    """The bytes a content hash is taken of: sorted keys, no spaces, UTF-8."""
    document = {"data": data, "introduction": introduction, "edits": edits or {}}
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def content_hash(data: dict, introduction: str | None, edits: dict | None) -> str:
    """sha256 hex of the canonical JSON of data + introduction + edits."""
    return hashlib.sha256(canonical_json(data, introduction, edits)).hexdigest()


def hash_matches(snapshot: SummarySnapshot) -> bool:
    """True if a submitted snapshot still hashes to what was recorded when it was sent."""
    return snapshot.content_hash == content_hash(snapshot.data, snapshot.introduction, snapshot.edits)


def submit_refusal(snapshot: SummarySnapshot) -> SummaryError | None:
    """Why this snapshot cannot be submitted now, or None if it can."""
    law = snapshot.law
    if snapshot.is_submitted:
        return SummaryError(_l("This summary was already submitted to Parliament."), status=409)
    if law.committee_id is None:
        return SummaryError(
            _l("Choose the responsible committee of the draft first: the summary is sent to that committee.")
        )
    if law.status not in SUBMITTABLE_LAW_STATUSES:
        return SummaryError(_l("A summary can be sent to Parliament only after the consultation has closed."))
    return None


def submit_snapshot(snapshot: SummarySnapshot, user) -> SummarySnapshot:
    """Send a built snapshot to the draft's committee: freeze it with a content hash, mark the draft as sent."""
    check_can_change(snapshot)
    refusal = submit_refusal(snapshot)
    if refusal is not None:
        raise refusal
    law = snapshot.law
    data = {**snapshot.data, "status": SnapshotStatus.SUBMITTED.value}
    digest = content_hash(data, snapshot.introduction, snapshot.edits)
    values = {
        "data": data,
        "status": SnapshotStatus.SUBMITTED.value,
        "submitted_at": utcnow(),
        "submitted_by_id": getattr(user, "id", None),
        "committee_id": law.committee_id,
        "content_hash": digest,
    }
    # All in one flush: once a flush has written status 'submitted', the freeze guard refuses any further change.
    with db.session.no_autoflush:
        for name, value in values.items():
            setattr(snapshot, name, value)
    db.session.flush()
    try:
        record_summary_sent(law)
    except LawError as error:
        raise SummaryError(error.message, **error.params) from error
    logger.info("summary snapshot %s of %s submitted to committee %s", snapshot.number, law.slug, law.committee_id)
    summary_submitted.send(snapshot)
    return snapshot


# --- reading, for the editor's pages ----------------------------------------------------------------------------


def get_snapshot(law: Law, number: int) -> SummarySnapshot | None:
    return db.session.scalar(
        select(SummarySnapshot).where(SummarySnapshot.law_id == law.id, SummarySnapshot.number == number)
    )


def snapshots_query(law: Law):
    """The law's snapshots, newest first."""
    return select(SummarySnapshot).where(SummarySnapshot.law_id == law.id).order_by(SummarySnapshot.number.desc())


def unfinished_build(law: Law) -> SummaryBuild | None:
    """The law's newest build that is still queued or running, if any."""
    return db.session.scalar(
        select(SummaryBuild)
        .where(SummaryBuild.law_id == law.id, SummaryBuild.state.in_((BuildState.QUEUED, BuildState.RUNNING)))
        .order_by(SummaryBuild.created_at.desc(), SummaryBuild.id.desc())
        .limit(1)
    )
