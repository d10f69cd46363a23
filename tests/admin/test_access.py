"""Only administrators reach the administration: anonymous users log in first, everyone else gets 403."""

import pytest

ROLES_WITHOUT_ACCESS = ["citizen", "editor", "moderator", "mp"]


@pytest.fixture
def admin_urls(create_user, create_agency, create_committee):
    target = create_user()
    agency, committee = create_agency(), create_committee()
    return [
        "/en/admin/users",
        "/en/admin/users?q=user&role=citizen&page=2",
        f"/en/admin/users/{target.id}",
        "/en/admin/agencies",
        "/en/admin/agencies/new",
        f"/en/admin/agencies/{agency.id}",
        "/en/admin/committees",
        "/en/admin/committees/new",
        f"/en/admin/committees/{committee.id}",
    ]


def _user_with_role(role, create_user, create_agency, create_committee):
    if role == "editor":
        return create_user(role=role, agency=create_agency())
    if role == "mp":
        return create_user(role=role, committee=create_committee())
    return create_user(role=role)


def test_anonymous_is_sent_to_login(client, admin_urls):
    for url in [*admin_urls, "/en/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/en/auth/login?next="), url


@pytest.mark.parametrize("role", ROLES_WITHOUT_ACCESS)
def test_other_roles_are_forbidden(client, auth, admin_urls, role, create_user, create_agency, create_committee):
    auth.login(_user_with_role(role, create_user, create_agency, create_committee))
    for url in [*admin_urls, "/en/admin/"]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ROLES_WITHOUT_ACCESS)
def test_other_roles_cannot_post(client, auth, role, create_user, create_agency, create_committee):
    user = _user_with_role(role, create_user, create_agency, create_committee)
    auth.login(user)
    response = client.post(f"/en/admin/users/{user.id}", data={"role": "admin"})
    assert response.status_code == 403
    response = client.post("/en/admin/agencies/new", data={"slug": "x", "name_kk": "x", "name_ru": "x"})
    assert response.status_code == 403


def test_admin_sees_every_page(client, auth, admin_urls, create_user):
    auth.login(create_user(role="admin"))
    for url in admin_urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/en/admin/").headers["Location"] == "/en/admin/users"


def test_admin_link_in_the_menu_only_for_admins(client, auth, create_user):
    auth.login(create_user(role="moderator"))
    assert 'href="/en/admin/users"' not in client.get("/en/auth/account").get_data(as_text=True)
    auth.logout()
    auth.login(create_user(role="admin"))
    assert 'href="/en/admin/users"' in client.get("/en/auth/account").get_data(as_text=True)


def test_missing_objects_are_404_for_admins(client, auth, create_user):
    auth.login(create_user(role="admin"))
    for url in ("/en/admin/users/999999", "/en/admin/agencies/999999", "/en/admin/committees/999999"):
        assert client.get(url).status_code == 404, url
