"""The drafting agency's summary pages (editors of the draft, admins): start a build and follow its progress (a page,
and JSON for it to poll), review a built summary, edit its prose, submit it to the committee."""

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.decorators import require_role
from app.extensions import db
from app.i18n import current_lang
from app.laws.access import get_law_for_edit
from app.summaries import presenting, review
from app.summaries.forms import ActionForm, ReviewForm, SubmitForm, edit_field_name
from app.summaries.jobs import request_build
from app.summaries.models import BuildState, SummaryBuild, SummarySnapshot
from app.summaries.services import SnapshotSubmittedError
from app.web import commit_or_flash, request_page

bp = Blueprint("summaries", __name__, template_folder="templates")


@bp.get("/builds/<int:build_id>")
@require_role("editor")
def build_status(build_id: int):
    """Answer {state, progress, step, snapshot} of a build of a draft the user edits."""
    build = _build_for_editor(build_id)
    snapshot = build.snapshot
    response = jsonify(
        state=build.state,
        progress=build.progress,
        step=build.step,
        snapshot=snapshot.number if snapshot else None,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _snapshot_for_editor(slug: str, number: int) -> SummarySnapshot:
    snapshot = review.get_snapshot(get_law_for_edit(slug, current_user), number)
    if snapshot is None:
        abort(404)
    return snapshot


def _build_for_editor(build_id: int) -> SummaryBuild:
    build = db.session.get(SummaryBuild, build_id)
    if build is None:
        abort(404)
    if not build.law.can_edit(current_user):
        abort(403)
    return build


@bp.post("/laws/<slug>/builds")
@require_role("editor")
def start_build(slug: str):
    """Start building a new summary of the draft's latest version, then show its progress."""
    law = get_law_for_edit(slug, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    running = review.unfinished_build(law)
    if running is not None:
        flash(_("A summary of this draft is already being built."), "info")
        return redirect(url_for("summaries.build_progress", build_id=running.id))
    if law.latest_version is None:
        flash(_("Publish the text of the draft before building a summary."), "error")
        return redirect(url_for("editor.manage", slug=law.slug))
    build_id = request_build(law, law.latest_version, current_user).id
    # The build starts after this commit; nothing is read after it, so no new transaction (a POST's takes the
    # SQLite write lock) keeps the build waiting until this request ends.
    db.session.commit()
    return redirect(url_for("summaries.build_progress", build_id=build_id))


BUILD_STEPS = {
    "queued": _l("Waiting to start"),
    "starting": _l("Starting"),
    "loading": _l("Reading the comments"),
    "counting": _l("Counting"),
    "reading": _l("Reading the texts of the comments"),
    "themes": _l("Finding themes and summary sentences"),
    "assembling": _l("Putting the summary together"),
    "saving": _l("Saving"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}


@bp.get("/builds/<int:build_id>/progress")
@require_role("editor")
def build_progress(build_id: int):
    """Show how far a build is (the page polls the JSON, or reloads itself without JavaScript); then its summary."""
    build = _build_for_editor(build_id)
    if build.state == BuildState.DONE and build.snapshot is not None:
        return redirect(url_for("summaries.review_snapshot", slug=build.law.slug, number=build.snapshot.number))
    steps = {key: str(label) for key, label in BUILD_STEPS.items()}
    return render_template(
        "summaries/progress.html",
        build=build,
        law=build.law,
        step_label=steps.get(build.step, build.step),
        steps=steps,
        form=ActionForm(),
    )


@bp.get("/laws/<slug>/")
@require_role("editor")
def law_index(slug: str):
    """List a draft's summaries, newest first."""
    law = get_law_for_edit(slug, current_user)
    pagination = db.paginate(
        review.snapshots_query(law),
        page=request_page(),
        per_page=current_app.config["SUMMARIES_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "summaries/law_index.html",
        law=law,
        pagination=pagination,
        building=review.unfinished_build(law),
        form=ActionForm(),
    )


@bp.route("/laws/<slug>/<int:number>/", methods=["GET", "POST"])
@require_role("editor")
def review_snapshot(slug: str, number: int):
    """Review a summary; while it is not submitted, write an introduction and reword its summary sentences."""
    snapshot = _snapshot_for_editor(slug, number)
    here = url_for("summaries.review_snapshot", slug=slug, number=number)
    if request.method == "POST" and snapshot.is_submitted:
        flash(str(SnapshotSubmittedError()), "error")
        return redirect(here)
    form = ReviewForm(obj=snapshot) if request.method == "GET" else ReviewForm()
    posted: dict[str, str] = {}
    if form.validate_on_submit():
        names = {p.key: edit_field_name(p.key) for p in review.editable_parts(snapshot.data)}
        texts = {key: request.form[name] for key, name in names.items() if name in request.form}

        def save() -> None:
            review.edit_snapshot(snapshot, introduction=form.introduction.data, texts=texts)

        if commit_or_flash(save, _("The summary was saved.")):
            return redirect(here)
        posted = {names[key]: text for key, text in texts.items()}  # shown again, not lost
    return render_template(
        "summaries/review.html",
        snapshot=snapshot,
        law=snapshot.law,
        form=form,
        posted=posted,
        submit_form=SubmitForm(),
        refusal=review.submit_refusal(snapshot),
        field_name=edit_field_name,
        **presenting.page_context(snapshot, current_lang()),
    )


@bp.post("/laws/<slug>/<int:number>/submit")
@require_role("editor")
def submit(slug: str, number: int):
    """Send a reviewed summary to the draft's committee; from then on it cannot be changed."""
    snapshot = _snapshot_for_editor(slug, number)
    form = SubmitForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("summaries.review_snapshot", slug=slug, number=number))

    def send() -> None:
        review.submit_snapshot(snapshot, current_user)

    commit_or_flash(send, _("The summary was sent to the committee."))
    return redirect(url_for("summaries.review_snapshot", slug=slug, number=number))
