"""Answers of the drafting agency: given to one comment or a group at once, corrected with revisions, traced to
the unit of a later version that changed because of them. Services flush, never commit; the caller commits once."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.answers.models import (
    DECISIONS,
    NEEDS_REASONING,
    PROMISES_CHANGE,
    REASONING_LANGS,
    Answer,
    AnswerLink,
    AnswerRevision,
    Scope,
)
from app.answers.signals import answer_corrected, answer_given, answer_traced
from app.comments.models import Comment, CommentState
from app.comments.services import clean_text
from app.db import utcnow
from app.errors import UserError
from app.extensions import db
from app.laws.models import LANGS, Law, LawVersion, Section
from app.laws.numbering import section_number_path, sections_by_number_path
from app.moderation.models import Campaign, CommentFingerprint
from app.summaries.models import SummarySnapshot

MAX_REASONING = 5000


class AnswerError(UserError):
    """An answer that cannot be given as asked; the message says why."""


def can_answer(law: Law, user) -> bool:
    """Editors of the drafting agency (and admins) answer its public drafts; moderators and MPs never do."""
    return law.is_public and law.can_edit(user)


def check_can_answer(law: Law, user) -> None:
    if not can_answer(law, user):
        raise AnswerError(_l("Only editors of the drafting agency answer comments on its drafts."), status=403)


@dataclass(frozen=True)
class Said:
    """A decision and its reasoning per language, checked and cleaned."""

    decision: str
    reasoning: dict[str, str | None]


def check_said(decision: str | None, reasoning: dict[str, str | None]) -> Said:
    """Refuse an unknown decision, an over-long reasoning, and a refusal (whole or partial) without reasoning."""
    if decision not in DECISIONS:
        raise AnswerError(_l("Choose a decision: accepted, partly accepted, rejected or not applicable."))
    cleaned: dict[str, str | None] = {}
    for lang in REASONING_LANGS:
        text = clean_text(reasoning.get(lang))
        if len(text) > MAX_REASONING:
            raise AnswerError(_l("The reasoning is too long: at most %(max)d characters."), max=MAX_REASONING)
        cleaned[lang] = text or None
    if decision in NEEDS_REASONING and not any(cleaned.values()):
        raise AnswerError(_l("A rejected or partly accepted comment needs the reasoning: say why."))
    return Said(decision, cleaned)


def _says(answer: Answer, said: Said) -> bool:
    return answer.decision == said.decision and all(
        (answer.reasoning(lang) or None) == said.reasoning[lang] for lang in REASONING_LANGS
    )


def _write(answer: Answer, said: Said) -> None:
    answer.decision = said.decision
    for lang in REASONING_LANGS:
        setattr(answer, f"reasoning_{lang}", said.reasoning[lang])


def linked_comments(answer: Answer) -> list[Comment]:
    """The comments an answer reaches, oldest first."""
    query = select(Comment).join(AnswerLink, AnswerLink.comment_id == Comment.id)
    return list(db.session.scalars(query.where(AnswerLink.answer_id == answer.id).order_by(Comment.id)))


def check_answerable(law: Law, comments: Iterable[Comment]) -> list[Comment]:
    """Return the comments, refusing an empty set and any comment that is not a published comment on this draft."""
    comments = list(dict.fromkeys(comments))
    if not comments:
        raise AnswerError(_l("Choose at least one comment to answer."))
    for comment in comments:
        if comment.law_id != law.id:
            raise AnswerError(_l("Comment %(id)d is not on this draft."), status=403, id=comment.id)
        if comment.state != CommentState.APPROVED:
            raise AnswerError(_l("Comment %(id)d is not published, so it is not answered."), id=comment.id)
    return comments


def answer_comments(
    law: Law,
    comments: Iterable[Comment],
    *,
    user,
    decision: str | None,
    reasoning: dict[str, str | None],
    scope: str = Scope.COMMENT.value,
    scope_ref: str | None = None,
    snapshot: SummarySnapshot | None = None,
    changed_section: Section | None = None,
    now: datetime | None = None,
) -> Answer:
    """Give one answer to every comment of `comments`; a comment that had another answer now has this one."""
    check_can_answer(law, user)
    said = check_said(decision, reasoning)
    comments = check_answerable(law, comments)
    now = now or utcnow()
    answer = Answer(
        law_id=law.id,
        scope=scope,
        scope_ref=scope_ref,
        snapshot_id=snapshot.id if snapshot else None,
        created_by_id=user.id if user else None,
        created_at=now,
    )
    _write(answer, said)
    db.session.add(answer)
    db.session.flush()
    links = {
        link.comment_id: link
        for link in db.session.scalars(select(AnswerLink).where(AnswerLink.comment_id.in_([c.id for c in comments])))
    }
    reached = []
    for comment in comments:
        link = links.get(comment.id)
        if link is None:
            db.session.add(AnswerLink(comment_id=comment.id, answer_id=answer.id, answered_at=now))
        else:
            link.answer_id = answer.id  # answered_at stays: when the comment was first answered
        reached.append(comment)
    db.session.flush()
    if changed_section is not None:
        _trace(answer, changed_section, comments)
    answer_given.send(answer, comments=reached)
    return answer


def correct_answer(
    answer: Answer, *, user, decision: str | None, reasoning: dict[str, str | None], now: datetime | None = None
) -> bool:
    """Change what an answer says, keeping what it said as a revision; return False if nothing changed."""
    check_can_answer(answer.law, user)
    said = check_said(decision, reasoning)
    if _says(answer, said):
        return False
    _keep_revision(answer, user, now)
    _write(answer, said)
    if answer.decision not in PROMISES_CHANGE:
        # A rejected proposal changed nothing in the text: a trace would say otherwise.
        answer.changed_section_id = None
        answer.traced_at = None
    answer.corrected_at = now or utcnow()
    db.session.flush()
    answer_corrected.send(answer, comments=linked_comments(answer))
    return True


def _keep_revision(answer: Answer, user, now: datetime | None) -> None:
    db.session.add(
        AnswerRevision(
            answer_id=answer.id,
            decision=answer.decision,
            reasoning_kk=answer.reasoning_kk,
            reasoning_ru=answer.reasoning_ru,
            reasoning_en=answer.reasoning_en,
            changed_section_id=answer.changed_section_id,
            said_at=answer.corrected_at or answer.created_at,
            replaced_at=now or utcnow(),
            replaced_by_id=user.id if user else None,
        )
    )


# --- trace to the text ------------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A unit of a later version whose identity was in the version before it and whose text changed there."""

    section: Section
    before: Section
    version: LawVersion
    path: str  # "5.1"

    @property
    def spec(self) -> str:
        """The unit as `changed_in` writes it: "2:5.1"."""
        return f"{self.version.number}:{self.path}"


