"""Following drafts and notifying users, in the app and by e-mail. Services flush and never commit.

Opt-outs and unsubscribe links are in app.notifications.optouts.
"""

import logging
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.comments.labels import REJECTION_LABELS, label
from app.comments.models import Comment
from app.db import Prepared, read, utcnow
from app.extensions import db
from app.i18n import localized
from app.laws.models import Law, LawVersion
from app.mail import external_url, queue_mail
from app.notifications.models import NOTIFICATION_KINDS, Follow, Notification, NotificationKind
from app.notifications.optouts import make_unsubscribe_token, opted_out_condition, unsubscribe_scope
from app.summaries.models import SummarySnapshot

logger = logging.getLogger(__name__)

# What MPs of a draft's responsible committee are told about.
COMMITTEE_KINDS = frozenset(
    {NotificationKind.CONSULTATION_OPENED, NotificationKind.CONSULTATION_CLOSED, NotificationKind.SUMMARY_SUBMITTED}
)


# --- following -------------------------------------------------------------------------------------------------


_FOLLOWS = Prepared(
    select(Follow.id).where(Follow.user_id == bindparam("user_id"), Follow.law_id == bindparam("law_id"))
)


def follows(user_id: int, law_id: int) -> bool:
    """Whether the user follows the draft (a prepared read on the connection: asked on every comment post)."""
    return read(_FOLLOWS, {"user_id": user_id, "law_id": law_id}).scalar() is not None


def _follow_ids(user_id: int, law_id: int) -> bool:
    if follows(user_id, law_id):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Follow(user_id=user_id, law_id=law_id))
    except IntegrityError:
        # A parallel request (a double click) followed first: the user follows the draft either way.
        return False
    return True


def follow(user: User, law: Law) -> bool:
    """Make the user follow the draft; return False if they already did."""
    followed = _follow_ids(user.id, law.id)
    if followed:
        logger.info("User %s follows law %s", user.id, law.id)
    return followed


def unfollow(user: User, law: Law) -> bool:
    """Stop the user following the draft; return False if they did not follow it."""
    result = db.session.execute(delete(Follow).where(Follow.user_id == user.id, Follow.law_id == law.id))
    db.session.flush()
    return bool(result.rowcount)


def is_following(user: User, law: Law) -> bool:
    """Return True if the user follows the draft."""
    if not user.is_authenticated:
        return False
    return follows(user.id, law.id)


# --- what a notification says ----------------------------------------------------------------------------------


@dataclass
class Described:
    text: str
    url: str


def law_title(law: Law | None, lang: str) -> str:
    if law is None:
        return ""
    return localized(law, "title", lang)[0] or law.slug


