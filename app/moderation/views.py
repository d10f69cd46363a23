"""The moderation workspace (moderators only) and the public side of moderation (policy, figures, appeals)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.auth.decorators import require_role
from app.auth.models import User
from app.comments.models import REJECTION_REASONS, Comment, CommentState, Flag
from app.db import utcnow
from app.extensions import db
from app.laws.access import get_law_or_404
from app.laws.models import Law
from app.moderation.flags import flag_reports
from app.moderation.forms import (
    AppealDecisionForm,
    AppealForm,
    CampaignDecisionForm,
    DecisionForm,
    ItemDecisionForm,
    SuspendForm,
)
from app.moderation.labels import REASON_DESCRIPTIONS
from app.moderation.models import ACTIONS, Appeal, Campaign, CommentFingerprint, CommentScreening, ModerationAction
from app.moderation.services import (
    CampaignChangedError,
    CommentChangedError,
    ModerationError,
    campaign_revisions,
    decide,
    decide_appeal,
    decide_campaign,
    decide_many,
    file_appeal,
    law_stats,
    queue_stats,
    suspend,
    suspension_refusal,
    unsuspend,
)
from app.web import commit_or_flash, request_page

bp = Blueprint("moderation", __name__, template_folder="templates")
public_bp = Blueprint("moderation_public", __name__, template_folder="templates")

HINT_COLUMNS = {
    "links": CommentScreening.links >= 2,
    "profanity": CommentScreening.profanity.is_(True),
    "iin": CommentScreening.iin.is_(True),
    "phone": CommentScreening.phone.is_(True),
    "email": CommentScreening.email.is_(True),
}


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


def _item_context(comments: list[Comment], *, resolved_flags: bool = False) -> dict:
    """Everything a queue shows next to each comment, in a fixed number of queries."""
    ids = [c.id for c in comments]
    author_ids = list({c.author_id for c in comments})
    screenings, campaigns, records, flags = {}, {}, {}, {}
    flaggers = flag_reports(ids, open_only=not resolved_flags)
    if ids:
        screenings = {
            s.comment_id: s
            for s in db.session.scalars(select(CommentScreening).where(CommentScreening.comment_id.in_(ids)))
        }
        campaigns = dict(
            db.session.execute(
                select(CommentFingerprint.comment_id, Campaign)
                .join(Campaign, Campaign.id == CommentFingerprint.campaign_id)
                .where(CommentFingerprint.comment_id.in_(ids))
            ).all()
        )
        for author_id, state, n in db.session.execute(
            select(Comment.author_id, Comment.state, func.count(Comment.id))
            .where(Comment.author_id.in_(author_ids))
            .group_by(Comment.author_id, Comment.state)
        ):
            records.setdefault(author_id, {})[state] = n
        flags = {
            comment_id: sum(1 for r in reports if r.flag.resolved_at is None)
            for comment_id, reports in flaggers.items()
        }
    return {
        "screenings": screenings,
        "campaigns": campaigns,
        "records": records,
        "flag_counts": flags,
        "flaggers": flaggers,
    }


def _queue_query(base):
    return base.options(
        joinedload(Comment.author), joinedload(Comment.section), joinedload(Comment.law), joinedload(Comment.parent)
    )


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
    query = _queue_query(query.order_by(Comment.created_at, Comment.id))
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
        **_item_context(pagination.items),
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
    query = _queue_query(
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
        **_item_context(pagination.items),
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
        .order_by(Campaign.size.desc(), Campaign.id)
        .limit(100)
    ).all()
    samples = {}
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
    return render_template(
        "moderation/campaigns.html",
        rows=rows,
        samples=samples,
        revisions=campaign_revisions([campaign.id for campaign, _ in rows]),
        # Not the refused form: one form object serves every campaign, and a kept reason would show in all of them.
        form=CampaignDecisionForm(formdata=None),
    ), status


@bp.get("/comments/<int:comment_id>")
def item(comment_id: int):
    """One comment with its full context: the section, the thread, the author's record, screening and history."""
    return _render_item(comment_id)


def _render_item(comment_id: int, form: ItemDecisionForm | None = None, status: int = 200):
    """The item page; after a refused decision, with the moderator's reason and note kept in the form."""
    comment = db.session.scalar(_queue_query(select(Comment).where(Comment.id == comment_id)))
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
        **_item_context([comment], resolved_flags=True),
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
        _queue_query(select(Comment).where(Comment.id.in_(list(seen))).order_by(Comment.created_at, Comment.id))
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
        **_item_context(comments),
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


# --- public side ------------------------------------------------------------------------------------------


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
