"""Attacks on accounts from issue 8 (items 4, 5, 6, 11, 12), each reproduced and now refused.

Host-header poisoning of e-mailed links, forged tokens and unsafe production settings, throttles that an
attacker could use against the owner or get around, account enumeration at registration, the session kept
across login, and a remember-me cookie that lasted a year.
"""

import os
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from app import create_app
from app.auth import passwords, tokens
from app.auth.models import LoginAttempt, User
from app.auth.passwords import verify_password
from app.extensions import db
from app.mail import external_url, outbox
from app.notifications import optouts
from app.notifications import services as notifications
from app.notifications.models import EmailOptOut
from config import DEV_SECRET_KEY, ConfigError, TestConfig
from tests.conftest import DEFAULT_PASSWORD, csrf_token_from

ROOT = Path(__file__).resolve().parents[2]
SITE = "https://kenes.example.kz"
ATTACKER, OWNER = "203.0.113.5", "198.51.100.7"
NEW_PASSWORD = "silver lake morning 7"


def from_ip(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def log_in(client, email, password=DEFAULT_PASSWORD, ip="127.0.0.1", **data):
    return client.post("/en/auth/login", data={"email": email, "password": password, **data}, **from_ip(ip))


def links_in(body: str) -> list[str]:
    return re.findall(r"\S+://\S+", body)


# --- 4. links in e-mails come from BASE_URL, never from the Host header -------------------------------------------


@pytest.fixture
def site_config(app_config):
    return {**app_config, "BASE_URL": SITE}


class TestLinksIgnoreTheHostHeader:
    @pytest.fixture
    def app_config(self, site_config):
        return site_config

    def test_reset_link_ignores_a_forged_host_header(self, client, create_user):
        user = create_user(locale="en")
        client.post("/en/auth/reset", data={"email": user.email}, headers={"Host": "evil.example"})
        [message] = outbox()
        [link] = links_in(message.body)
        assert link.startswith(f"{SITE}/en/auth/reset/")
        assert "evil.example" not in message.body

    def test_confirmation_and_taken_address_links_ignore_a_forged_host_header(self, client, create_user):
        owner = create_user(locale="ru")
        for email in ("new@example.kz", owner.email):
            client.post(
                "/en/auth/register",
                data={"email": email, "display_name": "Someone", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                headers={"Host": "evil.example"},
            )
        confirmation, taken = outbox()
        assert links_in(confirmation.body)[0].startswith(f"{SITE}/en/auth/confirm/")
        assert links_in(taken.body)[0].startswith(f"{SITE}/ru/auth/reset/")
        assert "evil.example" not in confirmation.body + taken.body

    def test_notification_and_unsubscribe_links_ignore_the_host_of_the_request(self, app, waste_law, create_user):
        from app.laws.importing import publish_version
        from tests.conftest import demo_text

        user = create_user(locale="kk")
        notifications.follow(user, waste_law)
        db.session.commit()
        with app.test_request_context("/en/", base_url="http://evil.example", method="POST"):
            publish_version(waste_law, lang="ru", text=demo_text("waste.v1.ru.txt"))
            db.session.commit()
        [message] = outbox()
        links = links_in(message.body)
        assert len(links) == 2
        assert all(link.startswith(f"{SITE}/kk/") for link in links)
        assert "/kk/notifications/unsubscribe/" in links[1]

    def test_external_url_works_outside_a_request_and_under_a_path(self, app):
        app.config["BASE_URL"] = "https://gov.example.kz/kenes"
        assert external_url("auth.login", lang="ru") == "https://gov.example.kz/kenes/ru/auth/login"


class TestUntrustedHost:
    @pytest.fixture
    def app_config(self, site_config):
        return {**site_config, "TRUSTED_HOSTS": ["kenes.example.kz"]}

    @pytest.mark.parametrize(("method", "path"), [("get", "/en/"), ("post", "/en/auth/reset"), ("get", "/nowhere")])
    def test_an_untrusted_host_gets_a_plain_400_not_a_500(self, client, create_user, method, path):
        user = create_user()
        response = getattr(client, method)(path, data={"email": user.email}, headers={"Host": "evil.example"})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "<h1>400</h1>" in html
        assert outbox() == []

    def test_the_trusted_host_is_served(self, client):
        assert client.get("/en/", headers={"Host": "kenes.example.kz"}).status_code == 200


# --- 5. no public SECRET_KEY in production; forged tokens are a 400 -----------------------------------------------

GOOD_PRODUCTION = {
    "KENES_ENV": "production",
    "SECRET_KEY": "k" * 40,
    "TRUSTED_HOSTS": ["kenes.example.kz"],
    "BASE_URL": SITE,
    "SESSION_COOKIE_SECURE": True,
}


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("SECRET_KEY", DEV_SECRET_KEY),
        ("SECRET_KEY", ""),
        ("SECRET_KEY", "x" * 31),
        ("TRUSTED_HOSTS", None),
        ("BASE_URL", ""),
        ("SESSION_COOKIE_SECURE", False),
    ],
)
def test_production_refuses_each_unsafe_setting_by_name(app_config, setting, value):
    config = type("Config", (TestConfig,), {**app_config, **GOOD_PRODUCTION, setting: value})
    with pytest.raises(ConfigError, match=setting):
        create_app(config)