def describe(
    kind: str,
    *,
    law: Law | None,
    comment: Comment | None,
    version: LawVersion | None,
    lang: str,
    external: bool = False,
    snapshot: SummarySnapshot | None = None,
) -> Described:
    """Return the sentence and the link for a notification, in the current locale with links in `lang`."""
    title = law_title(law, lang)

    def link(endpoint: str, **values) -> str:
        # Links in e-mails start with BASE_URL (they are built outside requests too); pages use paths.
        return external_url(endpoint, lang=lang, **values) if external else url_for(endpoint, lang=lang, **values)

    if kind == NotificationKind.NEW_VERSION and law is not None and version is not None:
        url = (
            link("laws.diff", slug=law.slug, old=version.number - 1, new=version.number)
            if version.number > 1
            else link("laws.show", slug=law.slug)
        )
        return Described(_("Version %(number)d of «%(title)s» was published.", number=version.number, title=title), url)
    if kind == NotificationKind.REPLY and comment is not None:
        text = _("%(name)s replied to your comment on «%(title)s».", name=comment.author.display_name, title=title)
        return Described(text, link("comments.show_comment", comment_id=comment.id))
    if kind == NotificationKind.APPROVED and comment is not None:
        text = _("Your comment on «%(title)s» was published.", title=title)
        return Described(text, link("comments.show_comment", comment_id=comment.id))
    if kind == NotificationKind.REJECTED and comment is not None:
        reason = label(REJECTION_LABELS, comment.rejection_reason)
        text = _("Your comment on «%(title)s» was not published. Reason: %(reason)s.", title=title, reason=reason)
        return Described(text, link("comments.mine"))
    if kind == NotificationKind.ANSWERED and comment is not None:
        text = _("The drafting agency answered your comment on «%(title)s».", title=title)
        # The answer's page: the comment, the answer, then the diff of the change it led to.
        return Described(text, link("answered.comment", comment_id=comment.id))
    if kind == NotificationKind.CONSULTATION_OPENED and law is not None:
        text = _("The consultation on «%(title)s», a draft of your committee, is open for comments.", title=title)
        return Described(text, link("laws.show", slug=law.slug))
    if kind == NotificationKind.CONSULTATION_CLOSED and law is not None:
        text = _("The consultation on «%(title)s», a draft of your committee, has closed.", title=title)
        return Described(text, link("laws.show", slug=law.slug))
    if kind == NotificationKind.SUMMARY_SUBMITTED and law is not None and snapshot is not None:
        text = _(
            "The drafting agency sent your committee summary no. %(number)d of the consultation on «%(title)s».",
            number=snapshot.number,
            title=title,
        )
        return Described(text, link("parliament.summary", slug=law.slug, number=snapshot.number))
    # What the notification pointed to no longer exists.
    return Described(_("This notification is no longer available."), link("notifications.index"))


def _subject(kind: str, title: str) -> str:
    subjects = {
        NotificationKind.NEW_VERSION: lambda: _("New version of «%(title)s»", title=title),
        NotificationKind.REPLY: lambda: _("New reply to your comment on Kenes"),
        NotificationKind.APPROVED: lambda: _("Your comment on Kenes was published"),
        NotificationKind.REJECTED: lambda: _("Your comment on Kenes was not published"),
        NotificationKind.ANSWERED: lambda: _("The drafting agency answered your comment on Kenes"),
        NotificationKind.CONSULTATION_OPENED: lambda: _("Consultation opened: «%(title)s»", title=title),
        NotificationKind.CONSULTATION_CLOSED: lambda: _("Consultation closed: «%(title)s»", title=title),
        NotificationKind.SUMMARY_SUBMITTED: lambda: _("Summary of the consultation on «%(title)s»", title=title),
    }
    return subjects[kind]()


# --- e-mail ----------------------------------------------------------------------------------------------------


def user_lang(user: User) -> str:
    """Return the language to write to the user in."""
    return user.locale if user.locale in current_app.config["LANGUAGES"] else current_app.config["DEFAULT_LANGUAGE"]


def _queue_email(
    user: User,
    kind: str,
    *,
    law: Law | None,
    comment: Comment | None,
    version: LawVersion | None,
    snapshot: SummarySnapshot | None = None,
) -> None:
    lang = user_lang(user)
    token = make_unsubscribe_token(user, kind, unsubscribe_scope(kind, law))
    with force_locale(lang):
        described = describe(
            kind, law=law, comment=comment, version=version, lang=lang, external=True, snapshot=snapshot
        )
        if kind == NotificationKind.NEW_VERSION:
            why = _("You receive this e-mail because you follow this draft on Kenes.")
            stop = _("To stop e-mails about new versions of this draft, open this link:")
        elif kind in COMMITTEE_KINDS:
            why = _("You receive this e-mail because you are a member of the committee responsible for this draft.")
            stop = _("To stop e-mails like this one, open this link:")
        else:
            why = _("You receive this e-mail because you took part in a consultation on Kenes.")
            stop = _("To stop e-mails like this one, open this link:")
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=user.display_name),
                described.text,
                described.url,
                why,
                f"{stop}\n{external_url('notifications.unsubscribe', token=token, lang=lang)}",
            ]
        )
        # A header cannot hold a line break; a title edited by hand might.
        subject = _subject(kind, " ".join(law_title(law, lang).split()))
    queue_mail(user.email, subject, body)


