"""Password reset by e-mailed link: same answer for every address, one use, dies with a password change."""

import re
import time

from app.auth import tokens
from app.auth.models import User
from app.auth.passwords import verify_password
from app.extensions import db
from app.mail import outbox
from tests.conftest import DEFAULT_PASSWORD

RESET_URL = re.compile(r"http://localhost/(?:kk|ru|en)/auth/reset/\S+")
NEW_PASSWORD = "silver lake morning 7"


def request_reset(client, email):
    return client.post("/en/auth/reset", data={"email": email}, follow_redirects=True)


def reset_link() -> str:
    [message] = outbox()
    match = RESET_URL.search(message.body)
    assert match, message.body
    return match.group(0).removeprefix("http://localhost")


def test_request_answers_the_same_for_known_and_unknown_addresses(client, create_user):
    user = create_user()
    known = request_reset(client, user.email)
    unknown = request_reset(client, "nobody@example.kz")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace(user.email, "EMAIL") == unknown.get_data(as_text=True).replace(
        "nobody@example.kz", "EMAIL"
    )
    assert [message.to for message in outbox()] == [user.email]


def test_reset_mail_is_in_the_users_language(client, create_user):
    user = create_user(locale="kk")
    request_reset(client, user.email)
    assert reset_link().startswith("/kk/auth/reset/")


def test_reset_flow_sets_the_password_and_the_link_then_dies(client, create_user, auth):
    user = create_user(confirmed=False, locale="en")
    old_token = user.session_token
    request_reset(client, user.email)
    link = reset_link()

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/auth/login"

    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.session_token != old_token, "other sessions must end"
    assert user.email_confirmed, "the link proved the address"

    used = client.get(link)
    assert used.status_code == 400
    assert "This link is not valid" in used.get_data(as_text=True)
    assert (
        client.post(link, data={"password": "another 9 good words", "confirm": "another 9 good words"}).status_code
        == 400
    )

    assert auth.login(user, DEFAULT_PASSWORD).status_code == 200
    assert auth.login(user, NEW_PASSWORD).status_code == 302


def test_reset_link_dies_when_the_password_changes_another_way(client, create_user, auth):
    user = create_user()
    request_reset(client, user.email)
    link = reset_link()

    auth.login(user)
    client.post(
        "/en/auth/account/password",
        data={"current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    auth.logout()
    assert client.get(link).status_code == 400


def test_reset_refuses_weak_passwords(client, create_user):
    user = create_user(locale="en")
    request_reset(client, user.email)
    link = reset_link()
    response = client.post(link, data={"password": "password123", "confirm": "password123"})
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_expired_reset_link_is_refused(client, app, create_user):
    user = create_user(locale="en")
    request_reset(client, user.email)
    link = reset_link()
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired." in response.get_data(as_text=True)


def test_reset_link_expires_by_the_clock(client, app, create_user, monkeypatch):
    user = create_user()
    request_reset(client, user.email)
    link = reset_link()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + app.config["RESET_TOKEN_MAX_AGE"] + 5)
    assert client.get(link).status_code == 400


def test_confirmation_token_cannot_reset_a_password(client, app, create_user):
    user = create_user()
    token = tokens.make_token(
        tokens.CONFIRM_SALT, {"uid": user.id, "pw": tokens.password_fingerprint(user.password_hash)}
    )
    assert client.get(f"/en/auth/reset/{token}").status_code == 400


def test_garbage_token_is_a_clean_400(client, app):
    assert client.get("/en/auth/reset/not-a-token").status_code == 400
    token = tokens.make_token(tokens.RESET_SALT, {"uid": "1; drop table users", "pw": "x"})
    assert client.get(f"/en/auth/reset/{token}").status_code == 400
    assert db.session.execute(db.select(User)).first() is None
