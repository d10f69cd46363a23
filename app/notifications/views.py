"""The user's notifications, following drafts, and the unsubscribe links in e-mails."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.i18n import current_lang
from app.laws.access import get_law_or_404
from app.notifications import optouts, services, unread_notification_count
from app.notifications.forms import ActionForm, UnsubscribeForm
from app.notifications.models import NotificationKind
from app.web import request_page

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index():
    """List the user's notifications, newest first, unread ones marked."""
    pagination = services.notifications_page(current_user, request_page())
    lang = current_lang()
    items = [
        (n, services.describe(n.kind, law=n.law, comment=n.comment, version=n.version, lang=lang, snapshot=n.snapshot))
        for n in pagination.items
    ]
    return render_template(
        "notifications/index.html",
        pagination=pagination,
        items=items,
        unread=unread_notification_count(),
        form=ActionForm(),
    )


@bp.post("/read")
@login_required
def mark_read():
    """Mark all the user's notifications read (or only those whose ids are posted)."""
    form = ActionForm()
    if form.validate_on_submit():
        raw = request.form.getlist("id")
        ids = [int(value) for value in raw if value.isdigit() and len(value) < 10] if raw else None
        services.mark_read(current_user, ids)
        db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.post("/laws/<slug>/follow")
@login_required
def follow(slug: str):
    """Follow a draft: be told about its new versions."""
    law = get_law_or_404(slug, current_user)
    if ActionForm().validate_on_submit():
        services.follow(current_user, law)
        db.session.commit()
        flash(_("You follow this draft. We will tell you when a new version is published."), "success")
    return redirect(url_for("laws.show", slug=law.slug))


@bp.post("/laws/<slug>/unfollow")
@login_required
def unfollow(slug: str):
    """Stop following a draft."""
    law = get_law_or_404(slug, current_user)
    if ActionForm().validate_on_submit():
        services.unfollow(current_user, law)
        db.session.commit()
        flash(_("You no longer follow this draft."), "success")
    return redirect(url_for("laws.show", slug=law.slug))


def _question(kind: str, title: str) -> str:
    questions = {
        NotificationKind.NEW_VERSION: lambda: _("Stop e-mails about new versions of «%(title)s»?", title=title),
        NotificationKind.REPLY: lambda: _("Stop e-mails when someone replies to your comments?"),
        NotificationKind.APPROVED: lambda: _("Stop e-mails when a moderator publishes your comment?"),
        NotificationKind.REJECTED: lambda: _("Stop e-mails when a moderator rejects your comment?"),
        NotificationKind.ANSWERED: lambda: _("Stop e-mails when the drafting agency answers your comment?"),
        NotificationKind.CONSULTATION_OPENED: lambda: _("Stop e-mails when a consultation of your committee opens?"),
        NotificationKind.CONSULTATION_CLOSED: lambda: _("Stop e-mails when a consultation of your committee closes?"),
        NotificationKind.SUMMARY_SUBMITTED: lambda: _("Stop e-mails when a summary is sent to your committee?"),
    }
    return questions[kind]()


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Ask to confirm, then stop the kind of e-mail the link came in; the in-app notifications go on."""
    try:
        wish = optouts.read_unsubscribe_token(token)
    except optouts.UnsubscribeError as error:
        return render_template("notifications/link_invalid.html", message=error.message), 400
    title = services.law_title(wish.law, current_lang()) if wish.law else ""
    form = UnsubscribeForm()
    if form.validate_on_submit():
        optouts.opt_out(wish.user, wish.kind, wish.law)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", wish=wish, title=title)
    return render_template(
        "notifications/unsubscribe.html",
        form=form,
        token=token,
        wish=wish,
        question=_question(wish.kind, title),
    )