def test_production_starts_with_safe_settings(app_config):
    application = create_app(type("Config", (TestConfig,), {**app_config, **GOOD_PRODUCTION}))
    assert application.config["KENES_ENV"] == "production"


def test_development_with_the_public_key_starts_but_warns(app_config, caplog):
    config = type("Config", (TestConfig,), {**app_config, "KENES_ENV": "development", "SECRET_KEY": DEV_SECRET_KEY})
    create_app(config)
    assert "SECRET_KEY is the public development default" in caplog.text


def flask_routes(tmp_path, **env):
    clean_env = {"PATH": os.environ["PATH"], "FLASK_APP": "wsgi.py", "KENES_INSTANCE_DIR": str(tmp_path), **env}
    return subprocess.run(  # noqa: S603 (our own venv's flask, fixed arguments)
        [str(ROOT / ".venv" / "bin" / "flask"), "routes"],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_flask_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    result = flask_routes(tmp_path, KENES_ENV="production")
    assert result.returncode != 0
    assert "ConfigError" in result.stderr
    for setting in ("SECRET_KEY", "TRUSTED_HOSTS", "BASE_URL", "SESSION_COOKIE_SECURE"):
        assert setting in result.stderr


def test_flask_starts_in_production_with_every_setting(tmp_path):
    result = flask_routes(
        tmp_path,
        KENES_ENV="production",
        SECRET_KEY="s" * 48,
        TRUSTED_HOSTS="kenes.example.kz",
        BASE_URL=SITE,
        SESSION_COOKIE_SECURE="1",
    )
    assert result.returncode == 0, result.stderr
    assert "auth.reset_password" in result.stdout


BAD_IDS = [10**20, 2**31, -1, 0, True, "1", 1.5, None, [1]]


@pytest.mark.parametrize("uid", BAD_IDS)
def test_forged_confirmation_tokens_with_impossible_ids_are_a_400(client, create_user, uid):
    user = create_user(confirmed=False)
    token = tokens.make_token(tokens.CONFIRM_SALT, {"uid": uid, "email": user.email})
    for method in (client.get, client.post):
        response = method(f"/en/auth/confirm/{token}")
        assert response.status_code == 400
        assert "This link is not valid" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.email_confirmed


@pytest.mark.parametrize("uid", BAD_IDS)
def test_forged_reset_tokens_with_impossible_ids_are_a_400(client, create_user, uid):
    user = create_user()
    token = tokens.make_token(tokens.RESET_SALT, {"uid": uid, "pw": tokens.password_fingerprint(user.password_hash)})
    response = client.post(f"/en/auth/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)


@pytest.mark.parametrize("field", ["uid", "law"])
@pytest.mark.parametrize("bad", [bad for bad in BAD_IDS if bad is not None])  # a law of None means every draft
def test_forged_unsubscribe_tokens_with_impossible_ids_are_a_400(client, create_user, waste_law, field, bad):
    payload = {"uid": create_user().id, "kind": "new_version", "law": waste_law.id, field: bad}
    token = tokens.make_token(optouts.UNSUBSCRIBE_SALT, payload)
    for method in (client.get, client.post):
        response = method(f"/en/notifications/unsubscribe/{token}")
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EmailOptOut.id))) == 0