def _wants_email(user: User, opted_out: bool) -> bool:
    # Unconfirmed addresses may belong to someone else: they get the in-app notification only. Imported authors
    # have an address that receives nothing.
    return not opted_out and user.email_confirmed and not user.external


# --- notifying -------------------------------------------------------------------------------------------------


def notify(
    user: User,
    kind: str,
    law: Law | None = None,
    comment: Comment | None = None,
    version: LawVersion | None = None,
    snapshot: SummarySnapshot | None = None,
) -> Notification:
    """Notify one user in the app, and by e-mail after the commit unless they opted out."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if law is None and version is not None:
        law = version.law
    if law is None and comment is not None:
        law = comment.law
    notification = Notification(
        user_id=user.id,
        kind=kind,
        law_id=law.id if law else None,
        comment_id=comment.id if comment else None,
        version_id=version.id if version else None,
        snapshot_id=snapshot.id if snapshot else None,
    )
    db.session.add(notification)
    db.session.flush()
    opted_out = db.session.scalar(select(opted_out_condition(kind, law.id if law else None)).where(User.id == user.id))
    if _wants_email(user, bool(opted_out)):
        _queue_email(user, kind, law=law, comment=comment, version=version, snapshot=snapshot)
    return notification


def notify_followers(version: LawVersion) -> int:
    """Notify every follower of the version's draft; return how many were notified."""
    law = version.law
    kind = NotificationKind.NEW_VERSION
    rows = db.session.execute(
        select(User, opted_out_condition(kind, law.id).label("opted_out"))
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.law_id == law.id)
        .order_by(User.id)
    ).all()
    if not rows:
        return 0
    now = utcnow()
    db.session.execute(
        insert(Notification),
        [
            {"user_id": user.id, "kind": kind.value, "law_id": law.id, "version_id": version.id, "created_at": now}
            for user, _opted in rows
        ],
    )
    emailed = 0
    for user, opted_out in rows:
        if _wants_email(user, bool(opted_out)):
            _queue_email(user, kind, law=law, comment=None, version=version)
            emailed += 1
    logger.info("Notified %d followers of %s v%s (%d by e-mail)", len(rows), law.slug, version.number, emailed)
    return len(rows)


def notify_committee(law: Law, kind: str, snapshot: SummarySnapshot | None = None) -> int:
    """Notify the MPs of the draft's responsible committee (in the app, and by e-mail); return how many."""
    if law.committee_id is None:
        return 0
    rows = db.session.execute(
        select(User, opted_out_condition(kind, law.id).label("opted_out"))
        .where(User.role == Role.MP, User.committee_id == law.committee_id, User.suspended_at.is_(None))
        .order_by(User.id)
    ).all()
    if not rows:
        return 0
    now = utcnow()
    snapshot_id = snapshot.id if snapshot else None
    db.session.execute(
        insert(Notification),
        [
            {"user_id": u.id, "kind": str(kind), "law_id": law.id, "snapshot_id": snapshot_id, "created_at": now}
            for u, _opted in rows
        ],
    )
    emailed = 0
    for user, opted_out in rows:
        if _wants_email(user, bool(opted_out)):
            _queue_email(user, kind, law=law, comment=None, version=None, snapshot=snapshot)
            emailed += 1
    logger.info("Notified %d MPs of %s: %s (%d by e-mail)", len(rows), law.slug, kind, emailed)
    return len(rows)


# --- reading ---------------------------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    """Count the user's unread notifications."""
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def mark_read(user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read: the given ones, or all of them; return how many changed."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    result = db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount


def notifications_page(user: User, page: int) -> Pagination:
    """Return one page of the user's notifications, newest first, with what they point to loaded."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .options(
            selectinload(Notification.law),
            selectinload(Notification.version),
            selectinload(Notification.snapshot),
            selectinload(Notification.comment).selectinload(Comment.author),
        )
    )
    return db.paginate(query, page=page, per_page=current_app.config["NOTIFICATIONS_PER_PAGE"], error_out=False)
