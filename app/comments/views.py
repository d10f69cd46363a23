"""Section pages with their comments, and what citizens do with comments: post, reply, vote, report."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.caching import pages_unchanged
from app.comments.forms import ActionForm, CommentForm, EditCommentForm, FlagForm, LanguageForm, ReplyForm
from app.comments.models import Comment, CommentState, Stance, Vote
from app.comments.proposals import load_subtree, proposal_differ, starting_wording
from app.comments.reactions import check_can_flag, flag, vote
from app.comments.services import (
    CommentError,
    check_can_comment,
    edit_comment,
    prepare_comment,
    set_language,
    store_comment,
    withdraw_comment,
)
from app.db import reads_first, start_writing
from app.extensions import db
from app.i18n import current_lang
from app.laws.access import get_section_of_law_or_404
from app.laws.models import Law, Section
from app.laws.reading import build_tree, text_language
from app.web import commit_or_flash, request_page

bp = Blueprint("comments", __name__, template_folder="templates")

SORTS = ("newest", "agreed")


def get_comment_or_404(comment_id: int) -> Comment:
    """Load a comment the current user may see, or answer 404."""
    comment = db.session.scalar(
        select(Comment).where(Comment.id == comment_id).options(joinedload(Comment.law), joinedload(Comment.section))
    )
    if comment is None or not comment.is_visible_to(current_user) or not comment.law.is_visible_to(current_user):
        abort(404)
    return comment


def request_offset() -> int:
    raw = request.args.get("offset", "0")
    return int(raw) if raw.isdigit() and int(raw) < 10_000_000 else 0


def stance_counts(section_id: int) -> dict[str, int]:
    """Count approved comments on a section by stance, in one query."""
    rows = db.session.execute(
        select(Comment.stance, func.count(Comment.id))
        .where(Comment.section_id == section_id, Comment.state == CommentState.APPROVED)
        .group_by(Comment.stance)
    ).all()
    counts = dict.fromkeys(("support", "oppose", "neutral", "amend"), 0)
    counts.update({stance: n for stance, n in rows})
    return counts


def load_thread_batch(section_id: int, sort: str, offset: int, batch: int):
    """Return (top-level comments, replies by root id, has_more) with a fixed number of queries."""
    order = (Comment.score.desc(), Comment.id.desc()) if sort == "agreed" else (Comment.id.desc(),)
    top = db.session.scalars(
        select(Comment)
        .where(Comment.section_id == section_id, Comment.state == CommentState.APPROVED, Comment.parent_id.is_(None))
        .options(joinedload(Comment.author))
        .order_by(*order)
        .offset(offset)
        .limit(batch + 1)
    ).all()
    has_more = len(top) > batch
    top = top[:batch]
    replies: dict[int, list[Comment]] = {}
    if top:
        visible = Comment.state == CommentState.APPROVED
        if current_user.is_authenticated:
            visible = visible | ((Comment.author_id == current_user.id) & (Comment.state == CommentState.PENDING))
        rows = db.session.scalars(
            select(Comment)
            .where(Comment.root_id.in_([c.id for c in top]), visible)
            .options(joinedload(Comment.author))
            .order_by(Comment.id)
        ).all()
        for reply in rows:
            replies.setdefault(reply.root_id, []).append(reply)
    return top, replies, has_more


def my_votes(comment_ids: list[int]) -> dict[int, int]:
    if not current_user.is_authenticated or not comment_ids:
        return {}
    rows = db.session.execute(
        select(Vote.comment_id, Vote.value).where(Vote.user_id == current_user.id, Vote.comment_id.in_(comment_ids))
    ).all()
    return dict(rows)


def section_text_lang(section: Section) -> str:
    return text_language(section.version, current_lang())


@bp.get("/laws/<slug>/sections/<int:section_id>/")
def section(slug: str, section_id: int):
    """Show one part of a draft with its comments, counts by stance and the comment form."""
    section = get_section_of_law_or_404(slug, section_id, current_user)
    law = section.version.law
    forms = _form_meta()
    return render_section_page(law, section, CommentForm(**forms), ReplyForm(**forms))


def _form_meta() -> dict:
    # A visitor is shown no form that posts, so none gets a CSRF token: the page starts no session and is the same
    # for every visitor (app/caching.py keeps it).
    return {} if current_user.is_authenticated else {"meta": {"csrf": False}}


def render_section_page(law: Law, section: Section, form, reply_form, failed_reply_to: int | None = None):
    """Render a section page (or, with ?fragment=1, one more batch of its comments)."""
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "newest"
    offset = request_offset()
    batch = current_app.config["COMMENTS_BATCH"]
    top, replies, has_more = load_thread_batch(section.id, sort, offset, batch)
    shown = [c.id for c in top] + [r.id for rs in replies.values() for r in rs]
    subtree = load_subtree(section)
    text_lang = section_text_lang(section)
    if form.proposed_wording.data is None:
        # A proposal is an edit of the text as it stands, so the box starts with it rather than empty.
        form.proposed_wording.data = starting_wording(subtree, text_lang)
    context = {
        "law": law,
        "section": section,
        "comments": top,
        "replies": replies,
        "votes": my_votes(shown),
        "sort": sort,
        "offset": offset,
        "next_offset": offset + batch if has_more else None,
        "proposal_diff": proposal_differ(subtree, text_lang),
        "action_form": ActionForm(**_form_meta()),
        "reply_form": reply_form,
        "failed_reply_to": failed_reply_to,
    }
    if request.args.get("fragment") == "1":
        return render_template("comments/_batch.html", **context)
    own_pending = []
    if current_user.is_authenticated:
        own_pending = db.session.scalars(
            select(Comment)
            .where(
                Comment.section_id == section.id,
                Comment.author_id == current_user.id,
                Comment.state.in_([CommentState.PENDING, CommentState.REJECTED]),
                Comment.parent_id.is_(None),
            )
            .order_by(Comment.id.desc())
        ).all()
    return render_template(
        "comments/section.html",
        form=form,
        tree=build_tree(subtree),
        text_lang=text_lang,
        counts=stance_counts(section.id),
        own_pending=own_pending,
        can_comment_reason=_why_cannot_comment(law),
        **context,
    )


def _why_cannot_comment(law: Law) -> str | None:
    try:
        check_can_comment(current_user, law)
    except CommentError as error:
        return str(error)
    return None


@bp.post("/laws/<slug>/sections/<int:section_id>/comments")
@reads_first
def post(slug: str, section_id: int):
    """Post a comment or a reply on a section; errors keep the typed text in the form."""
    # One statement: neither the draft's versions nor its agency are needed to store a comment (a refused post's
    # page loads them).
    section = get_section_of_law_or_404(slug, section_id, current_user, pages=False)
    law = section.version.law
    if not current_user.is_authenticated:
        flash(_("Log in to comment."), "info")
        return redirect(url_for("auth.login", next=url_for("comments.section", slug=law.slug, section_id=section.id)))
    is_reply = bool(request.form.get("parent_id"))
    form = ReplyForm() if is_reply else CommentForm()
    parent = None
    if is_reply:
        raw = request.form.get("parent_id", "")
        parent = db.session.get(Comment, int(raw)) if raw.isdigit() and int(raw) < 2**31 else None
        if parent is None or not parent.is_public:
            abort(404)
    if not is_reply and request.form.get("stance") == Stance.AMEND:
        form.unit = load_subtree(section)  # a proposed wording must change the text it would replace
    error = None
    if form.validate_on_submit():
        # Not commit_or_flash: the result picks the success message, the refusal's status goes with the page.
        try:
            # Checked, detected, rendered and screened before the write lock: on SQLite one writer at a time is
            # what bounds posting, so the lock covers only the look-ups and inserts of store_comment.
            comment = prepare_comment(
                author=current_user,
                section=section,
                body=form.body.data,
                stance=form.stance.data if not is_reply else "neutral",
                proposed_wording=form.proposed_wording.data if not is_reply else None,
                lang=form.lang.data if not is_reply else "auto",
                client_token=form.client_token.data,
                parent=parent,
            )
            page = url_for("comments.section", slug=law.slug, section_id=section.id)  # built before the lock
            start_writing()
            result = store_comment(comment, author=current_user, parent=parent)
        except CommentError as caught:
            db.session.rollback()
            error = caught
        else:
            # Read before the commit, which expires them: reloading them after it would take the write lock again.
            pending = result.comment.state == CommentState.PENDING
            target = f"{page}#c{result.comment.id}"
            if pending:
                pages_unchanged()  # a comment waiting for moderation is on no page kept for visitors
            db.session.commit()
            if result.created:
                if pending:
                    flash(_("Thank you. Your comment will appear once a moderator has checked it."), "success")
                else:
                    flash(_("Your comment is published."), "success")
            return redirect(target)
    status = error.status if error else 400
    message = str(error) if error else _("Please correct the errors below.")
    return _render_failed_post(law, section, form, is_reply, message, status)


def _render_failed_post(law: Law, section: Section, form, is_reply: bool, message: str, status: int):
    """Show the section page again with the submitted text in the form and the reason."""
    flash(message, "error")
    if is_reply:
        parent_id = form.parent_id.data or ""
        failed = int(parent_id) if parent_id.isdigit() else None
        return render_section_page(law, section, CommentForm(formdata=None), form, failed_reply_to=failed), status
    return render_section_page(law, section, form, ReplyForm(formdata=None)), status


@bp.get("/comments/<int:comment_id>")
def show_comment(comment_id: int):
    """Go to the comment in its section page."""
    comment = get_comment_or_404(comment_id)
    return redirect(
        url_for("comments.section", slug=comment.law.slug, section_id=comment.section_id) + f"#c{comment.id}"
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    """Change one's own comment while it waits for moderation."""
    comment = get_comment_or_404(comment_id)
    if not comment.can_edit(current_user):
        abort(403)
    form = EditCommentForm(obj=comment)
    form.unit = load_subtree(comment.section)
    if form.proposed_wording.data is None:
        form.proposed_wording.data = starting_wording(form.unit, comment.lang)
    if form.validate_on_submit():
        saved = commit_or_flash(
            lambda: edit_comment(
                comment,
                user=current_user,
                body=form.body.data,
                stance=form.stance.data,
                proposed_wording=form.proposed_wording.data,
                lang=form.lang.data,
            ),
            _("Your changes are saved."),
        )
        if saved:
            return redirect(url_for("comments.show_comment", comment_id=comment.id))
    return render_template("comments/edit.html", comment=comment, form=form)