def _sections(version: LawVersion) -> list[Section]:
    return list(db.session.scalars(select(Section).where(Section.version_id == version.id).order_by(Section.position)))


def _same_text(a: Section, b: Section) -> bool:
    return all(a.text(lang) == b.text(lang) for lang in LANGS)


def changed_units(law: Law, after_number: int) -> list[Candidate]:
    """Units of the versions after `after_number` whose text changed from the version before them, in order."""
    found = []
    versions = sorted(law.versions, key=lambda v: v.number)
    for before, version in zip(versions, versions[1:], strict=False):
        if version.number <= after_number:
            continue
        old = {s.identity_id: s for s in _sections(before)}
        new = _sections(version)
        by_id = {s.id: s for s in new}
        for section in new:
            previous = old.get(section.identity_id)
            if previous is not None and not _same_text(previous, section):
                found.append(Candidate(section, previous, version, section_number_path(section, by_id)))
    return found


def comments_version(comments: Iterable[Comment]) -> int:
    """The newest version number the comments were left on."""
    return max(comment.section.version.number for comment in comments)


def trace_candidates(answer: Answer) -> list[Candidate]:
    """The units an answer may be traced to: changed in a version after the one its comments were left on."""
    comments = linked_comments(answer)
    if not comments:
        return []
    return changed_units(answer.law, comments_version(comments))


def _trace(answer: Answer, section: Section, comments: list[Comment]) -> None:
    if answer.decision not in PROMISES_CHANGE:
        raise AnswerError(_l("Only an accepted or partly accepted answer is linked to a change in the text."))
    allowed = {c.section.id for c in changed_units(answer.law, comments_version(comments))}
    if section.id not in allowed:
        raise AnswerError(
            _l("That unit did not change in a version published after the comment: choose one the diff offers.")
        )
    answer.changed_section_id = section.id
    answer.traced_at = utcnow()
    db.session.flush()


