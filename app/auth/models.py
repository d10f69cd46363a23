"""User accounts and roles."""

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.organisations.models import Agency, Committee


class Role(StrEnum):
    CITIZEN = "citizen"
    EDITOR = "editor"
    MODERATOR = "moderator"
    MP = "mp"
    ADMIN = "admin"


ROLE_VALUES = tuple(role.value for role in Role)


def new_session_token() -> str:
    """Return a fresh random token; rotating it logs out every session of the user."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLE_VALUES!r}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.CITIZEN.value)
    locale: Mapped[str] = mapped_column(String(2), default="kk")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A suspended account can read but not comment, vote, flag or appeal; its pending comments stay queued.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    # An author of comments imported from another channel (a letter, a hearing): no password, never signs in,
    # never mailed. One per name and draft.
    external: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Two-factor sign-in (TOTP, RFC 6238). The secret is a credential: never logged, shown or exported.
    # It is written at the password step and counts only once a code from the app confirmed it.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The newest 30-second time step whose code was accepted: a code is good once, not for its whole window.
    totp_last_step: Mapped[int | None] = mapped_column()
    # Wrong second-factor codes since the last right one; counted here so every worker process sees them.
    totp_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    totp_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency | None] = relationship()
    committee: Mapped[Committee | None] = relationship()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"

    def get_id(self) -> str:
        # Flask-Login keeps this in the session cookie; a rotated token invalidates old cookies.
        return self.session_token

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def has_role(self, *roles: str) -> bool:
        """Return True if the user may act in one of the roles; admins hold them all, suspended accounts none."""
        # The one place a role is granted: every view decorator, service and template asks here, so a
        # suspension takes a staff member's powers away everywhere at once. `role` itself is left as it was.
        if self.is_suspended:
            return False
        return self.role == Role.ADMIN or self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None


class LoginAttempt(db.Model):
    """One try to log in; the throttle counts recent failures per e-mail and per client across all workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_created_at", "email", "created_at"),
        Index("ix_login_attempts_ip_created_at", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address as typed (normalised), not a foreign key: attempts on unknown addresses are throttled too.
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        outcome = "ok" if self.succeeded else "failed"
        return f"<LoginAttempt {self.email} {outcome} {self.created_at}>"


class ThrottleEvent(db.Model):
    """One throttled action (a reset mail asked for, a wrong current password...), counted per scope and key."""

    __tablename__ = "throttle_events"
    __table_args__ = (Index("ix_throttle_events_scope_key_created_at", "scope", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What is limited ("mail-to", "mail-from", "password-change") and for whom: an address, a client, a user id.
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<ThrottleEvent {self.scope} {self.key} {self.created_at}>"


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app; only its SHA-256 is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # 80 random bits per code, so a plain SHA-256 cannot be reversed by trying every code.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        state = "used" if self.used_at else "unused"
        return f"<RecoveryCode {self.id} user={self.user_id} {state}>"
