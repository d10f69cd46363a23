"""The moderation workspace, moderators only: the queues, a comment in context, decisions, suspensions, audit."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.auth.decorators import require_role
from app.auth.models import User
from app.comments.models import Comment, CommentState, Flag
from app.db import utcnow
from app.extensions import db
from app.forms import BaseForm
from app.laws.models import Law
from app.moderation.appeals import decide_appeal
from app.moderation.campaigns import BURST_WINDOW, densest, take_out
from app.moderation.decisions import campaign_revisions, decide, decide_campaign, decide_many
from app.moderation.errors import CampaignChangedError, CommentChangedError, ModerationError
from app.moderation.forms import AppealDecisionForm, CampaignDecisionForm, DecisionForm, ItemDecisionForm, SuspendForm
from app.moderation.models import ACTIONS, Appeal, Campaign, CommentFingerprint, CommentScreening, ModerationAction
from app.moderation.queues import HINT_COLUMNS, item_context, queue_query
from app.moderation.stats import queue_stats
from app.moderation.suspensions import suspend, suspension_refusal, unsuspend
from app.web import commit_or_flash, request_page

bp = Blueprint("moderation", __name__, template_folder="templates")


@bp.before_request
@require_role("moderator")
def _moderators_only():
    """Every workspace page is for moderators (and admins)."""


@bp.context_processor
def _workspace_header():
    return {"queue": queue_stats(), "now": utcnow()}


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


@bp.get("/campaigns")
def campaigns():
    """Groups of near-identical comments that still have pending members, largest first."""
    return _render_campaigns()


def _render_campaigns(status: int = 200):
    """The campaigns page, each campaign's form carrying the revision of its pending members as shown."""
    pending_counts = (
        select(CommentFingerprint.campaign_id, func.count(Comment.id).label("pending"))
        .join(Comment, Comment.id == CommentFingerprint.comment_id)
        .where(Comment.state == CommentState.PENDING, CommentFingerprint.campaign_id.is_not(None))
        .group_by(CommentFingerprint.campaign_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Campaign, pending_counts.c.pending)
        .join(pending_counts, pending_counts.c.campaign_id == Campaign.id)
        # Campaigns ("campaign" sorts before "similar") first: they are the ones decided in bulk.
        .order_by(Campaign.kind, Campaign.size.desc(), Campaign.id)
        .limit(100)
    ).all()
    samples, facts, members = {}, {}, {}
    if rows:
        first_ids = db.session.execute(
            select(CommentFingerprint.campaign_id, func.min(CommentFingerprint.comment_id))
            .where(CommentFingerprint.campaign_id.in_([c.id for c, _ in rows]))
            .group_by(CommentFingerprint.campaign_id)
        ).all()
        sample_comments = {
            c.id: c
            for c in db.session.scalars(
                select(Comment).where(Comment.id.in_([cid for _, cid in first_ids])).options(joinedload(Comment.law))
            )
        }
        samples = {campaign_id: sample_comments.get(comment_id) for campaign_id, comment_id in first_ids}
        facts, members = _group_facts([c for c, _ in rows])
    return render_template(
        "moderation/campaigns.html",
        rows=rows,
        samples=samples,
        facts=facts,
        members=members,
        burst_hours=int(BURST_WINDOW.total_seconds() // 3600),
        take_out_form=BaseForm(formdata=None),
        revisions=campaign_revisions([campaign.id for campaign, _ in rows]),
        # Not the refused form: one form object serves every campaign, and a kept reason would show in all of them.
        form=CampaignDecisionForm(formdata=None),
    ), status


def _group_facts(groups: list[Campaign]) -> tuple[dict[int, dict], dict[int, list[Comment]]]:
    """Each group's distinct authors, first and last arrival and burst, and its first members with their authors."""
    ids = [g.id for g in groups]
    arrived = func.coalesce(Comment.received_at, Comment.created_at)
    in_groups = CommentFingerprint.campaign_id.in_(ids)
    facts = {
        campaign_id: {"authors": authors, "first": first, "last": last, "densest": 0}
        for campaign_id, authors, first, last in db.session.execute(
            select(CommentFingerprint.campaign_id, func.count(func.distinct(Comment.author_id)))
            .add_columns(func.min(arrived), func.max(arrived))
            .join(Comment, Comment.id == CommentFingerprint.comment_id)
            .where(in_groups)
            .group_by(CommentFingerprint.campaign_id)
        )
    }
    # Every arrival time only for campaigns (few, however large); similar groups show first and last only.
    times: dict[int, list] = {}
    campaign_ids = [g.id for g in groups if g.is_campaign]
    if campaign_ids:
        for campaign_id, moment in db.session.execute(
            select(CommentFingerprint.campaign_id, arrived)
            .join(Comment, Comment.id == CommentFingerprint.comment_id)
            .where(CommentFingerprint.campaign_id.in_(campaign_ids))
        ):
            times.setdefault(campaign_id, []).append(moment)
    for campaign_id, moments in times.items():
        facts[campaign_id]["densest"] = densest(moments)
    rank = (
        func.row_number()
        .over(partition_by=CommentFingerprint.campaign_id, order_by=CommentFingerprint.comment_id)
        .label("rank")
    )
    ranked = select(CommentFingerprint.campaign_id, CommentFingerprint.comment_id, rank).where(in_groups).subquery()
    members: dict[int, list[Comment]] = {}
    for campaign_id, comment in db.session.execute(
        select(ranked.c.campaign_id, Comment)
        .join(Comment, Comment.id == ranked.c.comment_id)
        .where(ranked.c.rank <= current_app.config["CAMPAIGN_MEMBERS_SHOWN"])
        .options(joinedload(Comment.author))
        .order_by(ranked.c.campaign_id, Comment.id)
    ):
        members.setdefault(campaign_id, []).append(comment)
    return facts, members


@bp.post("/comments/<int:comment_id>/ungroup")
def take_out_of_group(comment_id: int):
    """Take one comment out of its campaign or group of similar comments."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    if not BaseForm().validate_on_submit():
        abort(400)
    commit_or_flash(lambda: take_out(comment, actor=current_user), _("The comment is taken out of the group."))
    return redirect(_back(url_for("moderation.campaigns")))


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


def _back(default: str) -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


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


@bp.post("/campaigns/<int:campaign_id>/decide")
def decide_group(campaign_id: int):
    """Decide every pending comment of a campaign at once."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    form = CampaignDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    # Not commit_or_flash: a changed campaign is shown again, and the result decides whether to commit.
    try:
        result = decide_campaign(campaign, actor=current_user, action=form.action.data,
                                 seen_revision=form.revision.data, reason=form.reason.data or None,
                                 note=form.note.data)  # fmt: skip
    except CampaignChangedError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render_campaigns(status=error.status)
    except ModerationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(_back(url_for("moderation.campaigns")))
    return _bulk_answer(result)


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