def test_a_token_signed_with_the_public_development_key_is_refused(client, create_user):
    # What an attacker could forge for anyone while the key defaulted to a string in the source code.
    victim = create_user(confirmed=False)
    forged = URLSafeTimedSerializer(DEV_SECRET_KEY, salt=tokens.CONFIRM_SALT).dumps(
        {"uid": victim.id, "email": victim.email}
    )
    assert client.post(f"/en/auth/confirm/{forged}").status_code == 400
    db.session.refresh(victim)
    assert not victim.email_confirmed


# --- 6. throttles: per client and per account, in the database, no lock-out of the owner ---------------------------


def test_an_attacker_cannot_lock_the_owner_out(app, create_user):
    owner = create_user()
    attacker = app.test_client()
    for _ in range(5):
        assert log_in(attacker, owner.email, "wrong password here", ip=ATTACKER).status_code == 200
    assert log_in(attacker, owner.email, ip=ATTACKER).status_code == 429

    response = log_in(app.test_client(), owner.email, ip=OWNER)
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"


def test_a_lock_answers_the_same_for_the_right_and_a_wrong_password(client, create_user):
    user = create_user()
    for _ in range(5):
        log_in(client, user.email, "wrong password here")
    right = log_in(client, user.email, DEFAULT_PASSWORD)
    wrong = log_in(client, user.email, "wrong password here")
    assert right.status_code == wrong.status_code == 429
    assert right.get_data(as_text=True) == wrong.get_data(as_text=True)
    assert "Too many failed attempts" in right.get_data(as_text=True)
    assert client.get("/en/auth/account").status_code == 302


def test_one_client_cannot_spray_passwords_over_many_addresses(app, client, create_user):
    real = create_user()
    answers = [log_in(client, f"person{n}@example.kz", "Qwerty2026!", ip=ATTACKER).status_code for n in range(11)]
    assert answers == [200] * 10 + [429]
    # Even the right password of a real account is refused before any hashing.
    response = log_in(client, real.email, ip=ATTACKER)
    assert response.status_code == 429
    assert "Too many attempts from your network" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 10
    # Other clients are not affected.
    assert log_in(app.test_client(), real.email, ip=OWNER).status_code == 302


class TestDistributedGuessing:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "LOGIN_ACCOUNT_MAX_FAILURES": 8}

    def test_many_clients_together_lock_the_account(self, app, create_user):
        user = create_user()
        for n in range(4):
            client = app.test_client()
            for _ in range(2):
                assert log_in(client, user.email, "wrong password here", ip=f"192.0.2.{n}").status_code == 200
        assert log_in(app.test_client(), user.email, ip="192.0.2.99").status_code == 429


class TestPasswordHashingCap:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "PASSWORD_HASH_CONCURRENCY": 2, "PASSWORD_HASH_WAIT_SECONDS": 0.05}

    def test_no_more_hashes_at_once_than_configured(self, app, monkeypatch):
        running, most = 0, 0
        lock = threading.Lock()

        class SlowHasher:
            def hash(self, password):
                nonlocal running, most
                with lock:
                    running += 1
                    most = max(most, running)
                time.sleep(0.02)
                with lock:
                    running -= 1
                return "hash"

        monkeypatch.setattr(passwords, "_hasher", SlowHasher)
        app.config["PASSWORD_HASH_WAIT_SECONDS"] = 5

        def work():
            with app.app_context():
                passwords.hash_password("anything at all")

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert most == 2

    def test_a_login_that_cannot_get_a_turn_is_told_to_come_back(self, client, create_user):
        user = create_user()
        slots = passwords._slots()
        for _ in range(2):
            slots.acquire()
        try:
            response = log_in(client, user.email)
        finally:
            for _ in range(2):
                slots.release()
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "The server is busy" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count(LoginAttempt.id))) == 0
        assert log_in(client, user.email).status_code == 302


