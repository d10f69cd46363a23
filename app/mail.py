"""Outgoing mail: printed to the log in development, kept in memory in tests, SMTP in production."""

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app

logger = logging.getLogger(__name__)


@dataclass
class Message:
    to: str
    subject: str
    body: str


def init_app(app: Flask) -> None:
    """Give the app an outbox list that the memory backend fills (tests read it)."""
    app.extensions["mail_outbox"] = []


def outbox() -> list[Message]:
    """Return the messages sent through the memory backend."""
    return current_app.extensions["mail_outbox"]


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message through the configured backend; failures are logged, not raised."""
    backend = current_app.config["MAIL_BACKEND"]
    message = Message(to=to, subject=subject, body=body)
    if backend == "memory":
        outbox().append(message)
        return
    if backend == "console":
        logger.info("Mail to %s: %s\n%s", to, subject, body)
        return
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = to
    email["Subject"] = subject
    email.set_content(body)
    try:
        with smtplib.SMTP(current_app.config["MAIL_SERVER"], current_app.config["MAIL_PORT"], timeout=10) as smtp:
            if current_app.config["MAIL_USE_TLS"]:
                smtp.starttls()
            if current_app.config["MAIL_USERNAME"]:
                smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"])
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException):
        # The action that triggered the mail (a registration, say) is already committed; the user can ask again.
        logger.exception("Could not send mail to %s", to)
