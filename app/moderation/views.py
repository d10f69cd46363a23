"""The moderation workspace, moderators only: the queues, a comment in context, decisions, suspensions, audit."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.comments.models import Comment, CommentState, Flag
from app.extensions import db
from app.laws.models import Law
from app.moderation.appeals import decide_appeal
from app.moderation.decisions import decide, decide_many
from app.moderation.errors import CommentChangedError, ModerationError
from app.moderation.forms import AppealDecisionForm, DecisionForm, ItemDecisionForm, SuspendForm
from app.moderation.models import ACTIONS, Appeal, CommentScreening, ModerationAction
from app.moderation.queues import HINT_COLUMNS, item_context, queue_query
from app.moderation.suspensions import suspend, suspension_refusal, unsuspend
from app.moderation.workspace import _back, _bulk_answer, bp
from app.web import commit_or_flash, request_page


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) < 2**31 else None


@bp.get("/")
def index():
    """Open the workspace at the pending queue."""
    return redirect(url_for("moderation.pending"))


@bp.get("/pending")
def pending():
    """Comments waiting for a decision, oldest first, with filters."""
    query = select(Comment).where(Comment.state == CommentState.PENDING)
    filters = {key: request.args.get(key, "") for key in ("law", "section", "lang", "hint")}
    if filters["law"]:
        query = query.join(Law, Law.id == Comment.law_id).where(Law.slug == filters["law"])
    if (section_id := _int_arg("section")) is not None:
        query = query.where(Comment.section_id == section_id)
    if filters["lang"] in ("kk", "ru", "en"):
        query = query.where(Comment.lang == filters["lang"])
    if filters["hint"] in HINT_COLUMNS:
        query = query.join(CommentScreening, CommentScreening.comment_id == Comment.id).where(
            HINT_COLUMNS[filters["hint"]]
        )
    query = queue_query(query.order_by(Comment.created_at, Comment.id))
    pagination = db.paginate(
        query, page=request_page(), per_page=current_app.config["MODERATION_PER_PAGE"], error_out=False
    )
    laws = db.session.execute(select(Law.slug, Law.title_kk, Law.title_ru, Law.title_en).order_by(Law.slug)).all()
    return render_template(
        "moderation/queue.html",
        queue_name="pending",
        pagination=pagination,
        comments=pagination.items,
        filters=filters,
        laws=laws,
        form=DecisionForm(),
        **item_context(pagination.items),
    )


@bp.get("/flagged")
def flagged():
    """Comments with open flags, most-flagged first."""
    counts = (
        select(Flag.comment_id, func.count(func.distinct(Flag.user_id)).label("n"))
        .where(Flag.resolved_at.is_(None))
        .group_by(Flag.comment_id)
        .subquery()
    )
    query = queue_query(
        select(Comment)
        .join(counts, counts.c.comment_id == Comment.id)
        .where(Comment.state.in_([CommentState.APPROVED, CommentState.PENDING]))
        .order_by(counts.c.n.desc(), Comment.id)
    )
    pagination = db.paginate(
        query, page=request_page(), per_page=current_app.config["MODERATION_PER_PAGE"], error_out=False
    )
    return render_template(
        "moderation/queue.html",
        queue_name="flagged",
        pagination=pagination,
        comments=pagination.items,
        filters={},
        laws=[],
        form=DecisionForm(),
        **item_context(pagination.items),
    )


@bp.get("/appeals")
def appeals():
    """Open appeals against rejections, oldest first."""
    query = (
        select(Appeal)
        .where(Appeal.state == "open")
        .options(joinedload(Appeal.comment).joinedload(Comment.section), joinedload(Appeal.author))
        .order_by(Appeal.created_at)
    )
    pagination = db.paginate(
        query, page=request_page(), per_page=current_app.config["MODERATION_PER_PAGE"], error_out=False
    )
    return render_template(
        "moderation/appeals.html", pagination=pagination, appeals=pagination.items, form=AppealDecisionForm()
    )


@bp.get("/comments/<int:comment_id>")
def item(comment_id: int):
    """One comment with its full context: the section, the thread, the author's record, screening and history."""
    return _render_item(comment_id)


def _render_item(comment_id: int, form: ItemDecisionForm | None = None, status: int = 200):
    """The item page; after a refused decision, with the moderator's reason and note kept in the form."""
    comment = db.session.scalar(queue_query(select(Comment).where(Comment.id == comment_id)))
    if comment is None:
        abort(404)
    history = db.session.scalars(
        select(ModerationAction)
        .where(ModerationAction.comment_id == comment.id)
        .options(joinedload(ModerationAction.actor))
        .order_by(ModerationAction.id)
    ).all()
    return render_template(
        "moderation/item.html",
        comment=comment,
        history=history,
        form=form or ItemDecisionForm(formdata=None),
        suspend_form=SuspendForm(formdata=None),
        suspension_refusal=suspension_refusal(current_user, comment.author, lifting=comment.author.is_suspended),
        **item_context([comment], resolved_flags=True),
    ), status


