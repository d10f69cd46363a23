"""The MPs' workspace (MPs and admins): their committee's summaries, consultations and drafts, and each summary.

A package of its own, not a module of app/summaries: it is a workspace for another audience that brings several
domains together (drafts and consultations from laws, summaries, read marks), as moderation's workspace does.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.decorators import require_role
from app.extensions import db
from app.i18n import current_lang
from app.laws.access import get_law_or_404
from app.parliament import services
from app.summaries import presenting, reads
from app.summaries.forms import ActionForm
from app.web import request_page

bp = Blueprint("parliament", __name__, template_folder="templates")


@bp.get("/")
@require_role("mp")
def index():
    """The MP's workspace: summaries sent to their committee (unread marked), its open consultations."""
    pagination = db.paginate(
        services.submitted_summaries(current_user),
        page=request_page(),
        per_page=current_app.config["SUMMARIES_PER_PAGE"],
        error_out=False,
    )
    read = reads.read_ids(current_user, [s.id for s in pagination.items])
    return render_template(
        "parliament/index.html",
        pagination=pagination,
        read=read,
        unread=services.unread_count(current_user),
        consultations=services.open_consultations(current_user),
        all_committees=services.sees_all_committees(current_user),
    )


@bp.get("/drafts")
@require_role("mp")
def drafts():
    """Public drafts: the committee's, or all of them (read-only), with their latest summary sent to Parliament."""
    scope = request.args.get("scope", "committee")
    if scope not in services.SCOPES:
        scope = "committee"
    pagination = db.paginate(
        services.drafts(current_user, scope),
        page=request_page(),
        per_page=current_app.config["SUMMARIES_PER_PAGE"],
        error_out=False,
    )
    latest = services.latest_submitted([law.id for law in pagination.items])
    return render_template(
        "parliament/drafts.html",
        pagination=pagination,
        scope=scope,
        latest=latest,
        all_committees=services.sees_all_committees(current_user),
    )


@bp.get("/laws/<slug>/summaries/<int:number>/")
@require_role("mp")
def summary(slug: str, number: int):
    """A summary sent to Parliament, with its charts; opening one sent to the MP's committee marks it read."""
    law = get_law_or_404(slug, current_user)
    snapshot = services.get_submitted_or_404(law, number)
    own = services.is_own_committee(current_user, snapshot.committee_id)
    if own and reads.mark_read(current_user, snapshot):
        db.session.commit()
    return render_template(
        "parliament/summary.html",
        law=law,
        snapshot=snapshot,
        own=own,
        form=ActionForm(),
        **presenting.page_context(snapshot, current_lang()),
    )


@bp.post("/laws/<slug>/summaries/<int:number>/unread")
@require_role("mp")
def mark_unread(slug: str, number: int):
    """List a summary as unread again."""
    law = get_law_or_404(slug, current_user)
    snapshot = services.get_submitted_or_404(law, number)
    if ActionForm().validate_on_submit():
        reads.mark_unread(current_user, snapshot)
        db.session.commit()
        flash(_("The summary is marked as unread."), "success")
    return redirect(url_for("parliament.index"))
