"""With CSRF protection on (as in production), every account form carries a token and posts without one fail."""

import pytest

from tests.conftest import DEFAULT_PASSWORD, csrf_token_from


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.mark.parametrize("url", ["/en/auth/login", "/en/auth/register", "/en/auth/reset", "/en/auth/confirm"])
def test_forms_carry_a_csrf_token(client, url):
    assert csrf_token_from(client.get(url).get_data(as_text=True))


def test_login_without_token_is_refused(client, create_user):
    user = create_user()
    response = client.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert client.get("/en/auth/account").status_code == 302


def test_login_with_token_works_and_logout_needs_one_too(client, create_user):
    user = create_user()
    token = csrf_token_from(client.get("/en/auth/login").get_data(as_text=True))
    response = client.post(
        "/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302

    account = client.get("/en/auth/account").get_data(as_text=True)
    assert client.post("/en/auth/logout").status_code == 400
    assert client.get("/en/auth/account").status_code == 200
    assert client.post("/en/auth/logout", data={"csrf_token": csrf_token_from(account)}).status_code == 302
    assert client.get("/en/auth/account").status_code == 302


def test_account_forms_carry_tokens(client, create_user):
    user = create_user()
    token = csrf_token_from(client.get("/en/auth/login").get_data(as_text=True))
    client.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token})
    html = client.get("/en/auth/account").get_data(as_text=True)
    # Log-out button, profile form and password form.
    assert html.count('name="csrf_token"') == 3
