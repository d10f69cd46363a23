"""The public page of an answered comment: the comment, the agency's answer, and the diff of what changed."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from app.answers.presenting import answers_for_template
from app.comments.models import Comment
from app.extensions import db
from app.i18n import current_lang
from app.template_helpers import unit_name

bp = Blueprint("answered", __name__, template_folder="templates")


@bp.get("/<int:comment_id>/answer")
def comment(comment_id: int):
    """Show a published comment with its answer and the change it led to; any other comment is shown in its section."""
    found = db.session.get(Comment, comment_id)
    if found is None or not found.law.is_visible_to(current_user):
        abort(404)
    given = answers_for_template([found.id]).get(found.id) if found.is_public else None
    if given is None:
        return redirect(url_for("comments.show_comment", comment_id=found.id))
    section_url = url_for("comments.section", slug=found.law.slug, section_id=found.section_id) + f"#c{found.id}"
    label = unit_name(found.section, current_lang())
    return render_template(
        "answers/answered_comment.html", comment=found, given=given, section_url=section_url, label=label
    )
