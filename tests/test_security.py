"""Every POST form carries CSRF; editor and admin pages check who is asking; cookies are locked down."""

import re

import pytest

from tests.conftest import DEFAULT_PASSWORD

FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def login(client, user):
    page = client.get("/en/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def post_forms(html: str) -> list[str]:
    return [body for attrs, body in FORM_RE.findall(html) if re.search(r'method="post"', attrs, re.I)]


def test_every_post_form_has_a_csrf_token(app, client, create_user, waste_law):
    admin = create_user(role="admin")
    pages = ["/en/auth/login", "/en/auth/register", "/en/auth/reset"]
    anonymous_forms = [form for url in pages for form in post_forms(client.get(url).get_data(as_text=True))]
    login(client, admin)
    pages = [
        "/en/",
        "/en/auth/account",
        "/en/editor/laws/new",
        f"/en/editor/laws/{waste_law.slug}/",
        f"/en/editor/laws/{waste_law.slug}/versions/new",
        f"/en/editor/laws/{waste_law.slug}/versions/2/languages/new",
        "/en/admin/users",
        f"/en/admin/users/{admin.id}",
        "/en/admin/agencies",
    ]
    forms = anonymous_forms + [form for url in pages for form in post_forms(client.get(url).get_data(as_text=True))]
    assert len(forms) >= 10
    assert all('name="csrf_token"' in form for form in forms)


def test_posts_without_a_token_are_refused(client, create_user, waste_law):
    user = create_user(role="admin")
    assert client.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 400
    login(client, user)
    for url in ["/en/auth/logout", f"/en/editor/laws/{waste_law.slug}/status", "/en/editor/laws/new"]:
        response = client.post(url, data={"status": "withdrawn"})
        assert response.status_code == 400, url
        assert "The form has expired" in response.get_data(as_text=True)
    assert waste_law.status == "open"


def test_session_cookie_is_httponly_and_samesite(client, create_user):
    login(client, create_user())
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


EDITOR_PAGES = ["/en/editor/", "/en/editor/laws/new", "/en/editor/laws/{slug}/", "/en/editor/laws/{slug}/versions/new"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), ("citizen", 403), ("moderator", 403), ("mp", 403), ("editor", 200), ("admin", 200)],
)
def test_editor_access_matrix(client, create_user, waste_law, role, expected):
    if role:
        login(client, create_user(role=role, agency_id=waste_law.agency_id if role == "editor" else None))
    for page in EDITOR_PAGES:
        response = client.get(page.format(slug=waste_law.slug))
        assert response.status_code == expected, page
        if expected == 302:
            assert "/en/auth/login" in response.location
