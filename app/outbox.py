"""The mail outbox: a row per e-mail, written in the transaction of the action that causes it, sent after commit.

An SMTP outage delays mail and loses none: a row leaves the outbox only once the backend took the message.
A sender first claims the rows it will send (one UPDATE that moves their next_attempt_at a lease ahead, only if
they are still unsent and due), so two senders, here or on two RQ workers, never send one mail twice; one killed
mid-send leaves its rows to be claimed again when the lease runs out. A failed send is retried with exponential
backoff (MAIL_RETRY_SECONDS doubling up to MAIL_RETRY_MAX_SECONDS); an address the server refuses is given up
after MAIL_MAX_ATTEMPTS, an outage never.
"""

import logging
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Index, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.caching import PAGES_UNCHANGED
from app.db import UTCDateTime, utcnow, write_transaction
from app.extensions import db

logger = logging.getLogger(__name__)

BATCH = 100  # rows claimed at once: one SMTP connection sends them
ERROR_CHARS = 2000


class OutboxMail(db.Model):
    """One e-mail: unsent while sent_at is empty; next_attempt_at empty means given up (a refused address)."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} to {self.to} {'sent' if self.sent_at else f'attempts={self.attempts}'}>"


def add(to: str, subject: str, body: str) -> OutboxMail:
    """Add a mail to the caller's transaction; it commits or rolls back with it. Never flushes or commits."""
    row = OutboxMail(to=to, subject=subject[:500], body=body, attempts=0, next_attempt_at=utcnow())
    db.session.add(row)
    return row


def backoff(attempts: int) -> timedelta:
    """Return how long to wait before the next try after `attempts` failed ones."""
    config = current_app.config
    seconds = config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def claim(ids: list[int] | None = None, limit: int = BATCH) -> list[int]:
    """Claim unsent, due rows (among `ids` if given) for this sender, in a transaction of its own; return their ids."""
    now = utcnow()
    table = OutboxMail.__table__
    due = (OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at <= now)
    candidates = select(OutboxMail.id).where(*due).order_by(OutboxMail.id).limit(limit)
    if ids is not None:
        candidates = candidates.where(OutboxMail.id.in_(ids))
    # PostgreSQL: a second sender skips rows the first is claiming; both dialects: the repeated WHERE re-checks
    # each row after any wait, so a row claimed meanwhile is not claimed twice.
    candidates = candidates.with_for_update(skip_locked=True)
    lease = timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    statement = (
        update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()), *due)
        .values(next_attempt_at=now + lease, attempts=table.c.attempts + 1)
        .returning(table.c.id)
    )
    with write_transaction(), Session(db.engine, info={PAGES_UNCHANGED: True}) as session:
        claimed = sorted(session.scalars(statement).all())
        session.commit()
    return claimed


def send(ids: list[int] | None = None, limit: int = BATCH) -> int:
    """Claim due mail (these rows, or any) and send it over one connection; record each result; return how many left."""
    from app import mail  # mail imports this module; looked up at call time so tests can replace the backend

    claimed = claim(ids, limit)
    if not claimed:
        return 0
    with Session(db.engine, info={PAGES_UNCHANGED: True}) as session:
        rows = session.scalars(select(OutboxMail).where(OutboxMail.id.in_(claimed)).order_by(OutboxMail.id)).all()
        attempts = {row.id: row.attempts for row in rows}
        messages = [mail.Message(to=row.to, subject=row.subject, body=row.body) for row in rows]
        row_ids = [row.id for row in rows]
    # An exception here leaves the rows claimed: they are tried again once the lease runs out.
    failures = mail._deliver(messages)
    now = utcnow()
    table = OutboxMail.__table__
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    with write_transaction(), Session(db.engine, info={PAGES_UNCHANGED: True}) as session:
        sent = [row_id for index, row_id in enumerate(row_ids) if index not in failures]
        if sent:
            session.execute(update(table).where(table.c.id.in_(sent)).values(sent_at=now, last_error=None))
        for index, failure in failures.items():
            row_id = row_ids[index]
            given_up = failure.permanent and attempts[row_id] >= max_attempts
            retry_at = None if given_up else now + backoff(attempts[row_id])
            if given_up:
                logger.error("Giving up mail %s after %d attempts: %s", row_id, attempts[row_id], failure.error)
            session.execute(
                update(table)
                .where(table.c.id == row_id)
                .values(next_attempt_at=retry_at, last_error=failure.error[:ERROR_CHARS])
            )
        session.commit()
    if failures:
        logger.warning("%d of %d mail(s) not sent; kept in the outbox for a retry", len(failures), len(row_ids))
    return len(row_ids) - len(failures)


def send_due(limit: int = BATCH) -> int:
    """Send every due row in batches until none is left or a batch fails entirely; return how many were sent."""
    total = 0
    while True:
        claimed_before = total
        total += send(None, limit)
        if total == claimed_before:
            return total


def send_job(ids: list[int]) -> None:
    """The mail job (an RQ worker, or this process after commit): send these rows, then any backlog now due."""
    if send(ids) and pending_count(due_only=True):
        # The server took mail just now: the rows an outage left behind go too.
        send_due()


def pending_count(due_only: bool = False) -> int:
    """Count unsent rows still to be tried (all, or those due now)."""
    query = select(func.count(OutboxMail.id)).where(
        OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at.is_not(None)
    )
    if due_only:
        query = query.where(OutboxMail.next_attempt_at <= utcnow())
    with Session(db.engine, info={PAGES_UNCHANGED: True}) as session:
        return session.scalar(query)


mail_cli = AppGroup("mail", help="The mail outbox.")


@mail_cli.command("send-pending")
def send_pending_command():
    """Send every due mail of the outbox (for cron where no `flask worker` runs)."""
    sent = send_due()
    left = pending_count()
    click.echo(f"Sent {sent} mail(s); {left} waiting for a retry.")


@mail_cli.command("status")
def status_command():
    """Print how many mails wait, are due, were given up and were sent."""
    with Session(db.engine, info={PAGES_UNCHANGED: True}) as session:
        unsent = OutboxMail.sent_at.is_(None)
        given_up = session.scalar(select(func.count(OutboxMail.id)).where(unsent, OutboxMail.next_attempt_at.is_(None)))
        sent = session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_not(None)))
    click.echo(f"waiting {pending_count()}, due {pending_count(due_only=True)}, given up {given_up}, sent {sent}")
