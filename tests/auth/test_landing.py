"""After logging in, staff start in their workspace and citizens on the home page, unless a local `next` says where."""

import pyotp
import pytest

from app.db import utcnow
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD

WORKSPACES = [
    ("admin", "/{lang}/admin/"),
    ("moderator", "/{lang}/moderation/"),
    ("editor", "/{lang}/editor/"),
    ("mp", "/{lang}/parliament/"),
    ("citizen", "/{lang}/"),
]


def log_in(client, user, lang: str, next_url: str | None = None):
    url = f"/{lang}/auth/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": user.email, "password": DEFAULT_PASSWORD})


@pytest.fixture
def staff(create_user, create_agency, create_committee):
    """A user of each role, the editor with an agency and the MP with a committee, as their pages need."""

    def factory(role: str, **kwargs):
        if role == "editor":
            kwargs.setdefault("agency_id", create_agency().id)
        if role == "mp":
            kwargs.setdefault("committee_id", create_committee().id)
        return create_user(role=role, **kwargs)

    return factory


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize(("role", "workspace"), WORKSPACES)
def test_each_role_lands_on_its_workspace(client, staff, role, workspace, lang):
    response = log_in(client, staff(role), lang)
    assert response.status_code == 302
    assert response.headers["Location"] == workspace.format(lang=lang)
    # The workspace opens for them (the moderation and admin indexes pass on to their first page).
    landing = client.get(response.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200
    assert f'<html lang="{lang}">' in landing.get_data(as_text=True)


@pytest.mark.parametrize("role", ["moderator", "editor", "citizen"])
def test_a_local_next_page_wins(client, staff, role):
    response = log_in(client, staff(role), "ru", next_url="/ru/laws/")
    assert response.headers["Location"] == "/ru/laws/"


@pytest.mark.parametrize("next_url", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_a_foreign_next_page_is_ignored_and_the_workspace_used(client, staff, next_url):
    response = log_in(client, staff("moderator"), "kk", next_url=next_url)
    assert response.headers["Location"] == "/kk/moderation/"


def test_a_suspended_moderator_lands_on_the_home_page(client, staff):
    moderator = staff("moderator", suspended_at=utcnow(), suspension_reason="test")
    response = log_in(client, moderator, "ru")
    assert response.headers["Location"] == "/ru/"


def test_a_logged_in_moderator_opening_the_login_page_goes_to_the_workspace(client, staff):
    log_in(client, staff("moderator"), "kk")
    response = client.get("/kk/auth/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/kk/moderation/"


def test_after_the_second_step_staff_land_on_their_workspace(app, client, staff):
    app.config["TWO_FACTOR_ROLES"] = ("editor", "moderator", "mp", "admin")
    secret = pyotp.random_base32()
    editor = staff("editor", totp_secret=secret, totp_confirmed_at=utcnow())
    db.session.commit()
    response = log_in(client, editor, "ru")
    assert response.headers["Location"] == "/ru/auth/two-factor"
    response = client.post("/ru/auth/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/editor/"
