"""Trace pages of the drafting agency (editors of the draft, admins): its accepted answers with the change each one
is linked to, and one answer with the units of the next version that changed, their word diffs and the link form."""

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.answers import services
from app.answers.access import get_law_to_answer
from app.answers.labels import DECISION_LABELS
from app.answers.models import PROMISES_CHANGE, Answer, AnswerLink
from app.answers.services import Candidate
from app.answers.trace_forms import TraceForm
from app.answers.views import bp
from app.auth.decorators import require_role
from app.comments.models import Comment
from app.extensions import db
from app.i18n import current_lang, fallback_order
from app.laws.diffs import word_diff
from app.laws.models import Law, Section
from app.template_helpers import unit_name
from app.web import commit_or_flash, request_page

FIRST_COMMENTS = 5  # of an answer, shown above its candidates
MAX_ID = 2**31 - 1  # an id beyond any row: looked up, it would overflow SQLite's integer
# A unit cited on its own; below these, a point is named with the article it belongs to.
_STANDALONE = frozenset({"preamble", "section", "chapter", "article"})


def _chain(section: Section) -> set[int]:
    """The identities of a unit and of its parents up to its article."""
    found = set()
    current: Section | None = section
    while current is not None:
        found.add(current.identity_id)
        if current.kind in _STANDALONE:
            break
        current = current.parent
    return found


def _commented_identities(section_ids: set[int]) -> set[int]:
    """The identities of the commented units and of their parents up to the article, a query per level."""
    found: set[int] = set()
    while section_ids:
        rows = db.session.execute(
            select(Section.identity_id, Section.parent_id, Section.kind).where(Section.id.in_(section_ids))
        )
        section_ids = set()
        for identity_id, parent_id, kind in rows:
            found.add(identity_id)
            if parent_id is not None and kind not in _STANDALONE:
                section_ids.add(parent_id)
    return found


# --- the list ---------------------------------------------------------------------------------------------------


@dataclass
class TraceRow:
    """An accepted answer as the list shows it."""

    answer: Answer
    comments: int
    first_comment_id: int | None
    reasoning: str
    reasoning_lang: str
    unit: str

    @property
    def linked(self) -> bool:
        return self.answer.changed_section is not None