ACCOUNT_MAIL_FORMS = {
    "reset": ("/en/auth/reset", {}),
    "resend": ("/en/auth/confirm", {}),
    "register": ("/en/auth/register", {"display_name": "Someone", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
}


@pytest.mark.parametrize("form", ACCOUNT_MAIL_FORMS)
def test_mails_to_one_address_are_limited(client, create_user, form):
    url, data = ACCOUNT_MAIL_FORMS[form]
    victim = create_user(confirmed=False)
    answers = [client.post(url, data={**data, "email": victim.email}).status_code for _ in range(10)]
    assert answers == [302] * 3 + [429] * 7
    assert [message.to for message in outbox()] == [victim.email] * 3
    response = client.post(url, data={**data, "email": victim.email})
    assert "We have already sent several e-mails to" in response.get_data(as_text=True)


def test_the_address_limit_does_not_tell_which_addresses_have_accounts(client, create_user):
    user = create_user()
    answers = {}
    for email in (user.email, "nobody@example.kz"):
        for _ in range(3):
            client.post("/en/auth/reset", data={"email": email})
        response = client.post("/en/auth/reset", data={"email": email})
        answers[email] = (response.status_code, response.get_data(as_text=True).replace(email, "EMAIL"))
    assert answers[user.email] == answers["nobody@example.kz"]


@pytest.mark.parametrize("form", ACCOUNT_MAIL_FORMS)
def test_one_client_cannot_send_account_mails_to_many_addresses(app, client, form):
    url, data = ACCOUNT_MAIL_FORMS[form]
    answers = [
        client.post(url, data={**data, "email": f"target{n}@example.kz"}, **from_ip(ATTACKER)).status_code
        for n in range(11)
    ]
    assert answers == [302] * 10 + [429]
    response = client.post(url, data={**data, "email": "one-more@example.kz"}, **from_ip(ATTACKER))
    assert "Too many attempts from your network" in response.get_data(as_text=True)
    other = app.test_client().post(url, data={**data, "email": "one-more@example.kz"}, **from_ip(OWNER))
    assert other.status_code == 302


def test_change_password_locks_after_five_wrong_current_passwords(app, client, create_user, auth):
    user = create_user()
    auth.login(user)
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for _ in range(5):
        response = client.post("/en/auth/account/password", data={**form, "current_password": "a guess 123"})
        assert response.status_code == 200
        assert "The current password is wrong." in response.get_data(as_text=True)
    # The count is per account, in the database: another session of the same user is refused too.
    other = app.test_client()
    log_in(other, user.email)
    for session_client in (client, other):
        response = session_client.post("/en/auth/account/password", data={**form, "current_password": DEFAULT_PASSWORD})
        assert response.status_code == 429
        assert "Too many wrong passwords" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_a_right_current_password_clears_the_failures(client, create_user, auth):
    user = create_user()
    auth.login(user)
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for _ in range(4):
        client.post("/en/auth/account/password", data={**form, "current_password": "a guess 123"})
    response = client.post("/en/auth/account/password", data={**form, "current_password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    response = client.post("/en/auth/account/password", data={**form, "current_password": "a guess 123"})
    assert response.status_code == 200


@pytest.mark.parametrize("typed", ["user1@example.kz", "USER1@Example.kz", "  user1@example.kz "])
def test_registering_a_taken_address_answers_like_a_new_account_and_tells_the_owner(client, create_user, typed):
    owner = create_user(email="user1@example.kz", locale="en")
    form = {"display_name": "Someone", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}

    fresh = client.post("/en/auth/register", data={**form, "email": "fresh@example.kz"})
    taken = client.post("/en/auth/register", data={**form, "email": typed})
    assert fresh.status_code == taken.status_code == 302
    assert fresh.headers["Location"] == taken.headers["Location"] == "/en/auth/login"
    assert client.get("/en/auth/account").status_code == 302, "neither registration logs in"

    assert db.session.scalar(select(func.count(User.id))) == 2
    confirmation, warning = outbox()
    assert confirmation.to == "fresh@example.kz"
    assert warning.to == owner.email
    assert "Someone tried to register" in warning.subject
    [reset_link] = links_in(warning.body)
    assert client.get(reset_link.removeprefix("http://localhost")).status_code == 200
    db.session.refresh(owner)
    assert verify_password(owner.password_hash, DEFAULT_PASSWORD)


def test_registration_answers_are_identical_for_new_and_taken_addresses(app, create_user):
    create_user(email="taken@example.kz")
    form = {"display_name": "Someone", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    pages = []
    for email in ("taken@example.kz", "free@example.kz"):
        response = app.test_client().post("/en/auth/register", data={**form, "email": email}, follow_redirects=True)
        pages.append(response.get_data(as_text=True).replace(email, "EMAIL"))
    assert pages[0] == pages[1]
    assert "We have sent a confirmation link to EMAIL." in pages[0]


# --- 11. a new session at login and logout --------------------------------------------------------------------------


class TestSessionRenewal:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_a_csrf_token_from_before_login_is_refused_after_it(self, client, create_user):
        user = create_user()
        before = csrf_token_from(client.get("/en/auth/login").get_data(as_text=True))
        assert log_in(client, user.email, csrf_token=before).status_code == 302

        response = client.post("/en/auth/logout", data={"csrf_token": before})
        assert response.status_code == 400
        assert client.get("/en/auth/account").status_code == 200, "the refused post changed nothing"

        after = csrf_token_from(client.get("/en/auth/account").get_data(as_text=True))
        assert after != before
        assert client.post("/en/auth/logout", data={"csrf_token": after}).status_code == 302

    def test_a_csrf_token_from_before_logout_is_refused_after_it(self, client, create_user):
        user = create_user()
        token = csrf_token_from(client.get("/en/auth/login").get_data(as_text=True))
        log_in(client, user.email, csrf_token=token)
        logged_in = csrf_token_from(client.get("/en/auth/account").get_data(as_text=True))
        assert client.post("/en/auth/logout", data={"csrf_token": logged_in}).status_code == 302
        assert log_in(client, user.email, csrf_token=logged_in).status_code == 400

    def test_nothing_planted_in_the_session_before_login_survives_it(self, app, client, create_user):
        user = create_user()
        with client.session_transaction() as session:
            session["planted"] = "by an attacker"
        token = csrf_token_from(client.get("/en/auth/login").get_data(as_text=True))
        log_in(client, user.email, csrf_token=token)
        with client.session_transaction() as session:
            assert "planted" not in session
            assert session.get("_user_id") == user.session_token


# --- 12. remember-me lasts 30 days -----------------------------------------------------------------------------------


def _remember_cookie_expiry(client, user) -> timedelta:
    log_in(client, user.email, remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.expires is not None
    return cookie.expires - datetime.now(UTC)


def test_the_remember_me_cookie_lasts_thirty_days(client, create_user):
    lasts = _remember_cookie_expiry(client, create_user())
    assert timedelta(days=30) - timedelta(minutes=1) < lasts <= timedelta(days=30)


def test_the_remember_me_duration_comes_from_remember_days():
    env = {"PATH": os.environ["PATH"], "REMEMBER_DAYS": "7"}
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", "import config; print(config.Config.REMEMBER_COOKIE_DURATION.days)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "7"
