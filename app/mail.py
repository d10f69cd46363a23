"""Outgoing mail: printed to the log in development, kept in memory in tests, SMTP in production.

`queue_mail` writes the message to the outbox table (app/outbox.py) in the current transaction, so a rolled-back
action (or savepoint) e-mails nobody, and an SMTP outage delays the mail without losing it. After the commit the
rows are sent: by an RQ worker where REDIS_URL is set (app/jobs.py), else (or when Redis is down) right here.
`send_mail` sends at once, outside the outbox.
Links in mail come from `external_url`, which starts them with BASE_URL, never with the request's Host header.
"""

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, SessionTransaction

from app import jobs
from app.extensions import db
from app.outbox import OutboxMail
from app.outbox import add as add_to_outbox

logger = logging.getLogger(__name__)

OUTBOX_KEY = "kenes_outbox"


@dataclass
class Message:
    to: str
    subject: str
    body: str


@dataclass
class Failure:
    error: str
    # The server refused this message (an address it does not take); else an outage, retried however long it lasts.
    permanent: bool = False


@dataclass
class _Queued:
    row: OutboxMail
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
    """Write a plain-text message to the outbox in the current transaction; it is sent once that commits."""
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    row = add_to_outbox(to, subject, body)
    session.info.setdefault(OUTBOX_KEY, []).append(_Queued(row, transaction))


def _send_queued(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint was released: the outer transaction can still roll back.
        return
    queued = session.info.pop(OUTBOX_KEY, None)
    # The committed rows' ids, read from their identity (no SQL: the session is between transactions here).
    ids = [key[1][0] for key in (inspect(item.row).key for item in queued or ()) if key is not None]
    if not ids:
        return
    try:
        jobs.enqueue("app.outbox.send_job", ids, queue=jobs.MAIL_QUEUE, description=f"mail {ids[0]}..{ids[-1]}")
    except Exception:
        # The data and the outbox rows are committed: the mail goes later; the user's action must not fail now.
        logger.exception("Could not send %d queued messages", len(ids))


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


def _deliver(messages: list[Message]) -> dict[int, Failure]:
    """Send messages through the configured backend, over one SMTP connection; return the failures by index."""
    backend = current_app.config["MAIL_BACKEND"]
    failures: dict[int, Failure] = {}
    # RFC 2606 reserves .invalid for addresses that must never receive mail: imported authors have them.
    undeliverable = {index for index, message in enumerate(messages) if message.to.lower().endswith(".invalid")}
    if undeliverable:
        logger.warning("Not sending %d message(s) to .invalid addresses", len(undeliverable))
    todo = [(index, message) for index, message in enumerate(messages) if index not in undeliverable]
    if not todo:
        return failures
    if backend == "memory":
        outbox().extend(message for _, message in todo)
        return failures
    if backend == "console":
        for _, message in todo:
            logger.info("Mail to %s: %s\n%s", message.to, message.subject, message.body)
        return failures
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            for index, message in todo:
                try:
                    smtp.send_message(_email(message))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                    # One bad address must not stop the mail to everyone else.
                    logger.exception("Could not send mail to %s", message.to)
                    failures[index] = Failure(f"{type(error).__name__}: {error}", permanent=_refused(error))
    except (OSError, smtplib.SMTPException) as error:
        # The server is unreachable or broke off: whatever it did not take is kept and tried again.
        logger.exception("Could not send mail to %s", ", ".join(message.to for _, message in todo[:10]))
        for index, _ in todo:
            failures.setdefault(index, Failure(f"{type(error).__name__}: {error}"))
    return failures


def _refused(error: smtplib.SMTPException) -> bool:
    # 5xx is the server's final word on this message; 4xx (mailbox busy, greylisting) may pass later.
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
    else:
        codes = [getattr(error, "smtp_code", 0)]
    return bool(codes) and all(500 <= code < 600 for code in codes)
