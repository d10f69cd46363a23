"""The drafting agency's answers pages (editors of the draft's agency, admins): unanswered comments with the days
left, answering one comment, a selection, a theme or a campaign, correcting an answer."""

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.answers import workspace as listing
from app.answers.access import get_law_to_answer
from app.answers.forms import AnswerForm, GroupAnswerForm, SelectionForm
from app.answers.labels import DECISION_LABELS
from app.answers.models import REASONING_LANGS, Answer, Scope
from app.answers.services import (
    answer_comments,
    answers_for,
    campaign_comments,
    correct_answer,
    selected_comments,
    theme_comments,
)
from app.auth.decorators import require_role
from app.comments.models import Comment, CommentState
from app.extensions import db
from app.i18n import current_lang
from app.laws.models import Law
from app.template_helpers import unit_name
from app.web import commit_or_flash, request_page

bp = Blueprint("answers", __name__, template_folder="templates")


def _flash_errors(form: AnswerForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


def _give(
    law: Law,
    comments_of: Callable[[], list[Comment]],
    form: AnswerForm,
    on_error: Callable[[str], object] | None = None,
    **scope,
) -> bool:
    """Answer the comments `comments_of` finds with the form's decision; commit and say how many, or say why not."""
    reached: list[int] = []

    def give() -> None:
        comments = comments_of()
        answer_comments(
            law, comments, user=current_user, decision=form.decision.data, reasoning=form.reasoning(), **scope
        )
        reached.append(len(comments))

    if not commit_or_flash(give, on_error=on_error):
        return False
    flash(ngettext("Answer given to %(num)d comment.", "Answer given to %(num)d comments.", reached[0]), "success")
    return True


@bp.get("/<slug>/")
@require_role("editor")
def workspace(slug: str):
    """List the published comments still to answer, oldest first (or the answered ones), with the days left."""
    law = get_law_to_answer(slug, current_user)
    show_answered = request.args.get("show") == "answered"
    query = listing.answered_query(law) if show_answered else listing.unanswered_query(law)
    pagination = db.paginate(
        query, page=request_page(), per_page=current_app.config["ANSWERS_PER_PAGE"], error_out=False
    )
    given = answers_for([c.id for c in pagination.items]) if show_answered else {}
    return render_template(
        "answers/workspace.html",
        law=law,
        deadline=listing.deadline(law),
        counts=listing.counts(law),
        pagination=pagination,
        given=given,
        show_answered=show_answered,
        unit_label=unit_name,
        decision_labels=DECISION_LABELS,
        form=SelectionForm(formdata=None),
    )


def _said(answer) -> dict:
    """An answer's (or a revision's) decision and reasoning as form data."""
    return {"decision": answer.decision, **{f"reasoning_{lang}": answer.reasoning(lang) for lang in REASONING_LANGS}}


@bp.route("/<slug>/comments/<int:comment_id>", methods=["GET", "POST"])
@require_role("editor")
def comment(slug: str, comment_id: int):
    """Show a published comment in full and answer it, or correct the answer it has."""
    law = get_law_to_answer(slug, current_user)
    found = db.session.get(Comment, comment_id)
    if found is None or found.law_id != law.id or found.state != CommentState.APPROVED:
        abort(404)
    given = answers_for([found.id]).get(found.id)
    form = AnswerForm(data=_said(given.answer)) if given and request.method == "GET" else AnswerForm()
    here = url_for("answers.comment", slug=law.slug, comment_id=found.id)
    refusals: list[str] = []
    if form.validate_on_submit():
        if given is None:
            if _give(law, lambda: [found], form, refusals.append, scope=Scope.COMMENT.value):
                return redirect(here)
        elif _correct(given.answer, form, refusals):
            return redirect(here)
    return render_template(
        "answers/comment.html",
        law=law,
        comment=found,
        given=given,
        covers=listing.covered(given.answer.id) if given else 0,
        form=form,
        refusals=refusals,
        unit_label=unit_name,
        decision_labels=DECISION_LABELS,
    )


def _correct(answer: Answer, form: AnswerForm, refusals: list[str]) -> bool:
    """Correct an answer from the form; False (and the refusal in `refusals`) if it was refused."""
    changed: list[bool] = []

    def correct() -> None:
        changed.append(
            correct_answer(answer, user=current_user, decision=form.decision.data, reasoning=form.reasoning())
        )

    if not commit_or_flash(correct, on_error=refusals.append):
        return False
    if changed[0]:
        flash(_("The answer is corrected; everyone it reaches sees the new one."), "success")
    else:
        flash(_("Nothing changed: the answer already says this."), "info")
    return True


@bp.post("/<slug>/selection")
@require_role("editor")
def answer_selection(slug: str):
    """Give one answer to the comments ticked in the workspace."""
    law = get_law_to_answer(slug, current_user)
    form = SelectionForm()
    if form.validate_on_submit():
        _give(law, lambda: selected_comments(law, form.comment_ids.data), form, scope=Scope.SELECTION.value)
    else:
        _flash_errors(form)
    return redirect(url_for("answers.workspace", slug=law.slug))


@bp.get("/<slug>/groups")
@require_role("editor")
def groups(slug: str):
    """The themes of the draft's latest summary and its campaigns, each answered with one form."""
    law = get_law_to_answer(slug, current_user)
    snapshot = listing.snapshot_by_number(law, None)
    return render_template(
        "answers/groups.html",
        law=law,
        snapshot=snapshot,
        units=listing.snapshot_units(law, snapshot, current_lang()) if snapshot else [],
        campaigns=listing.campaign_rows(law),
        form=GroupAnswerForm(formdata=None),
    )


@bp.post("/<slug>/themes/<theme_id>")
@require_role("editor")
def answer_theme(slug: str, theme_id: str):
    """Give one answer to the published comments of a theme of the summary the page showed."""
    law = get_law_to_answer(slug, current_user)
    form = GroupAnswerForm()
    back = url_for("answers.groups", slug=law.slug)
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(back)
    snapshot = listing.snapshot_by_number(law, form.snapshot.data)
    if snapshot is None:
        flash(_("This summary no longer exists: answer the themes of the latest one."), "error")
        return redirect(back)

    def comments_of() -> list[Comment]:
        return theme_comments(law, snapshot, theme_id)

    _give(law, comments_of, form, scope=Scope.THEME.value, scope_ref=theme_id, snapshot=snapshot)
    return redirect(back)


@bp.post("/<slug>/campaigns/<int:campaign_id>")
@require_role("editor")
def answer_campaign(slug: str, campaign_id: int):
    """Give one answer to every published member of a campaign on the draft."""
    law = get_law_to_answer(slug, current_user)
    form = GroupAnswerForm()
    if form.validate_on_submit():
        _give(
            law,
            lambda: campaign_comments(law, campaign_id),
            form,
            scope=Scope.CAMPAIGN.value,
            scope_ref=str(campaign_id),
        )
    else:
        _flash_errors(form)
    return redirect(url_for("answers.groups", slug=law.slug))