@bp.post("/comments/<int:comment_id>/withdraw")
@login_required
def withdraw(comment_id: int):
    """Withdraw one's own comment (it is kept, but no longer shown)."""
    comment = get_comment_or_404(comment_id)
    if ActionForm().validate_on_submit():
        commit_or_flash(lambda: withdraw_comment(comment, user=current_user), _("Your comment was withdrawn."))
    return redirect(url_for("comments.mine"))


@bp.post("/comments/<int:comment_id>/language")
@login_required
def change_language(comment_id: int):
    """Correct the language detected for one's own comment."""
    comment = get_comment_or_404(comment_id)
    form = LanguageForm()
    if form.validate_on_submit():
        commit_or_flash(
            lambda: set_language(comment, user=current_user, lang=form.lang.data),
            _("The language of your comment was changed."),
        )
    return redirect(url_for("comments.mine"))


@bp.post("/comments/<int:comment_id>/vote")
@login_required
def vote_on(comment_id: int):
    """Agree or disagree with a comment; the same button again takes the vote back."""
    comment = get_comment_or_404(comment_id)
    raw = request.form.get("value", "")
    value = {"1": 1, "-1": -1, "0": 0}.get(raw)
    if ActionForm().validate_on_submit():
        if value is None:
            flash(_("Unknown vote."), "error")
        else:
            commit_or_flash(lambda: vote(comment, user=current_user, value=value))
    return redirect(url_for("comments.show_comment", comment_id=comment.id))


