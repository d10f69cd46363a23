"""Logging in and out, the shared throttle, `next` redirects and server-side session invalidation."""

from datetime import timedelta

import pytest

from app.auth import services
from app.auth.login import login_locked_until
from app.auth.models import LoginAttempt, User
from app.db import utcnow
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD


def test_login_page_renders(client):
    response = client.get("/en/auth/login")
    assert response.status_code == 200
    assert 'for="email"' in response.get_data(as_text=True)


def test_login_and_logout(client, create_user, auth):
    user = create_user()
    response = auth.login(user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"
    assert client.get("/en/auth/account").status_code == 200
    db.session.refresh(user)
    assert user.last_login_at is not None

    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/en/auth/account").status_code == 302


def test_login_ignores_email_case(client, create_user, auth):
    user = create_user(email="case@example.kz")
    assert auth.login("  CASE@Example.KZ ").status_code == 302
    assert client.get("/en/auth/account").status_code == 200
    assert user.email == "case@example.kz"


def test_logout_requires_post(client, create_user, auth):
    auth.login(create_user())
    assert client.get("/en/auth/logout").status_code == 405
    assert client.get("/en/auth/account").status_code == 200


@pytest.mark.parametrize("email", ["user1@example.kz", "nobody@example.kz"])
def test_wrong_credentials_give_one_message(client, create_user, auth, email):
    create_user(email="user1@example.kz")
    response = auth.login(email, "wrong password here")
    assert response.status_code == 200
    assert "The e-mail address or the password is wrong." in response.get_data(as_text=True)
    assert client.get("/en/auth/account").status_code == 302
    attempt = db.session.execute(db.select(LoginAttempt)).scalar_one()
    assert (attempt.email, attempt.succeeded) == (email, False)


def test_unconfirmed_user_can_log_in_and_is_told_to_confirm(client, create_user, auth):
    user = create_user(confirmed=False)
    response = auth.login(user)
    assert response.status_code == 302
    html = client.get("/en/auth/account").get_data(as_text=True)
    assert "Your e-mail address is not confirmed yet." in html
    assert 'href="/en/auth/confirm"' in html


def test_five_failures_lock_the_address_for_fifteen_minutes(client, create_user, auth):
    user = create_user()
    for _ in range(5):
        assert auth.login(user, "wrong password here").status_code == 200
    response = auth.login(user)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert "15 minutes" in response.get_data(as_text=True)
    assert client.get("/en/auth/account").status_code == 302
    # Refused attempts are not recorded, so hammering does not extend the lock.
    assert db.session.execute(db.select(db.func.count(LoginAttempt.id))).scalar() == 5


def test_the_lock_is_per_email(client, create_user, auth):
    victim, other = create_user(), create_user()
    for _ in range(5):
        auth.login(victim, "wrong password here")
    assert auth.login(victim).status_code == 429
    assert auth.login(other).status_code == 302


def test_unknown_addresses_are_throttled_too(client, auth):
    for _ in range(5):
        auth.login("nobody@example.kz", "wrong password here")
    assert auth.login("nobody@example.kz", "wrong password here").status_code == 429


def _add_attempts(email, minutes_ago, succeeded=False):
    now = utcnow()
    for minute in minutes_ago:
        db.session.add(LoginAttempt(email=email, created_at=now - timedelta(minutes=minute), succeeded=succeeded))
    db.session.commit()


def test_the_lock_ends_after_fifteen_minutes(client, create_user, auth):
    user = create_user()
    _add_attempts(user.email, [20, 19, 18, 17, 16])
    assert login_locked_until(user.email) is None
    assert auth.login(user).status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(app, create_user):
    user = create_user()
    _add_attempts(user.email, [29, 20, 10, 5, 1])
    assert login_locked_until(user.email) is None


def test_a_success_resets_the_count(app, create_user):
    user = create_user()
    _add_attempts(user.email, [10, 9, 8, 7])
    _add_attempts(user.email, [6], succeeded=True)
    _add_attempts(user.email, [5, 4, 3, 2])
    assert login_locked_until(user.email) is None
    _add_attempts(user.email, [1])
    locked_until = login_locked_until(user.email)
    assert locked_until is not None
    assert timedelta(minutes=13) < locked_until - utcnow() <= timedelta(minutes=15)


def test_old_attempts_are_pruned(client, create_user, auth):
    user = create_user()
    _add_attempts(user.email, [60 * 25])
    auth.login(user)
    attempts = db.session.execute(db.select(LoginAttempt)).scalars().all()
    assert [attempt.succeeded for attempt in attempts] == [True]


def test_login_rehashes_a_weaker_hash(client, app, create_user, auth):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(DEFAULT_PASSWORD)
    user = create_user(password_hash=weak)
    assert auth.login(user).status_code == 302
    db.session.refresh(user)
    assert user.password_hash != weak
    assert "m=1024" in user.password_hash


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/en/laws/", "/en/laws/"),
        ("/ru/auth/account?tab=1", "/ru/auth/account?tab=1"),
        ("//evil.com", "/en/"),
        ("https://evil.com", "/en/"),
        ("/\\evil.com", "/en/"),
        ("/\t/evil.com", "/en/"),
        ("javascript:alert(1)", "/en/"),
        ("evil.com", "/en/"),
    ],
)
def test_next_only_allows_local_paths(client, create_user, next_url, expected):
    user = create_user()
    response = client.post(
        "/en/auth/login", query_string={"next": next_url}, data={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login_with_next_and_comes_back(client, create_user):
    user = create_user()
    response = client.get("/en/auth/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/en/auth/login?next=")
    response = client.post(response.headers["Location"], data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/en/auth/account"


def test_logout_invalidates_a_copied_session_cookie(app, client, create_user, auth):
    user = create_user()
    auth.login(user)
    stolen = client.get_cookie("session").value

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/en/auth/account").status_code == 200

    old_token = user.session_token
    auth.logout()
    db.session.refresh(user)
    assert user.session_token != old_token

    thief.set_cookie("session", stolen)
    response = thief.get("/en/auth/account")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_remember_cookie_dies_with_logout_elsewhere(app, client, create_user):
    user = create_user()
    client.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token")
    assert remember is not None

    other = app.test_client()
    other.set_cookie("remember_token", remember.value)
    assert other.get("/en/auth/account").status_code == 200

    client.post("/en/auth/logout")
    later = app.test_client()
    later.set_cookie("remember_token", remember.value)
    assert later.get("/en/auth/account").status_code == 302


def test_logged_in_user_visiting_login_goes_home(client, create_user, auth):
    auth.login(create_user())
    response = client.get("/en/auth/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"


def test_anonymous_logout_is_harmless(client):
    assert client.post("/en/auth/logout").status_code == 302


def test_emails_are_stored_lower_case(app):
    user = services.create_user("Mixed.Case@Example.KZ", "Mixed", "tulip meadow 42 river")
    db.session.commit()
    assert db.session.get(User, user.id).email == "mixed.case@example.kz"


def test_the_password_is_hashed_before_the_write_lock(client, create_user, auth, monkeypatch):
    """On SQLite one writer at a time: ~50 ms of argon2 under its write lock held every post of the site back."""
    from app.auth import login as login_module
    from app.db import WRITER_INFO

    writing_while_hashing = []
    real_verify = login_module.verify_password

    def verify(password_hash, password):
        writing_while_hashing.append(bool(db.session.connection().info.get(WRITER_INFO)))
        return real_verify(password_hash, password)

    monkeypatch.setattr(login_module, "verify_password", verify)
    email = create_user().email
    for password, status in (("wrong password here", 200), (DEFAULT_PASSWORD, 302)):
        db.session.remove()  # each request begins its own transaction, as on a server
        assert auth.login(email, password).status_code == status
    assert writing_while_hashing == [False, False]
    # Both attempts were still recorded, under the lock.
    assert [a.succeeded for a in db.session.scalars(db.select(LoginAttempt).order_by(LoginAttempt.id))] == [False, True]


def test_a_lock_set_while_the_password_was_hashed_still_refuses(app, create_user):
    """The locks are read again under the write lock: guesses recorded meanwhile by other requests count."""
    from app.auth.login import record_login, verify_login

    user = create_user()
    checked = verify_login(user.email, DEFAULT_PASSWORD)
    assert checked.valid
    _add_attempts(user.email, [1, 1, 1, 1, 1])  # five failures from the same client land before this one is recorded
    with pytest.raises(services.LoginThrottledError):
        record_login(checked)
    db.session.rollback()


def test_a_password_changed_while_a_login_hashed_the_old_one_does_not_log_in(app, create_user):
    """The hashing runs before the write lock: a reset committed meanwhile must win, and its new hash must stay."""
    from app.auth.login import record_login, verify_login
    from app.auth.passwords import verify_password
    from app.auth.services import set_password

    user = create_user()
    checked = verify_login(user.email, DEFAULT_PASSWORD)
    assert checked.valid
    set_password(user, "a brand new passphrase 2026")  # the owner resets it, and that commits first
    db.session.commit()
    with pytest.raises(services.AuthError):
        record_login(checked)
    db.session.commit()
    db.session.refresh(user)
    assert verify_password(user.password_hash, "a brand new passphrase 2026")
    assert user.last_login_at is None
    attempts = db.session.scalars(db.select(LoginAttempt.succeeded)).all()
    assert attempts == [False]
