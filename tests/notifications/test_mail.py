"""Queued mail leaves only after the transaction commits."""

from sqlalchemy import select

from app import create_app, mail
from app.auth.models import User
from app.extensions import db
from app.mail import outbox, queue_mail, send_mail
from config import TestConfig


def recipients() -> list[str]:
    return [message.to for message in outbox()]


def test_queued_mail_waits_for_the_commit(app, create_user):
    user = create_user()
    user.display_name = "Changed"
    queue_mail("a@example.kz", "Subject", "Body")
    assert outbox() == []
    db.session.commit()
    assert recipients() == ["a@example.kz"]
    db.session.commit()  # a later commit does not send it again
    assert recipients() == ["a@example.kz"]


def test_rolled_back_mail_is_never_sent(app):
    db.session.execute(select(User.id))
    queue_mail("a@example.kz", "Subject", "Body")
    db.session.rollback()
    db.session.commit()
    assert outbox() == []


def test_mail_queued_before_any_query_belongs_to_the_next_transaction(app):
    queue_mail("a@example.kz", "Subject", "Body")
    db.session.execute(select(User.id))
    db.session.commit()
    assert recipients() == ["a@example.kz"]


def test_closing_the_session_drops_the_queue(app):
    db.session.execute(select(User.id))
    queue_mail("a@example.kz", "Subject", "Body")
    db.session.close()
    db.session.commit()
    assert outbox() == []


def test_a_rolled_back_savepoint_drops_only_its_own_mail(app):
    db.session.execute(select(User.id))
    queue_mail("outer@example.kz", "Subject", "Body")
    savepoint = db.session.begin_nested()
    queue_mail("inner@example.kz", "Subject", "Body")
    savepoint.rollback()
    with db.session.begin_nested():
        queue_mail("kept@example.kz", "Subject", "Body")
    assert outbox() == []  # releasing a savepoint is not a commit
    db.session.commit()
    assert recipients() == ["outer@example.kz", "kept@example.kz"]


def test_a_released_savepoint_is_rolled_back_with_its_transaction(app):
    db.session.execute(select(User.id))
    with db.session.begin_nested():
        queue_mail("inner@example.kz", "Subject", "Body")
    db.session.rollback()
    db.session.commit()
    assert outbox() == []


def test_send_mail_still_sends_at_once(app):
    db.session.execute(select(User.id))
    send_mail("a@example.kz", "Subject", "Body")
    assert recipients() == ["a@example.kz"]
    db.session.rollback()
    assert recipients() == ["a@example.kz"]


def test_a_failing_backend_does_not_break_the_commit(app, caplog, monkeypatch):
    def broken(messages):
        raise RuntimeError("backend down")

    monkeypatch.setattr(mail, "_deliver", broken)
    db.session.execute(select(User.id))
    queue_mail("a@example.kz", "Subject", "Body")
    db.session.commit()
    assert "Could not send 1 queued messages" in caplog.text


def test_listeners_are_registered_once_per_process(app, app_config):
    create_app(type("Config", (TestConfig,), app_config))  # a second app in the same process
    db.session.execute(select(User.id))
    queue_mail("a@example.kz", "Subject", "Body")
    db.session.commit()
    assert recipients() == ["a@example.kz"]
