"""Comment services: post, edit, withdraw, decide (votes and reports: reactions.py). They flush, never commit."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import bindparam, func, select

from app.auth.models import User
from app.comments.language import detect_language
from app.comments.models import (
    REJECTION_REASONS,
    STANCES,
    Channel,
    Comment,
    CommentRevision,
    CommentState,
    Stance,
)
from app.comments.rendering import render_comment
from app.comments.signals import (
    comment_changed,
    comment_created,
    comment_preparing,
    comment_published,
    comment_rejected,
)
from app.db import Prepared, insert_new, read, utcnow
from app.errors import UserError
from app.extensions import db
from app.laws.models import Law, Section

logger = logging.getLogger(__name__)

MAX_BODY = 5000
MAX_WORDING = 5000
LANGS = ("kk", "ru", "en")


class CommentError(UserError):
    """A refusal the user can understand; `message` is translated when shown, `status` is the HTTP answer."""


@dataclass
class PostResult:
    comment: Comment
    created: bool  # False when the same form was submitted again and the first comment is returned


def check_can_comment(user: User, law: Law) -> None:
    """Refuse when the user may not comment on this law now."""
    if not user.is_authenticated:
        raise CommentError(_l("Log in to comment."), status=401)
    if user.is_suspended:
        raise CommentError(_l("Your account is suspended, so you cannot comment."), status=403)
    if not user.email_confirmed:
        raise CommentError(_l("Confirm your e-mail address before commenting."), status=403)
    if not law.is_open_for_comments():
        raise CommentError(_l("Comments on this draft are closed: the consultation is not open."), status=403)


# What store_comment checks under the write lock, in one statement: the comment this form already made (same
# author and client token), and the author's comments in the last minute and in the last day.
_POSTED = Prepared(
    select(
        select(Comment.id)
        .where(Comment.author_id == bindparam("author_id"), Comment.client_token == bindparam("client_token"))
        .scalar_subquery(),
        func.count(Comment.id).filter(Comment.created_at > bindparam("minute_ago")),
        func.count(Comment.id),
    ).where(Comment.author_id == bindparam("author_id"), Comment.created_at > bindparam("day_ago"))
)


RATE_WINDOWS = (timedelta(minutes=1), timedelta(days=1))  # what _POSTED counts, and the limits check_rate applies


def _posted(author_id: int, client_token: str) -> tuple[int | None, int, int]:
    now = utcnow()
    minute, day = RATE_WINDOWS
    params = {"author_id": author_id, "client_token": client_token, "minute_ago": now - minute, "day_ago": now - day}
    return tuple(read(_POSTED, params).one())


def check_rate(counts: tuple[int, int]) -> None:
    """Refuse when the user has posted too much in the last minute or day (counted in the database)."""
    minute, day = RATE_WINDOWS
    config = current_app.config
    limits = [(minute, config["COMMENT_RATE_PER_MINUTE"]), (day, config["COMMENT_RATE_PER_DAY"])]
    for (window, limit), count in zip(limits, counts, strict=True):
        if count >= limit:
            if window < timedelta(hours=1):
                message = lazy_ngettext(
                    "You can post %(num)d comment a minute. Please wait a little; your text is kept below.",
                    "You can post %(num)d comments a minute. Please wait a little; your text is kept below.",
                    limit,
                )
            else:
                message = lazy_ngettext(
                    "You can post %(num)d comment a day. Your text is kept below; please post it tomorrow.",
                    "You can post %(num)d comments a day. Your text is kept below; please post it tomorrow.",
                    limit,
                )
            raise CommentError(message, status=429)


def clean_text(text: str | None) -> str:
    """Return user text with Windows line ends made plain and outer whitespace trimmed."""
    return (text or "").replace("\r\n", "\n").strip()


def _validate(body: str, stance: str, proposed_wording: str | None, lang: str | None) -> tuple[str, str | None]:
    if stance not in STANCES:
        raise CommentError(_l("Choose whether you support, oppose, are neutral or propose new wording."))
    if not body:
        raise CommentError(_l("Write your comment."))
    if len(body) > MAX_BODY:
        raise CommentError(_l("The comment is too long: at most %(max)d characters."), max=MAX_BODY)
    wording = proposed_wording or None
    if stance == Stance.AMEND:
        if not wording:
            raise CommentError(_l("Write the wording you propose."))
        if len(wording) > MAX_WORDING:
            raise CommentError(_l("The proposed wording is too long: at most %(max)d characters."), max=MAX_WORDING)
    else:
        wording = None
    if lang not in (None, "", "auto", *LANGS):
        raise CommentError(_l("Choose the language of the comment."))
    return body, wording


def post_comment(*, author: User, section: Section, parent: Comment | None = None, **fields) -> PostResult:
    """Post a comment (or a reply) on a section; a repeated client token returns the first comment."""
    comment = prepare_comment(author=author, section=section, parent=parent, **fields)
    return store_comment(comment, author=author, parent=parent)


def prepare_comment(
    *,
    author: User,
    section: Section,
    body: str,
    stance: str,
    client_token: str,
    proposed_wording: str | None = None,
    lang: str | None = None,
    parent: Comment | None = None,
) -> Comment:
    """Check and build a comment, not yet stored: the reads and text work, which need no write lock."""
    law = section.version.law
    check_can_comment(author, law)
    body, wording = _validate(clean_text(body), stance, clean_text(proposed_wording), lang)
    if not client_token or len(client_token) > 64:
        raise CommentError(_l("The form is incomplete. Please reload the page."))
    comment = new_comment(
        law=law, section=section, author=author, stance=stance, body=body, wording=wording, lang=lang,
        client_token=client_token, parent=parent,
    )  # fmt: skip
    comment_preparing.send(comment)
    return comment


def store_comment(comment: Comment, *, author: User, parent: Comment | None = None) -> PostResult:
    """Store a prepared comment once per client token and within the rate limit, and announce it."""
    # Only keyed look-ups and inserts from here on: on SQLite this runs under the write lock (app.db.start_writing).
    author_id, client_token = comment.author_id, comment.client_token
    # One user's posts one at a time, so the rate limit and the idempotency check cannot both be passed by two
    # parallel requests: PostgreSQL needs the row lock, SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(select(User.id).where(User.id == author_id).with_for_update())
    existing_id, *counts = _posted(author_id, client_token)
    if existing_id is not None:
        return PostResult(db.session.get(Comment, existing_id), created=False)
    if parent is not None:
        if parent.section_id != comment.section_id or not parent.can_reply(author):
            raise CommentError(_l("You cannot reply to this comment."), status=403)
    check_rate(counts)
    # No savepoint to catch a second insert of the same token: this author's posts are stored one at a time (the row
    # lock above, SQLite's write lock), so the look-up above has seen any comment the form already made.
    insert_new(comment, _INSERT_COMMENT)
    announce_comment(comment)
    return PostResult(comment, created=True)


# Through the driver (app.db.insert_new): a post stores its comment under SQLite's write lock.
_INSERT_COMMENT = Prepared.insert_into(Comment.__table__)


# A comment comes into being in two steps shared by the web form and the import of other channels' comments:
# new_comment builds it, the caller stores it (the form one by one, the import in batches), announce_comment
# tells the other domains.


def new_comment(
    *,
    law: Law,
    section: Section,
    author: User,
    stance: str,
    body: str,
    wording: str | None,
    lang: str | None,
    client_token: str,
    parent: Comment | None = None,
    channel: str = Channel.WEB,
    ref: str | None = None,
    received_at: datetime | None = None,
) -> Comment:
    """Build a checked comment: language detected, text rendered, pending or published by the moderation setting."""
    # The body alone: a proposed wording quotes the draft, so it would pull the guess towards the draft's language.
    detected = detect_language(body)
    premoderation = current_app.config["PREMODERATION"]
    now = utcnow()
    return Comment(
        law_id=law.id,
        section_id=section.id,
        author_id=author.id,
        parent_id=parent.id if parent else None,
        root_id=(parent.root_id or parent.id) if parent else None,
        depth=(parent.depth + 1) if parent else 0,
        stance=stance,
        body=body,
        body_html=render_comment(body),
        proposed_wording=wording,
        lang=lang if lang in LANGS else detected,
        lang_detected=detected,
        state=CommentState.PENDING if premoderation else CommentState.APPROVED,
        published_at=None if premoderation else now,
        client_token=client_token,
        channel=str(channel),
        ref=ref,
        # created_at is when the comment reached Kenes; received_at when its channel received it (the same
        # moment for the web form), so what looks at when the public spoke can read one column for every channel.
        received_at=received_at or now,
        created_at=now,
    )


def announce_comment(comment: Comment) -> None:
    """Tell the other domains about a stored comment: screening, campaign fingerprints, search, notifications."""
    comment_created.send(comment)
    if comment.state == CommentState.APPROVED:
        comment_published.send(comment)
    # An import logs one line for the whole file, not one per comment.
    level = logging.INFO if comment.channel == Channel.WEB else logging.DEBUG
    logger.log(level, "Comment %s by user %s on section %s (%s)", comment.id, comment.author_id, comment.section_id,
               comment.state)  # fmt: skip


def _keep_revision(comment: Comment) -> None:
    db.session.add(
        CommentRevision(
            comment=comment,
            stance=comment.stance,
            body=comment.body,
            proposed_wording=comment.proposed_wording,
            lang=comment.lang,
            state=comment.state,
        )
    )


def bump_version(comment: Comment) -> None:
    """Record that what the comment says changed, so decisions taken on the earlier text are refused."""
    # Incremented in SQL rather than in Python: two edits racing on PostgreSQL still get two different versions.
    comment.version = Comment.version + 1


def edit_comment(
    comment: Comment, *, user: User, body: str, stance: str, proposed_wording: str | None, lang: str | None
) -> Comment:
    """Change a pending comment, keeping what it said before."""
    if not comment.can_edit(user):
        raise CommentError(_l("This comment can no longer be changed."), status=403)
    body, wording = _validate(clean_text(body), stance, clean_text(proposed_wording), lang)
    before = (comment.body, comment.stance, comment.proposed_wording, comment.lang)
    _keep_revision(comment)
    comment.body, comment.body_html = body, render_comment(body)
    comment.stance, comment.proposed_wording = stance, wording
    comment.lang_detected = detect_language(body)
    comment.lang = lang if lang in LANGS else comment.lang_detected
    if (comment.body, comment.stance, comment.proposed_wording, comment.lang) != before:
        bump_version(comment)
    db.session.flush()
    comment_changed.send(comment)
    return comment


def set_language(comment: Comment, *, user: User, lang: str) -> Comment:
    """Let the author correct the detected language of their comment."""
    if user.id != comment.author_id:
        raise CommentError(_l("Only the author can change this."), status=403)
    if lang not in LANGS:
        raise CommentError(_l("Choose the language of the comment."))
    if comment.lang != lang:
        comment.lang = lang
        bump_version(comment)
    db.session.flush()
    comment_changed.send(comment)
    return comment


def withdraw_comment(comment: Comment, *, user: User) -> Comment:
    """Withdraw one's own comment; its text stays in the history."""
    if not comment.can_withdraw(user):
        raise CommentError(_l("This comment cannot be withdrawn."), status=403)
    _keep_revision(comment)
    comment.state = CommentState.WITHDRAWN
    db.session.flush()
    comment_changed.send(comment)
    return comment


def approve_comment(comment: Comment) -> Comment:
    """Publish a pending comment (the moderation workspace calls this and records who did it)."""
    if comment.state not in (CommentState.PENDING, CommentState.HIDDEN):
        raise CommentError(_l("This comment has already been decided."), status=409)
    was_published = comment.published_at is not None
    comment.state = CommentState.APPROVED
    comment.reviewed_at = utcnow()
    comment.published_at = comment.published_at or comment.reviewed_at
    db.session.flush()
    if not was_published:
        comment_published.send(comment)
    return comment


def reject_comment(comment: Comment, *, reason: str, note: str | None = None) -> Comment:
    """Reject a pending comment with a published reason."""
    if reason not in REJECTION_REASONS:
        raise CommentError(_l("Choose a reason from the moderation policy."))
    if comment.state != CommentState.PENDING:
        raise CommentError(_l("This comment has already been decided."), status=409)
    comment.state = CommentState.REJECTED
    comment.rejection_reason = reason
    comment.rejection_note = clean_text(note) or None
    comment.reviewed_at = utcnow()
    db.session.flush()
    comment_rejected.send(comment)
    return comment
