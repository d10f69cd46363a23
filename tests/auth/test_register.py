"""Registration, e-mail confirmation and resending the confirmation link."""

import re

import pytest

from app.auth.models import User
from app.extensions import db
from app.mail import outbox

CONFIRM_URL = re.compile(r"http://localhost/(?P<lang>kk|ru|en)/auth/confirm/(?P<token>\S+)")
GOOD_PASSWORD = "tulip meadow 42 river"


def register(client, lang="en", follow_redirects=False, **overrides):
    data = {
        "email": "Aigerim@Example.KZ",
        "display_name": "Aigerim",
        "password": GOOD_PASSWORD,
        "confirm": GOOD_PASSWORD,
    }
    data.update(overrides)
    return client.post(f"/{lang}/auth/register", data=data, follow_redirects=follow_redirects)


def confirm_link(message) -> str:
    match = CONFIRM_URL.search(message.body)
    assert match, message.body
    return match.group(0).removeprefix("http://localhost")


def test_register_page_renders(client):
    response = client.get("/en/auth/register")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'for="email"' in html and 'for="password"' in html and 'for="confirm"' in html


def test_register_sends_confirmation_in_page_language_then_confirm_and_login(client, app, auth):
    response = register(client, lang="ru")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/auth/login"

    user = db.session.execute(db.select(User)).scalar_one()
    assert user.email == "aigerim@example.kz"
    assert user.locale == "ru"
    assert user.role == "citizen"
    assert not user.email_confirmed

    [message] = outbox()
    assert message.to == "aigerim@example.kz"
    link = confirm_link(message)
    assert link.startswith("/ru/auth/confirm/")

    page = client.get(link)
    assert page.status_code == 200
    assert "aigerim@example.kz" in page.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.email_confirmed, "opening the link alone must not change anything"

    response = client.post(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/auth/login"
    db.session.refresh(user)
    assert user.email_confirmed

    response = auth.login("aigerim@example.kz", GOOD_PASSWORD)
    assert response.status_code == 302
    assert "account" not in response.headers["Location"]


def test_registration_does_not_log_in_but_the_new_account_can_log_in_before_confirming(client, auth):
    response = register(client, follow_redirects=True)
    assert "We have sent a confirmation link to aigerim@example.kz." in response.get_data(as_text=True)
    assert client.get("/en/auth/account").status_code == 302

    assert auth.login("aigerim@example.kz", GOOD_PASSWORD).status_code == 302
    html = client.get("/en/auth/account").get_data(as_text=True)
    assert "Not confirmed" in html
    assert "/en/auth/confirm" in html


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "at least 10 characters"),
        ("x" * 257, "at most 256 characters"),
        ("1234567890", "too common"),
        ("qwertyuiop", "too common"),
        ("Password123", "too common"),
        ("йцукенгшщз", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("aigerim@example.kz", "must not be your e-mail address or your name"),
        ("Aigerim Nurlanovna", "must not be your e-mail address or your name"),
    ],
)
def test_weak_passwords_are_refused(client, password, message):
    response = register(client, password=password, confirm=password, display_name="Aigerim Nurlanovna")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(User)).first() is None


def test_password_confirmation_must_match(client):
    response = register(client, confirm=GOOD_PASSWORD + "x")
    assert "The two passwords do not match." in response.get_data(as_text=True)
    assert db.session.execute(db.select(User)).first() is None


def test_invalid_email_is_refused(client):
    response = register(client, email="not-an-address")
    assert "Enter a valid e-mail address." in response.get_data(as_text=True)


def test_tampered_confirmation_token_is_refused(client):
    register(client)
    link = confirm_link(outbox()[0])
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)


def test_reset_token_cannot_confirm_email(client, app):
    from app.auth import tokens

    register(client)
    user = db.session.execute(db.select(User)).scalar_one()
    wrong_purpose = tokens.make_token(tokens.RESET_SALT, {"uid": user.id, "email": user.email})
    assert client.post(f"/en/auth/confirm/{wrong_purpose}").status_code == 400
    db.session.refresh(user)
    assert not user.email_confirmed


def test_expired_confirmation_token_is_refused(client, app):
    register(client)
    link = confirm_link(outbox()[0])
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1
    response = client.post(link)
    assert response.status_code == 400
    assert "This link has expired." in response.get_data(as_text=True)
    assert not db.session.execute(db.select(User)).scalar_one().email_confirmed


def test_resend_confirmation_sends_a_new_link_to_unconfirmed_accounts_only(client, create_user):
    unconfirmed = create_user(confirmed=False, locale="kk")
    confirmed = create_user(confirmed=True)

    answers = []
    for email in (unconfirmed.email, confirmed.email, "nobody@example.kz"):
        response = client.post("/en/auth/confirm", data={"email": email}, follow_redirects=True)
        assert response.status_code == 200
        answers.append(response.get_data(as_text=True).replace(email, "EMAIL"))

    [message] = outbox()
    assert message.to == unconfirmed.email
    assert confirm_link(message).startswith("/kk/auth/confirm/")
    assert "we have sent it a new link" in answers[0]
    assert answers[0] == answers[1] == answers[2], "the answer must not tell which addresses have accounts"


def test_resend_page_prefills_the_address_of_the_logged_in_user(client, create_user, auth):
    user = create_user(confirmed=False)
    auth.login(user)
    assert f'value="{user.email}"' in client.get("/en/auth/confirm").get_data(as_text=True)
