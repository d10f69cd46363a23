"""The account page: profile, preferred language and password change."""

from app.auth.passwords import verify_password
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD

NEW_PASSWORD = "silver lake morning 7"


def test_account_requires_login(client):
    response = client.get("/en/auth/account")
    assert response.status_code == 302
    assert "/en/auth/login" in response.headers["Location"]


def test_account_shows_the_user(client, create_user, create_agency, auth):
    agency = create_agency(name_en="Ministry of Justice")
    user = create_user(role="editor", agency=agency, display_name="Dana")
    auth.login(user)
    html = client.get("/en/auth/account").get_data(as_text=True)
    for text in (
        "Dana",
        user.email,
        "Editor",
        "Confirmed",
        "Ministry of Justice",
        'action="/en/auth/account/password"',
    ):
        assert text in html


def test_change_name_and_language(client, create_user, auth):
    user = create_user(locale="kk")
    auth.login(user)
    response = client.post("/en/auth/account", data={"display_name": "  New Name ", "locale": "ru"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/auth/account"
    db.session.refresh(user)
    assert (user.display_name, user.locale) == ("New Name", "ru")


def test_profile_refuses_unknown_language_and_empty_name(client, create_user, auth):
    user = create_user(locale="kk")
    auth.login(user)
    response = client.post("/en/auth/account", data={"display_name": "", "locale": "de"})
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.locale == "kk"


def test_change_password_logs_out_other_sessions_but_not_this_one(app, client, create_user, auth):
    user = create_user()
    auth.login(user)
    other_device = app.test_client()
    other_device.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert other_device.get("/en/auth/account").status_code == 200

    response = client.post(
        "/en/auth/account/password",
        data={"current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert client.get("/en/auth/account").status_code == 200
    assert other_device.get("/en/auth/account").status_code == 302


def test_change_password_requires_the_current_one(client, create_user, auth):
    user = create_user()
    auth.login(user)
    response = client.post(
        "/en/auth/account/password",
        data={"current_password": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "The current password is wrong." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_change_password_checks_the_rules(client, create_user, auth):
    user = create_user(display_name="Qwerty Person")
    auth.login(user)
    response = client.post(
        "/en/auth/account/password",
        data={"current_password": DEFAULT_PASSWORD, "password": "qwerty person", "confirm": "qwerty person"},
    )
    assert "must not be your e-mail address or your name" in response.get_data(as_text=True)
