"""Outgoing mail: printed to the log in development, kept in memory in tests, SMTP in production.

`send_mail` sends at once. `queue_mail` holds the message until the database transaction commits, so a
rolled-back action e-mails nobody; a rolled-back savepoint drops only the mail queued inside it.
Links in mail come from `external_url`, which starts them with BASE_URL, never with the request's Host header.
"""

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

logger = logging.getLogger(__name__)

OUTBOX_KEY = "kenes_outbox"


@dataclass
class Message:
    to: str
    subject: str
    body: str


@dataclass
class _Queued:
    message: Message
    # The innermost transaction open when the message was queued (None: none yet, the next one decides).
    transaction: SessionTransaction | None


def init_app(app: Flask) -> None:
    """Give the app an outbox list that the memory backend fills (tests read it); send queued mail on commit."""
    app.extensions["mail_outbox"] = []
    # db.session is one scoped session per process: listen once, however many apps are created.
    for name, listener in (
        ("after_commit", _send_queued),
        ("after_soft_rollback", _drop_rolled_back),
        ("after_transaction_end", _drop_unsent),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def external_url(endpoint: str, **values) -> str:
    """Return the absolute address of a page for an e-mail, starting with BASE_URL; works outside a request."""
    # Whoever asks for a reset link chooses the Host header; bound to BASE_URL, the link goes to our site.
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def outbox() -> list[Message]:
    """Return the messages sent through the memory backend."""
    return current_app.extensions["mail_outbox"]


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message through the configured backend; failures are logged, not raised."""
    _deliver([Message(to=to, subject=subject, body=body)])


def queue_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message once the current database transaction commits; drop it if it rolls back."""
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(OUTBOX_KEY, []).append(_Queued(Message(to=to, subject=subject, body=body), transaction))


def _send_queued(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint was released: the outer transaction can still roll back.
        return
    queued = session.info.pop(OUTBOX_KEY, None)
    if not queued:
        return
    try:
        _deliver([item.message for item in queued])
    except Exception:
        # The data is committed; an error here must not turn the user's successful action into an error page.
        logger.exception("Could not send %d queued messages", len(queued))


def _is_within(transaction: SessionTransaction | None, boundary: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is boundary:
            return True
        transaction = transaction.parent
    return False


def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    queued = session.info.get(OUTBOX_KEY)
    if not queued:
        return
    # What is really rolled back is the nearest savepoint or the whole transaction.
    boundary = previous_transaction
    while boundary.parent is not None and not boundary.nested:
        boundary = boundary.parent
    if boundary.parent is None:
        session.info.pop(OUTBOX_KEY, None)
    else:
        session.info[OUTBOX_KEY] = [item for item in queued if not _is_within(item.transaction, boundary)]


def _drop_unsent(session: Session, transaction: SessionTransaction) -> None:
    # A transaction that ends without a commit (session closed or removed) sends nothing.
    if transaction.parent is None:
        session.info.pop(OUTBOX_KEY, None)


def _email(message: Message) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email


def _deliver(messages: list[Message]) -> None:
    """Send messages through the configured backend, over one SMTP connection; failures are logged, not raised."""
    # RFC 2606 reserves .invalid for addresses that must never receive mail: imported authors have them.
    undeliverable = [message for message in messages if message.to.lower().endswith(".invalid")]
    if undeliverable:
        logger.warning("Not sending %d message(s) to .invalid addresses", len(undeliverable))
        messages = [message for message in messages if message not in undeliverable]
        if not messages:
            return
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().extend(messages)
        return
    if backend == "console":
        for message in messages:
            logger.info("Mail to %s: %s\n%s", message.to, message.subject, message.body)
        return
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            for message in messages:
                try:
                    smtp.send_message(_email(message))
                except smtplib.SMTPRecipientsRefused:
                    # One bad address must not stop the mail to everyone else.
                    logger.exception("Could not send mail to %s", message.to)
    except (OSError, smtplib.SMTPException):
        # The action that triggered the mail (a registration, say) is already committed; the user can ask again.
        logger.exception("Could not send mail to %s", ", ".join(message.to for message in messages[:10]))