@bp.route("/comments/<int:comment_id>/flag", methods=["GET", "POST"])
@login_required
def flag_comment(comment_id: int):
    """Report a comment to the moderators with a reason."""
    comment = get_comment_or_404(comment_id)
    try:
        check_can_flag(comment, current_user)
    except CommentError as error:
        # Say why instead of a bare 403: an unconfirmed user learns what to do to be able to report.
        return render_template("comments/flag.html", comment=comment, form=None, refusal=str(error)), error.status
    form = FlagForm()
    if form.validate_on_submit():
        commit_or_flash(
            lambda: flag(comment, user=current_user, reason=form.reason.data, note=form.note.data),
            _("Thank you. The moderators will look at this comment."),
        )
        return redirect(url_for("comments.show_comment", comment_id=comment.id))
    return render_template("comments/flag.html", comment=comment, form=form)


@bp.get("/my/comments")
@login_required
def mine():
    """List the user's own comments with their state, reasons, replies and answers."""
    query = (
        select(Comment)
        .where(Comment.author_id == current_user.id)
        .options(joinedload(Comment.law), joinedload(Comment.section), selectinload(Comment.revisions))
        .order_by(Comment.id.desc())
    )
    pagination = db.paginate(
        query, page=request_page(), per_page=current_app.config["MY_COMMENTS_PER_PAGE"], error_out=False
    )
    ids = [c.id for c in pagination.items]
    replies: dict[int, list[Comment]] = {}
    if ids:
        rows = db.session.scalars(
            select(Comment)
            .where(Comment.parent_id.in_(ids), Comment.state == CommentState.APPROVED)
            .options(joinedload(Comment.author))
            .order_by(Comment.id)
        ).all()
        for reply in rows:
            replies.setdefault(reply.parent_id, []).append(reply)
    return render_template(
        "comments/mine.html",
        pagination=pagination,
        comments=pagination.items,
        replies=replies,
        language_form=LanguageForm(),
    )