def _reach(answer_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{answer id: (how many comments it reaches, the first of them)} in one query."""
    if not answer_ids:
        return {}
    rows = db.session.execute(
        select(AnswerLink.answer_id, func.count(), func.min(AnswerLink.comment_id))
        .where(AnswerLink.answer_id.in_(answer_ids))
        .group_by(AnswerLink.answer_id)
    )
    return {answer_id: (count, first) for answer_id, count, first in rows}


@bp.get("/<slug>/trace")
@require_role("editor")
def trace(slug: str):
    """List the draft's accepted answers: those not linked to a change yet first, then the linked ones."""
    law = get_law_to_answer(slug, current_user)
    lang = current_lang()
    query = (
        select(Answer)
        .where(Answer.law_id == law.id, Answer.decision.in_(PROMISES_CHANGE))
        .options(
            selectinload(Answer.changed_section).options(
                selectinload(Section.version), selectinload(Section.parent).selectinload(Section.parent)
            )
        )
        .order_by(Answer.changed_section_id.is_not(None), Answer.created_at.desc(), Answer.id.desc())
    )
    pagination = db.paginate(
        query, page=request_page(), per_page=current_app.config["ANSWERS_PER_PAGE"], error_out=False
    )
    reach = _reach([answer.id for answer in pagination.items])
    rows = []
    for answer in pagination.items:
        count, first = reach.get(answer.id, (0, None))
        reasoning, reasoning_lang = answer.reasoning_in([lang])
        unit = unit_name(answer.changed_section, lang) if answer.changed_section else ""
        rows.append(TraceRow(answer, count, first, reasoning, reasoning_lang, unit))
    versions = sorted(law.versions, key=lambda v: v.number, reverse=True)
    return render_template(
        "answers/trace.html",
        law=law,
        pagination=pagination,
        unlinked=[row for row in rows if not row.linked],
        linked=[row for row in rows if row.linked],
        latest=versions[0] if versions else None,
        previous=versions[1] if len(versions) > 1 else None,
        decision_labels=DECISION_LABELS,
    )


# --- one answer -------------------------------------------------------------------------------------------------


@dataclass
class Shown:
    """A candidate with its name and its word diff against the version before, in a language both versions have."""

    candidate: Candidate
    name: str
    text_lang: str | None
    ops: list[tuple[str, str]]


def _diff_lang(candidate: Candidate, lang: str) -> str | None:
    before = candidate.before.version
    for code in fallback_order(lang):
        if candidate.version.has_language(code) and before.has_language(code):
            return code
    return None


def _show(candidate: Candidate, lang: str) -> Shown:
    text_lang = _diff_lang(candidate, lang)
    ops = word_diff(candidate.before.text(text_lang), candidate.section.text(text_lang)) if text_lang else []
    return Shown(candidate, unit_name(candidate.section, lang), text_lang, ops)


def _candidates(answer: Answer, comments: list[Comment], lang: str, show_all: bool) -> dict:
    """The candidates in the comments' own articles first, then the others (the first page of them unless all)."""
    candidates = services.trace_candidates(answer)
    commented = _commented_identities({comment.section_id for comment in comments})
    own = [c for c in candidates if _chain(c.section) & commented]
    others = [c for c in candidates if not _chain(c.section) & commented]
    limit = current_app.config["ANSWERS_PER_PAGE"]
    shown_others = others if show_all else others[:limit]
    linked = [c for c in others[limit:] if c.section.id == answer.changed_section_id]
    if not show_all:
        shown_others += linked  # the unit the answer is linked to is always on the page
    return {
        "own": [_show(c, lang) for c in own],
        "others": [_show(c, lang) for c in shown_others],
        "hidden": len(others) - len(shown_others),
        "total": len(candidates),
    }


def _find_answer(law: Law, answer_id: int) -> Answer:
    answer = db.session.get(Answer, answer_id) if answer_id <= MAX_ID else None
    if answer is None or answer.law_id != law.id:
        abort(404)
    return answer


@bp.route("/<slug>/trace/<int:answer_id>", methods=["GET", "POST"])
@require_role("editor")
def trace_answer(slug: str, answer_id: int):
    """Show an answer, its comments and the units that changed after them; link the answer to one or unlink it."""
    law = get_law_to_answer(slug, current_user)
    answer = _find_answer(law, answer_id)
    form = TraceForm(section_id=answer.changed_section_id)
    if request.method == "POST":
        if form.validate_on_submit():
            return _save(law, answer, form)
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("answers.trace_answer", slug=law.slug, answer_id=answer.id))
    lang = current_lang()
    show_all = request.args.get("all") == "1"
    comments = services.linked_comments(answer)
    reasoning, reasoning_lang = answer.reasoning_in([lang])
    return render_template(
        "answers/trace_answer.html",
        law=law,
        answer=answer,
        reasoning=reasoning,
        reasoning_lang=reasoning_lang,
        comments=comments[:FIRST_COMMENTS],
        more_comments=max(len(comments) - FIRST_COMMENTS, 0),
        comment_units={comment.id: unit_name(comment.section, lang) for comment in comments[:FIRST_COMMENTS]},
        linked_unit=unit_name(answer.changed_section, lang) if answer.changed_section else "",
        decision_labels=DECISION_LABELS,
        form=form,
        show_all=show_all,
        single_version=len(law.versions) < 2,
        candidates=_candidates(answer, comments, lang, show_all) if answer.promises_change else None,
    )


def _save(law: Law, answer: Answer, form: TraceForm):
    """Link the chosen unit or remove the link; a refusal is flashed and nothing is written."""
    here = url_for("answers.trace_answer", slug=law.slug, answer_id=answer.id)
    changed: list[bool] = []
    if form.unlink.data:
        if commit_or_flash(lambda: changed.append(services.trace_answer(answer, None, user=current_user))):
            if changed[0]:
                flash(_("The link to the change was removed."), "success")
            else:
                flash(_("The answer was not linked to a change."), "info")
            return redirect(url_for("answers.trace", slug=law.slug))
        return redirect(here)
    section_id = form.section_id.data
    section = db.session.get(Section, section_id) if section_id and 0 < section_id <= MAX_ID else None
    if section is None:
        flash(_("Choose the unit that changed because of this answer."), "error")
        return redirect(here)
    if not commit_or_flash(lambda: changed.append(services.trace_answer(answer, section, user=current_user))):
        return redirect(here)
    if changed[0]:
        unit = unit_name(section, current_lang())
        flash(
            _(
                "The answer is linked to the change in version %(number)d: %(unit)s.",
                number=section.version.number,
                unit=unit,
            ),
            "success",
        )
    else:
        flash(_("The answer is already linked to this change."), "info")
    return redirect(url_for("answers.trace", slug=law.slug))
