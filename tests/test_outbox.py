"""The mail outbox: mail is written with the action, survives an SMTP outage, and leaves exactly once."""

import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import outbox as mail_outbox
from app.db import utcnow
from app.extensions import db
from app.mail import outbox, queue_mail
from app.outbox import OutboxMail

PASSWORD = "tulip meadow 42 river"


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rows() -> list[OutboxMail]:
    db.session.commit()  # a fresh snapshot: senders write through connections of their own
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


@pytest.fixture
def smtp_down(app):
    """An SMTP server that refuses every connection; retries are due at once, so a test need not wait."""
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_RETRY_SECONDS=0)


def test_registrations_during_an_smtp_outage_get_their_links_once_it_ends(app, client, runner, smtp_down):
    for n in range(3):
        response = client.post(
            "/en/auth/register",
            data={"email": f"new{n}@example.kz", "display_name": f"New {n}", "password": PASSWORD, "confirm": PASSWORD},
        )
        assert response.status_code == 302  # the site answers as usual: the outage is not the visitor's problem
    kept = rows()
    assert [row.to for row in kept] == ["new0@example.kz", "new1@example.kz", "new2@example.kz"]
    assert all(row.sent_at is None and row.attempts == 1 and "Connection" in row.last_error for row in kept)

    app.config["MAIL_BACKEND"] = "memory"  # the server is back
    result = runner.invoke(args=["mail", "send-pending"])
    assert "Sent 3 mail(s); 0 waiting for a retry." in result.output
    assert sorted(message.to for message in outbox()) == ["new0@example.kz", "new1@example.kz", "new2@example.kz"]
    assert all(row.sent_at is not None for row in rows())
    link = next(word for word in outbox()[0].body.split() if "/auth/confirm/" in word)
    assert client.get(link.removeprefix("http://localhost")).status_code == 200

    assert runner.invoke(args=["mail", "send-pending"]).output.startswith("Sent 0 mail(s)")
    assert len(outbox()) == 3  # nothing twice


def test_retries_back_off_exponentially_up_to_the_cap(app):
    app.config.update(MAIL_RETRY_SECONDS=60, MAIL_RETRY_MAX_SECONDS=3600)
    waits = [mail_outbox.backoff(attempts).total_seconds() for attempts in range(1, 9)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_failed_send_waits_for_its_backoff_before_the_next_try(app, smtp_down):
    app.config["MAIL_RETRY_SECONDS"] = 60
    queue_mail("a@example.kz", "Subject", "Body")
    db.session.commit()
    (row,) = rows()
    assert row.sent_at is None and timedelta(seconds=50) < row.next_attempt_at - utcnow() <= timedelta(seconds=60)
    app.config["MAIL_BACKEND"] = "memory"
    assert mail_outbox.send_due() == 0  # not due yet
    row.next_attempt_at = utcnow()
    db.session.commit()
    assert mail_outbox.send_due() == 1
    assert [message.to for message in outbox()] == ["a@example.kz"]


def test_rolled_back_actions_leave_no_row(app, create_user):
    user = create_user()
    queue_mail("gone@example.kz", "Subject", "Body")
    db.session.rollback()
    queue_mail("outer@example.kz", "Subject", "Body")
    savepoint = db.session.begin_nested()
    queue_mail("inner@example.kz", "Subject", "Body")
    savepoint.rollback()
    user.display_name = "Changed"
    db.session.commit()
    assert [row.to for row in rows()] == ["outer@example.kz"]
    assert [message.to for message in outbox()] == ["outer@example.kz"]


def test_a_sender_killed_mid_send_leaves_its_mail_to_the_next_once_the_claim_lapses(app):
    db.session.add(OutboxMail(to="a@example.kz", subject="Subject", body="Body"))
    db.session.commit()
    assert mail_outbox.claim() != []  # this sender dies here, before sending
    assert mail_outbox.send_due() == 0  # claimed: nobody else takes it meanwhile
    (row,) = rows()
    row.next_attempt_at = utcnow() - timedelta(seconds=1)  # MAIL_CLAIM_SECONDS later
    db.session.commit()
    assert mail_outbox.send_due() == 1
    assert [message.to for message in outbox()] == ["a@example.kz"]
    assert rows()[0].attempts == 2


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_senders_at_once_send_each_mail_once(request, app_config, database):
    if database == "postgresql":
        app_config["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("pg_database_url")
    app = request.getfixturevalue("app")
    db.session.add_all(OutboxMail(to=f"user{n}@example.kz", subject="Subject", body="Body") for n in range(200))
    db.session.commit()
    start = threading.Barrier(2)
    sent = []

    def sender():
        with app.app_context():
            start.wait()
            while count := mail_outbox.send(limit=7):
                sent.append(count)
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    recipients = [message.to for message in outbox()]
    assert len(recipients) == 200 and len(set(recipients)) == 200
    assert sum(sent) == 200
    assert db.session.scalar(select(func.count()).where(OutboxMail.sent_at.is_(None))) == 0
