"""The workspace's groups: campaigns and similar comments decided in bulk or taken apart, and the pending queue
cleared a group at a time."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.comments.models import Comment, CommentState
from app.extensions import db
from app.forms import BaseForm
from app.moderation.campaigns import BURST_WINDOW, densest, take_out
from app.moderation.decisions import campaign_revisions, decide_campaign, decide_many
from app.moderation.errors import CampaignChangedError, ModerationError
from app.moderation.filters import law_choices, read_filters
from app.moderation.forms import CampaignDecisionForm, DecisionForm
from app.moderation.groups import MAX_PER_DECISION, pending_groups
from app.moderation.models import Campaign, CommentFingerprint
from app.moderation.workspace import _back, _bulk_answer, _selection, bp
from app.web import commit_or_flash


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


# What a whole group of pending comments can be given at once; hiding and restoring concern published comments.
GROUP_DECISIONS = ("approve", "reject", "publish_masked")


@bp.get("/pending/groups")
def pending_in_groups():
    """The pending comments gathered in groups (similar comments, identical screening hints), the largest first."""
    return _render_pending_groups()


def _render_pending_groups(status: int = 200):
    """The grouped pending queue, each group's form carrying the version of every member as shown."""
    filters = read_filters({"law": request.args.get("law", "")}, "pending")
    found = pending_groups(filters.law.id if filters.law else None)
    campaign_ids = [group.campaign_id for group in found.groups if group.kind == "campaign"]
    return render_template(
        "moderation/groups.html",
        found=found,
        filters=filters,
        laws=law_choices(),
        revisions=campaign_revisions(campaign_ids),
        max_per_decision=MAX_PER_DECISION,
        # One form object serves every group (a campaign's adds its revision): a refused form's reason would show
        # in all of them.
        form=DecisionForm(formdata=None),
    ), status


@bp.post("/pending/groups/decide")
def decide_pending_group():
    """Approve or reject every comment of a group as shown; nothing is decided if one of them changed meanwhile."""
    form = DecisionForm()
    seen = _selection()
    if not form.validate_on_submit() or seen is None or form.action.data not in GROUP_DECISIONS:
        abort(400)
    if not seen:
        flash(_("This group has no comment left to decide."), "error")
        return redirect(_back(url_for("moderation.pending_in_groups")))
    result = decide_many(
        seen, actor=current_user, action=form.action.data, reason=form.reason.data or None, note=form.note.data
    )
    if result.changed:
        db.session.rollback()
        flash(
            ngettext(
                "%(num)d comment of this group changed since you opened the page. Nothing was decided: "
                "look at the group again.",
                "%(num)d comments of this group changed since you opened the page. Nothing was decided: "
                "look at the group again.",
                len(result.changed),
            ),
            "error",
        )
        return _render_pending_groups(status=409)
    return _bulk_answer(result)
