"""The user list (search, role filter, pagination) and role changes."""

import pytest

from app.admin import services
from app.admin.services import AdminError
from app.auth.models import User
from app.extensions import db


@pytest.fixture
def admin(create_user, auth):
    user = create_user(role="admin", email="admin@example.kz", display_name="Main Admin")
    auth.login(user)
    return user


def test_list_shows_users_and_the_admin_menu(client, admin, create_user):
    create_user(email="dana@example.kz", display_name="Dana")
    html = client.get("/en/admin/users").get_data(as_text=True)
    assert "dana@example.kz" in html and "Dana" in html
    for link in ('href="/en/admin/users"', 'href="/en/admin/agencies"', 'href="/en/admin/committees"'):
        assert link in html


def test_search_by_email_or_name_ignores_case(client, admin, create_user):
    create_user(email="aruzhan@example.kz", display_name="Aruzhan")
    create_user(email="bolat@example.kz", display_name="Bolat Sagyn")
    html = client.get("/en/admin/users", query_string={"q": "ARUZ"}).get_data(as_text=True)
    assert "aruzhan@example.kz" in html and "bolat@example.kz" not in html
    html = client.get("/en/admin/users", query_string={"q": "sagyn"}).get_data(as_text=True)
    assert "bolat@example.kz" in html and "aruzhan@example.kz" not in html


def test_search_treats_wildcards_literally(client, admin, create_user):
    create_user(email="plain@example.kz")
    html = client.get("/en/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert "plain@example.kz" not in html
    assert "No users match these filters." in html


def test_filter_by_role(client, admin, create_user):
    create_user(role="moderator", email="mod@example.kz")
    create_user(email="citizen@example.kz")
    html = client.get("/en/admin/users", query_string={"role": "moderator"}).get_data(as_text=True)
    assert "mod@example.kz" in html and "citizen@example.kz" not in html


def test_unknown_role_filter_shows_everyone(client, admin, create_user):
    create_user(email="citizen@example.kz")
    response = client.get("/en/admin/users", query_string={"role": "wizard"})
    assert response.status_code == 200
    assert "citizen@example.kz" in response.get_data(as_text=True)


def test_empty_state(client, admin):
    html = client.get("/en/admin/users", query_string={"q": "nobody-like-this"}).get_data(as_text=True)
    assert "No users match these filters." in html
    assert "Show all users" in html


@pytest.mark.parametrize(
    ("page", "expected"), [("abc", 1), ("-1", 1), ("0", 1), ("", 1), ("2", 2), ("99", 3), ("9" * 30, 3)]
)
def test_pagination_clamps_bad_page_numbers(app, client, admin, create_user, page, expected):
    app.config["ADMIN_USERS_PER_PAGE"] = 2
    for _ in range(4):
        create_user()
    response = client.get("/en/admin/users", query_string={"page": page})
    assert response.status_code == 200
    assert f"Page {expected} of 3" in response.get_data(as_text=True)


def test_pager_keeps_the_filters(app, client, admin, create_user):
    app.config["ADMIN_USERS_PER_PAGE"] = 1
    for _ in range(3):
        create_user(role="moderator")
    html = client.get("/en/admin/users", query_string={"role": "moderator"}).get_data(as_text=True)
    assert "role=moderator" in html and "page=2" in html


def test_list_does_not_query_per_user(client, admin, create_user, create_agency, count_queries):
    for _ in range(10):
        create_user(role="editor", agency=create_agency())
    with count_queries() as statements:
        assert client.get("/en/admin/users").status_code == 200
    assert len(statements) <= 6, statements


def test_change_role_to_moderator(client, admin, create_user):
    user = create_user()
    response = client.post(f"/en/admin/users/{user.id}", data={"role": "moderator"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/admin/users"
    db.session.refresh(user)
    assert user.role == "moderator"


def test_editor_needs_an_agency_and_mp_a_committee(client, admin, create_user, create_agency, create_committee):
    user = create_user()
    response = client.post(f"/en/admin/users/{user.id}", data={"role": "editor", "agency_id": ""})
    assert response.status_code == 200
    assert "An editor must belong to a drafting agency." in response.get_data(as_text=True)
    response = client.post(f"/en/admin/users/{user.id}", data={"role": "mp", "committee_id": ""})
    assert "A member of Parliament must belong to a parliamentary committee." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.role == "citizen"

    agency, committee = create_agency(), create_committee()
    client.post(f"/en/admin/users/{user.id}", data={"role": "editor", "agency_id": str(agency.id)})
    db.session.refresh(user)
    assert (user.role, user.agency_id) == ("editor", agency.id)

    client.post(
        f"/en/admin/users/{user.id}",
        data={"role": "mp", "agency_id": str(agency.id), "committee_id": str(committee.id)},
    )
    db.session.refresh(user)
    assert (user.role, user.agency_id, user.committee_id) == ("mp", None, committee.id)


def test_unknown_role_or_organisation_is_refused(client, admin, create_user):
    user = create_user()
    assert client.post(f"/en/admin/users/{user.id}", data={"role": "tsar"}).status_code == 200
    response = client.post(f"/en/admin/users/{user.id}", data={"role": "editor", "agency_id": "424242"})
    assert response.status_code == 200
    response = client.post(f"/en/admin/users/{user.id}", data={"role": "editor", "agency_id": "abc"})
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.role == "citizen"


def test_admin_cannot_demote_themselves(client, admin):
    response = client.post(f"/en/admin/users/{admin.id}", data={"role": "citizen"})
    assert response.status_code == 200
    assert "You cannot remove your own administrator role." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_admin_can_demote_another_admin(client, admin, create_user):
    other = create_user(role="admin")
    client.post(f"/en/admin/users/{other.id}", data={"role": "citizen"})
    db.session.refresh(other)
    assert other.role == "citizen"


def test_change_role_service_guards_self_demotion(app, create_user):
    admin = create_user(role="admin")
    with pytest.raises(AdminError):
        services.change_role(admin, admin, "moderator", None, None)
    services.change_role(admin, admin, "admin", None, None)
    assert db.session.get(User, admin.id).role == "admin"