def trace_answer(answer: Answer, section: Section | None, *, user) -> bool:
    """Link an accepted answer to the unit that changed because of it (None removes the link); False if unchanged."""
    check_can_answer(answer.law, user)
    if (section.id if section else None) == answer.changed_section_id:
        return False
    if answer.changed_section_id is not None:
        _keep_revision(answer, user, None)
    if section is None:
        answer.changed_section_id = None
        answer.traced_at = None
        db.session.flush()
        return True
    comments = linked_comments(answer)
    if not comments:
        raise AnswerError(_l("This answer reaches no comment."))
    _trace(answer, section, comments)
    answer_traced.send(answer, comments=comments)
    return True


def find_unit(law: Law, spec: str) -> Section:
    """The unit `changed_in` names: "2:5.1" is version 2, article 5, point 1."""
    number, _sep, path = (spec or "").strip().partition(":")
    # isdecimal, not isdigit: int() refuses "²"; and a short number, as int() refuses thousands of digits.
    version = law.version(int(number)) if number.strip().isdecimal() and len(number.strip()) < 10 else None
    if version is None or not path.strip():
        raise AnswerError(_l("Write the changed unit as version:unit, for example 2:5.1."))
    section = sections_by_number_path(_sections(version)).get(path.strip())
    if section is None:
        raise AnswerError(_l("Version %(number)d has no unit %(unit)s."), number=version.number, unit=path.strip())
    return section


def unit_spec(section: Section) -> str:
    """The unit as `changed_in` writes it: "2:5.1"."""
    return f"{section.version.number}:{section_number_path(section)}"


# --- groups ------------------------------------------------------------------------------------------------------


def latest_snapshot(law: Law) -> SummarySnapshot | None:
    """The draft's newest summary: its themes are the ones an editor answers."""
    return db.session.scalar(
        select(SummarySnapshot).where(SummarySnapshot.law_id == law.id).order_by(SummarySnapshot.number.desc()).limit(1)
    )


def snapshot_themes(snapshot: SummarySnapshot) -> dict[str, dict]:
    """{theme id: theme} of every unit of a snapshot."""
    return {theme["id"]: theme for section in snapshot.data.get("sections", []) for theme in section.get("themes", [])}


def _published(law: Law, ids: Iterable[int]) -> list[Comment]:
    ids = list(ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.id.in_(ids), Comment.law_id == law.id, Comment.state == CommentState.APPROVED)
            .order_by(Comment.id)
        )
    )


def theme_comments(law: Law, snapshot: SummarySnapshot, theme_id: str) -> list[Comment]:
    """The published comments of a theme of the snapshot (one hidden since is not answered)."""
    theme = snapshot_themes(snapshot).get(theme_id)
    if theme is None:
        raise AnswerError(_l("Summary no. %(number)d has no theme %(theme)s."), number=snapshot.number, theme=theme_id)
    return _published(law, theme["comment_ids"])


def campaign_comments(law: Law, campaign_id: int) -> list[Comment]:
    """The published members of a campaign on this draft."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.law_id != law.id or not campaign.is_campaign:
        raise AnswerError(_l("This draft has no campaign no. %(id)s."), id=campaign_id)
    ids = db.session.scalars(select(CommentFingerprint.comment_id).where(CommentFingerprint.campaign_id == campaign_id))
    return _published(law, ids)


def selected_comments(law: Law, ids: Iterable[int]) -> list[Comment]:
    """The comments of these ids, refusing any that is not a published comment on this draft."""
    ids = list(dict.fromkeys(ids))
    found = {c.id: c for c in db.session.scalars(select(Comment).where(Comment.id.in_(ids)))} if ids else {}
    missing = [i for i in ids if i not in found]
    if missing:
        raise AnswerError(_l("There is no comment %(id)d."), id=missing[0])
    return check_answerable(law, [found[i] for i in ids])


# --- reading ----------------------------------------------------------------------------------------------------


@dataclass
class Given:
    """A comment's answer as readers see it."""

    answer: Answer
    answered_at: datetime


def answers_for(comment_ids: Iterable[int]) -> dict[int, Given]:
    """{comment id: its answer} for the comments that have one, in one query."""
    ids = list(set(comment_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(AnswerLink.comment_id, AnswerLink.answered_at, Answer)
        .join(Answer, Answer.id == AnswerLink.answer_id)
        .where(AnswerLink.comment_id.in_(ids))
    )
    return {comment_id: Given(answer, answered_at) for comment_id, answered_at, answer in rows}
