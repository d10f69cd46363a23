"""Two-factor sign-in for staff: set-up, codes at login, recovery codes, throttle, staff session limits."""

import logging
import re
from datetime import timedelta

import pyotp
import pytest

from app.auth.models import RecoveryCode, User
from app.db import utcnow
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD

MODERATION = "/en/moderation/pending"
SECRET_RE = re.compile(r'<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY_RE = re.compile(r"<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code></li>")


@pytest.fixture
def app_config(app_config):
    app_config["TWO_FACTOR_ROLES"] = ("editor", "moderator", "mp", "admin")
    return app_config


class Clock:
    """The time app.db.utcnow() reports to the two-factor code, moved by hand."""

    def __init__(self):
        self.now = utcnow()

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("app.db.utcnow", lambda: fake.now)
    return fake


def password_step(client, user, next_url=None, remember=False):
    url = "/en/auth/login" + (f"?next={next_url}" if next_url else "")
    data = {"email": user.email, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    return client.post(url, data=data)


def code_at(secret: str, clock: Clock) -> str:
    return pyotp.TOTP(secret).at(clock.now)


def wrong_code(secret: str, clock: Clock) -> str:
    totp = pyotp.TOTP(secret)
    valid = {totp.at(clock.now + timedelta(seconds=offset)) for offset in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def set_up(client, user, clock) -> tuple[str, list[str]]:
    """Log in with the password, scan the secret off the set-up page, confirm it; return it and the codes."""
    response = password_step(client, user)
    assert response.headers["Location"] == "/en/auth/two-factor/setup"
    secret = SECRET_RE.search(client.get("/en/auth/two-factor/setup").get_data(as_text=True)).group(1)
    secret = secret.replace(" ", "")
    response = client.post("/en/auth/two-factor/setup", data={"code": code_at(secret, clock)})
    assert response.status_code == 200
    codes = RECOVERY_RE.findall(response.get_data(as_text=True))
    return secret, codes


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


@pytest.fixture
def enrolled(app, moderator, clock):
    """A moderator who has set up two-factor sign-in and logged out again: (user, secret, recovery codes)."""
    other = app.test_client()
    secret, codes = set_up(other, moderator, clock)
    clock.advance(seconds=30)  # the next code, not the one used at set-up
    return moderator, secret, codes


def logged_in(client) -> bool:
    return client.get("/en/auth/account").status_code == 200


def test_password_alone_does_not_log_staff_in(client, moderator, clock):
    response = password_step(client, moderator)
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/auth/two-factor/setup"
    response = client.get(MODERATION)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/en/auth/login")


def test_set_up_with_a_code_from_the_app(client, moderator, clock):
    password_step(client, moderator, remember=True)
    page = client.get("/en/auth/two-factor/setup")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert 'src="/en/auth/two-factor/qr.svg"' in html
    assert " style=" not in html and "<script>" not in html
    secret = SECRET_RE.search(html).group(1).replace(" ", "")

    qr = client.get("/en/auth/two-factor/qr.svg")
    assert qr.status_code == 200
    assert qr.mimetype == "image/svg+xml"
    assert qr.get_data(as_text=True).startswith('<svg xmlns="http://www.w3.org/2000/svg"')

    response = client.post("/en/auth/two-factor/setup", data={"code": wrong_code(secret, clock)})
    assert "The code is wrong." in response.get_data(as_text=True)
    assert client.get(MODERATION).status_code == 302

    response = client.post("/en/auth/two-factor/setup", data={"code": code_at(secret, clock)})
    codes = RECOVERY_RE.findall(response.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert client.get(MODERATION).status_code == 200
    # Staff never get a remember-me cookie, even when they ticked the box.
    assert client.get_cookie("remember_token") is None
    assert "10 unused recovery codes" in client.get("/en/auth/account").get_data(as_text=True)
    stored = db.session.execute(db.select(RecoveryCode.code_hash)).scalars().all()
    plain = {code.replace("-", "") for code in codes} | set(codes)
    assert len(stored) == 10 and not set(stored) & plain
    # The QR code is for the set-up only.
    assert client.get("/en/auth/two-factor/qr.svg").status_code == 404


def test_the_qr_code_names_kenes_and_the_account(app, moderator):
    from app.auth.two_factor.services import provisioning_uri

    moderator.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    uri = provisioning_uri(moderator)
    assert uri.startswith("otpauth://totp/Kenes:user1%40example.kz?")
    assert "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri and "issuer=Kenes" in uri


def test_an_abandoned_set_up_gets_a_new_secret(client, moderator, clock):
    password_step(client, moderator)
    first = db.session.scalar(db.select(User.totp_secret).filter_by(id=moderator.id))
    password_step(client, moderator)
    second = db.session.scalar(db.select(User.totp_secret).filter_by(id=moderator.id))
    assert first and second and first != second
    # A code for the secret someone saw earlier no longer turns two-factor sign-in on.
    response = client.post("/en/auth/two-factor/setup", data={"code": code_at(first, clock)})
    assert "The code is wrong." in response.get_data(as_text=True)


def test_staff_log_in_with_password_then_code(client, enrolled, clock):
    user, secret, _codes = enrolled
    response = password_step(client, user, next_url="/en/moderation/pending")
    assert response.headers["Location"] == "/en/auth/two-factor"
    assert client.get(MODERATION).status_code == 302
    response = client.post("/en/auth/two-factor", data={"code": code_at(secret, clock)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/moderation/pending"
    assert client.get(MODERATION).status_code == 200


def test_recovery_code_works_once(app, client, enrolled, clock):
    user, _secret, codes = enrolled
    password_step(client, user)
    response = client.post("/en/auth/two-factor", data={"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert "You have 9 recovery codes left." in client.get("/en/").get_data(as_text=True)
    assert client.get(MODERATION).status_code == 200

    other = app.test_client()
    password_step(other, user)
    response = other.post("/en/auth/two-factor", data={"code": codes[0]})
    assert "The code is wrong." in response.get_data(as_text=True)
    assert other.get(MODERATION).status_code == 302


def test_replayed_code_is_refused(app, client, enrolled, clock):
    user, secret, _codes = enrolled
    code = code_at(secret, clock)
    password_step(client, user)
    assert client.post("/en/auth/two-factor", data={"code": code}).status_code == 302

    # Someone who saw the code typed tries it from another browser within the same 30 seconds.
    clock.advance(seconds=10)
    other = app.test_client()
    password_step(other, user)
    response = other.post("/en/auth/two-factor", data={"code": code})
    assert "This code has already been used." in response.get_data(as_text=True)
    assert other.get(MODERATION).status_code == 302

    clock.advance(seconds=30)
    assert other.post("/en/auth/two-factor", data={"code": code_at(secret, clock)}).status_code == 302


def test_five_wrong_codes_lock_the_second_step_for_fifteen_minutes(app, client, enrolled, clock):
    user, secret, _codes = enrolled
    password_step(client, user)
    for _ in range(4):
        response = client.post("/en/auth/two-factor", data={"code": wrong_code(secret, clock)})
        assert "The code is wrong." in response.get_data(as_text=True)
    response = client.post("/en/auth/two-factor", data={"code": wrong_code(secret, clock)})
    assert response.status_code == 429
    assert "Too many wrong codes. Please try again in 15 minutes." in response.get_data(as_text=True)

    # The lock is in the database: another browser (or worker) with the right code is refused too.
    other = app.test_client()
    password_step(other, user)
    response = other.post("/en/auth/two-factor", data={"code": code_at(secret, clock)})
    assert response.status_code == 429
    assert other.get(MODERATION).status_code == 302

    clock.advance(minutes=16)
    password_step(other, user)
    assert other.post("/en/auth/two-factor", data={"code": code_at(secret, clock)}).status_code == 302
    assert other.get(MODERATION).status_code == 200


def test_the_second_step_expires_after_five_minutes(client, enrolled, clock):
    user, secret, _codes = enrolled
    password_step(client, user)
    clock.advance(minutes=5, seconds=30)
    response = client.post("/en/auth/two-factor", data={"code": code_at(secret, clock)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/auth/login"
    assert "The time to enter the code has run out." in client.get("/en/auth/login").get_data(as_text=True)
    assert client.get(MODERATION).status_code == 302


def test_second_step_without_a_password_goes_to_login(client):
    for url in ("/en/auth/two-factor", "/en/auth/two-factor/setup"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == "/en/auth/login"
    assert client.get("/en/auth/two-factor/qr.svg").status_code == 404


def test_citizens_log_in_with_the_password_alone(client, create_user, clock):
    citizen = create_user()
    response = password_step(client, citizen, remember=True)
    assert response.headers["Location"] == "/en/"
    assert logged_in(client)
    assert client.get_cookie("remember_token") is not None
    # Citizens have no staff session limits either.
    clock.advance(hours=13)
    assert logged_in(client)


def test_idle_staff_session_ends_after_thirty_minutes(client, enrolled, clock):
    user, secret, _codes = enrolled
    password_step(client, user)
    client.post("/en/auth/two-factor", data={"code": code_at(secret, clock)})
    for _ in range(3):
        clock.advance(minutes=25)
        assert client.get(MODERATION).status_code == 200
    clock.advance(minutes=31)
    response = client.get(MODERATION)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/en/auth/login?next=/en/moderation/pending")
    assert "Your session has ended; please log in again." in client.get("/en/auth/login").get_data(as_text=True)
    assert not logged_in(client)


def test_staff_session_ends_twelve_hours_after_login(app, client, enrolled, clock):
    user, secret, _codes = enrolled
    password_step(client, user)
    client.post("/en/auth/two-factor", data={"code": code_at(secret, clock)})
    for _ in range(23):
        clock.advance(minutes=29)
        assert client.get(MODERATION).status_code == 200
    clock.advance(minutes=29)  # 11 h 36 min
    assert client.get(MODERATION).status_code == 200
    clock.advance(minutes=25)  # 12 h 1 min, active all along
    assert client.get(MODERATION).status_code == 302
    assert not logged_in(client)


def test_limits_come_from_the_config(app, client, enrolled, clock):
    app.config["STAFF_IDLE_MINUTES"] = 5
    user, secret, _codes = enrolled
    password_step(client, user)
    client.post("/en/auth/two-factor", data={"code": code_at(secret, clock)})
    clock.advance(minutes=6)
    assert client.get(MODERATION).status_code == 302


def test_a_remembered_login_does_not_skip_the_second_step(client, create_user, clock):
    user = create_user()
    password_step(client, user, remember=True)
    assert logged_in(client)
    # Promoted to moderator while logged in, or the session cookie is gone and only remember-me is left:
    # either way the session never passed the second step.
    user.role = "moderator"
    db.session.commit()
    client.delete_cookie("session")
    assert client.get_cookie("remember_token") is not None
    assert client.get(MODERATION).status_code == 302
    assert not logged_in(client)


def test_new_recovery_codes_need_a_current_code(client, enrolled, clock):
    user, secret, old_codes = enrolled
    password_step(client, user)
    client.post("/en/auth/two-factor", data={"code": code_at(secret, clock)})
    clock.advance(seconds=30)
    html = client.get("/en/auth/account").get_data(as_text=True)
    assert 'action="/en/auth/two-factor/recovery-codes"' in html

    response = client.post("/en/auth/two-factor/recovery-codes", data={"code": old_codes[1]})
    assert response.status_code == 302
    assert "The code is wrong." in client.get("/en/auth/account").get_data(as_text=True)

    response = client.post("/en/auth/two-factor/recovery-codes", data={"code": code_at(secret, clock)})
    new_codes = RECOVERY_RE.findall(response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)

    client.post("/en/auth/logout")
    password_step(client, user)
    response = client.post("/en/auth/two-factor", data={"code": old_codes[1]})
    assert "The code is wrong." in response.get_data(as_text=True)
    assert client.post("/en/auth/two-factor", data={"code": new_codes[0]}).status_code == 302


def test_admin_resets_two_factor(app, client, create_user, enrolled, clock, caplog):
    user, secret, _codes = enrolled
    moderator_browser = app.test_client()
    password_step(moderator_browser, user)
    moderator_browser.post("/en/auth/two-factor", data={"code": code_at(secret, clock)})
    assert moderator_browser.get(MODERATION).status_code == 200

    admin = create_user(role="admin")
    set_up(client, admin, clock)
    html = client.get(f"/en/admin/users/{user.id}").get_data(as_text=True)
    assert f'action="/en/admin/users/{user.id}/two-factor/reset"' in html
    with caplog.at_level(logging.INFO, logger="app.auth.two_factor.services"):
        response = client.post(f"/en/admin/users/{user.id}/two-factor/reset")
    assert response.status_code == 302
    assert f"Two-factor sign-in of user {user.id} reset by admin {admin.id}" in caplog.text
    assert "is reset and they are logged out" in client.get(response.headers["Location"]).get_data(as_text=True)

    db.session.refresh(user)
    assert user.totp_secret is None and not user.two_factor_enabled
    assert db.session.scalar(db.select(db.func.count(RecoveryCode.id)).filter_by(user_id=user.id)) == 0
    # Logged out everywhere, and the next login sets it up again.
    assert moderator_browser.get(MODERATION).status_code == 302
    assert password_step(moderator_browser, user).headers["Location"] == "/en/auth/two-factor/setup"


def test_only_admins_reset_two_factor(client, enrolled, create_user, clock):
    user, _secret, _codes = enrolled
    other = create_user(role="moderator")
    set_up(client, other, clock)
    assert client.post(f"/en/admin/users/{user.id}/two-factor/reset").status_code == 403
    db.session.refresh(user)
    assert user.two_factor_enabled


def test_reset_from_the_command_line(runner, enrolled):
    user, _secret, _codes = enrolled
    result = runner.invoke(args=["users", "reset-two-factor", "--email", user.email])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert not user.two_factor_enabled
