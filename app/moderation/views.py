"""The moderation workspace, moderators only: the queues, a comment in context, decisions, suspensions, audit."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.comments.models import Comment
from app.comments.proposals import load_subtree
from app.extensions import db
from app.i18n import current_lang
from app.laws.reading import build_tree, text_language
from app.moderation.appeals import decide_appeal
from app.moderation.decisions import decide, decide_many
from app.moderation.errors import CommentChangedError, ModerationError
from app.moderation.filters import QUEUES, QueueFilters, choices, law_choices, next_item, ordered, read_filters
from app.moderation.forms import AppealDecisionForm, DecisionForm, ItemDecisionForm, SuspendForm
from app.moderation.models import ACTIONS, Appeal, ModerationAction
from app.moderation.queues import item_context, queue_query
from app.moderation.suspensions import suspend, suspension_refusal, unsuspend
from app.moderation.workspace import _back, _bulk_answer, _selection, bp
from app.web import commit_or_flash, request_page


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdecimal() and len(raw) < 11 and int(raw) < 2**31 else None


@bp.get("/")
def index():
    """Open the workspace at the pending queue."""
    return redirect(url_for("moderation.pending"))


@bp.get("/pending")
def pending():
    """Comments waiting for a decision, filtered and ordered as the moderator chose (oldest first by default)."""
    return _render_queue("pending")


@bp.get("/flagged")
def flagged():
    """Comments with open flags, filtered and ordered as the moderator chose (most flagged first by default)."""
    return _render_queue("flagged")


def _render_queue(name: str):
    """A queue page: one page of its comments under the filters, the filters kept in every link."""
    filters = read_filters(request.args, name)
    pagination = db.paginate(
        queue_query(ordered(filters)),
        page=request_page(),
        per_page=current_app.config["MODERATION_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "moderation/queue.html",
        queue_name=name,
        pagination=pagination,
        comments=pagination.items,
        filters=filters,
        laws=law_choices(),
        choices=choices(name),
        form=DecisionForm(),
        item_args=filters.item_args(),
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
    """One comment with its full context: the unit's text, the thread, the author's record, screening and history."""
    return _render_item(comment_id)


def _queue_filters() -> QueueFilters | None:
    """The queue and filters an item page was opened from, carried in its query string."""
    queue = request.args.get("queue", "")
    return read_filters(request.args, queue) if queue in QUEUES else None


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
    filters = _queue_filters()
    context = item_context([comment], resolved_flags=True)
    open_flags = context["flag_counts"].get(comment.id, 0)
    return render_template(
        "moderation/item.html",
        comment=comment,
        history=history,
        unit_tree=build_tree(load_subtree(comment.section)),
        text_lang=text_language(comment.section.version, current_lang()),
        open_flags=open_flags,
        filters=filters,
        item_args=filters.item_args() if filters else {},
        form=form or ItemDecisionForm(formdata=None),
        suspend_form=SuspendForm(formdata=None),
        suspension_refusal=suspension_refusal(current_user, comment.author, lifting=comment.author.is_suspended),
        **context,
    ), status


# Where a decision made on an item page opened from no queue leads: to the queue the comment left.
_QUEUE_LEFT = dict.fromkeys(("approve", "reject", "publish_masked"), "pending") | dict.fromkeys(
    ("dismiss_flags", "hide"), "flagged"
)


@bp.post("/comments/<int:comment_id>/decide")
def decide_one(comment_id: int):
    """Decide one comment, then open the next one of the queue it was opened from."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    form = ItemDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    filters = _queue_filters()
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
        return redirect(url_for("moderation.item", comment_id=comment_id, **(filters.item_args() if filters else {})))
    db.session.commit()
    if filters is None and form.action.data in _QUEUE_LEFT:
        filters = read_filters({}, _QUEUE_LEFT[form.action.data])
    if filters is None:
        flash(_("Decision recorded."), "success")
        return redirect(_back(url_for("moderation.pending")))
    following = next_item(filters, comment, current_user.id)
    if following is not None:
        flash(_("Decision recorded. Here is the next comment in the queue."), "success")
        return redirect(url_for("moderation.item", comment_id=following, **filters.item_args()))
    if filters.args():
        flash(_("Decision recorded. No other comment in this queue matches your filters."), "success")
    else:
        flash(_("Decision recorded. The queue is empty."), "success")
    return redirect(url_for(f"moderation.{filters.queue}", **filters.args()))


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
        filters=read_filters({}, "pending"),
        laws=[],
        form=form,
        item_args={},
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
