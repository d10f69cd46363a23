"""The moderation workspace blueprint: moderators only, the header on every page, helpers its views share."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from app.auth.decorators import require_role
from app.db import utcnow
from app.extensions import db
from app.moderation.stats import queue_stats

bp = Blueprint("moderation", __name__, template_folder="templates")


@bp.before_request
@require_role("moderator")
def _moderators_only():
    """Every workspace page is for moderators (and admins)."""


@bp.context_processor
def _workspace_header():
    return {"queue": queue_stats(), "now": utcnow()}


def _back(default: str) -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


def _bulk_answer(result):
    if result.done:
        db.session.commit()
    else:
        db.session.rollback()
    flash(_("Decided: %(done)d. Skipped: %(skipped)d.", done=len(result.done), skipped=len(result.skipped)),
          "success" if result.done else "error")  # fmt: skip
    for reason in sorted(set(result.skipped.values()))[:3]:
        flash(reason, "error")
    return redirect(_back(url_for("moderation.pending")))


def _selection() -> dict[int, int] | None:
    """The ticked comments as {id: version read}, from "id:version" values; None if one is malformed."""
    seen = {}
    for raw in request.form.getlist("ids"):
        comment_id, _sep, version = raw.partition(":")
        # isdecimal and a short length, as int() refuses "²" and numbers of thousands of digits.
        if not all(part.isdecimal() and len(part) < 11 and int(part) < 2**31 for part in (comment_id, version)):
            return None
        seen[int(comment_id)] = int(version)
    return seen
