"""The public side of moderation: the published policy, the figures per draft, the author's appeal."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.comments.models import REJECTION_REASONS, Comment
from app.extensions import db
from app.laws.access import get_law_or_404
from app.moderation.appeals import file_appeal
from app.moderation.errors import ModerationError
from app.moderation.forms import AppealForm
from app.moderation.labels import REASON_DESCRIPTIONS
from app.moderation.models import Appeal
from app.moderation.stats import law_stats

public_bp = Blueprint("moderation_public", __name__, template_folder="templates")


@public_bp.get("/moderation-policy")
def policy():
    """The published moderation policy: what is rejected and why."""
    return render_template("moderation/policy.html", reasons=REJECTION_REASONS, reason_descriptions=REASON_DESCRIPTIONS)


@public_bp.get("/laws/<slug>/moderation")
def law_figures(slug: str):
    """Public moderation figures for one draft."""
    law = get_law_or_404(slug, current_user)
    return render_template("moderation/law_stats.html", law=law, stats=law_stats(law.id))


@public_bp.route("/comments/<int:comment_id>/appeal", methods=["GET", "POST"])
@login_required
def appeal(comment_id: int):
    """Let the author appeal a rejection once."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.author_id != current_user.id:
        abort(404)
    existing = db.session.scalar(select(Appeal).where(Appeal.comment_id == comment.id))
    form = AppealForm()
    status = 200
    if existing is None and form.validate_on_submit():
        # Not commit_or_flash: the page is shown again with the refusal's status.
        try:
            file_appeal(comment, author=current_user, text=form.text.data)
        except ModerationError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = error.status
        else:
            db.session.commit()
            flash(
                _("Your appeal was sent. A moderator who did not take the first decision will look at it."), "success"
            )
            return redirect(url_for("comments.mine"))
    return render_template("moderation/appeal.html", comment=comment, form=form, existing=existing), status