@bp.post("/comments/<int:comment_id>/decide")
def decide_one(comment_id: int):
    """Approve, reject, hide, restore or publish-masked one comment."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    form = ItemDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        decide(comment, actor=current_user, action=form.action.data, seen_version=form.version.data,
               reason=form.reason.data or None, note=form.note.data)  # fmt: skip
    except CommentChangedError as error:
        # Show the comment again as it now reads; the moderator decides on that, or on nothing.
        db.session.rollback()
        flash(str(error), "error")
        return _render_item(comment_id, form=form, status=error.status)
    except ModerationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Decision recorded."), "success")
    return redirect(_back(url_for("moderation.pending")))


def _selection() -> dict[int, int] | None:
    """The ticked comments as {id: version read}, from "id:version" values; None if one is malformed."""
    seen = {}
    for raw in request.form.getlist("ids"):
        comment_id, _sep, version = raw.partition(":")
        if not (comment_id.isdigit() and version.isdigit() and int(comment_id) < 2**31 and int(version) < 2**31):
            return None
        seen[int(comment_id)] = int(version)
    return seen


@bp.post("/bulk")
def bulk():
    """Apply one decision to the selected comments, as long as none changed since the queue was shown."""
    form = DecisionForm()
    seen = _selection()
    if not form.validate_on_submit() or seen is None:
        abort(400)
    if not seen:
        flash(_("Select at least one comment."), "error")
        return redirect(_back(url_for("moderation.pending")))
    result = decide_many(
        seen, actor=current_user, action=form.action.data, reason=form.reason.data or None, note=form.note.data
    )
    if result.changed:
        return _recheck(seen, result.changed, form)
    return _bulk_answer(result)


def _recheck(seen: dict[int, int], changed: list[int], form: DecisionForm):
    """Refuse the whole selection and show it again with the current texts, the changed ones unticked."""
    db.session.rollback()
    flash(
        ngettext(
            "%(num)d selected comment changed since you opened the queue. Nothing was decided: read it again.",
            "%(num)d selected comments changed since you opened the queue. Nothing was decided: read them again.",
            len(changed),
        ),
        "error",
    )
    comments = db.session.scalars(
        queue_query(select(Comment).where(Comment.id.in_(list(seen))).order_by(Comment.created_at, Comment.id))
    ).all()
    return render_template(
        "moderation/queue.html",
        queue_name="flagged" if "/flagged" in _back("") else "pending",
        recheck=True,
        back=_back(url_for("moderation.pending")),
        changed=set(changed),
        pagination=None,
        comments=comments,
        filters={},
        laws=[],
        form=form,
        **item_context(comments),
    ), 409


@bp.post("/users/<int:user_id>/suspend")
def suspend_user(user_id: int):
    """Suspend an abusive account."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = SuspendForm()
    if form.validate_on_submit():
        commit_or_flash(
            lambda: suspend(user, actor=current_user, reason=form.reason.data), _("The account is suspended.")
        )
    else:
        flash(_("Give the reason for the suspension."), "error")
    return redirect(_back(url_for("moderation.pending")))


@bp.post("/users/<int:user_id>/unsuspend")
def unsuspend_user(user_id: int):
    """Lift a suspension."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    commit_or_flash(lambda: unsuspend(user, actor=current_user), _("The suspension is lifted."))
    return redirect(_back(url_for("moderation.pending")))


@bp.post("/appeals/<int:appeal_id>/decide")
def decide_on_appeal(appeal_id: int):
    """Uphold or overturn a rejection on appeal."""
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        abort(404)
    form = AppealDecisionForm()
    if not form.validate_on_submit() or form.outcome.data not in ("upheld", "overturned"):
        abort(400)
    overturn = form.outcome.data == "overturned"
    commit_or_flash(
        lambda: decide_appeal(appeal, actor=current_user, overturn=overturn, note=form.note.data),
        _("Decision recorded."),
    )
    return redirect(url_for("moderation.appeals"))


@bp.get("/audit")
def audit():
    """Browse every moderation action, newest first, with filters."""
    query = select(ModerationAction).options(joinedload(ModerationAction.actor), joinedload(ModerationAction.user))
    action = request.args.get("action", "")
    if action:
        query = query.where(ModerationAction.action == action)
    if (comment_id := _int_arg("comment")) is not None:
        query = query.where(ModerationAction.comment_id == comment_id)
    actor_email = request.args.get("actor", "").strip().lower()
    if actor_email:
        query = query.join(User, User.id == ModerationAction.actor_id).where(User.email == actor_email)
    query = query.order_by(ModerationAction.id.desc())
    pagination = db.paginate(query, page=request_page(), per_page=current_app.config["AUDIT_PER_PAGE"], error_out=False)
    filters = {"action": action, "comment": request.args.get("comment", ""), "actor": actor_email}
    return render_template(
        "moderation/audit.html", pagination=pagination, rows=pagination.items, actions=ACTIONS, filters=filters
    )
