"""Creating and editing drafting agencies and parliamentary committees."""

import pytest

from app.extensions import db
from app.organisations.models import Agency, Committee

KINDS = [("agencies", Agency), ("committees", Committee)]


@pytest.fixture
def admin(create_user, auth):
    user = create_user(role="admin")
    auth.login(user)
    return user


@pytest.mark.parametrize(("path", "model"), KINDS)
def test_empty_lists_say_so(client, admin, path, model):
    html = client.get(f"/en/admin/{path}").get_data(as_text=True)
    assert "There are no" in html
    assert f'href="/en/admin/{path}/new"' in html


@pytest.mark.parametrize(("path", "model"), KINDS)
def test_create_then_edit(client, admin, path, model):
    data = {
        "slug": " Justice-Ministry ",
        "name_kk": "Әділет министрлігі",
        "name_ru": "Министерство юстиции",
        "name_en": "",
    }
    response = client.post(f"/en/admin/{path}/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/en/admin/{path}"
    organisation = db.session.execute(db.select(model)).scalar_one()
    assert (organisation.slug, organisation.name_en) == ("justice-ministry", None)

    html = client.get(f"/en/admin/{path}").get_data(as_text=True)
    assert "Министерство юстиции" in html

    data = {"slug": "justice", "name_kk": "Әділет", "name_ru": "Юстиция", "name_en": "Justice"}
    assert client.post(f"/en/admin/{path}/{organisation.id}", data=data).status_code == 302
    db.session.refresh(organisation)
    assert (organisation.slug, organisation.name_en) == ("justice", "Justice")


@pytest.mark.parametrize(("path", "model"), KINDS)
def test_slug_must_be_unique_and_well_formed(client, admin, path, model, create_agency, create_committee):
    factory = create_agency if model is Agency else create_committee
    factory(slug="taken")
    mine = factory(slug="mine")
    for slug, message in [("taken", "already used"), ("Not a slug!", "Use lower-case Latin letters")]:
        data = {"slug": slug, "name_kk": "Атауы", "name_ru": "Название"}
        response = client.post(f"/en/admin/{path}/new", data=data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    # Keeping one's own slug is fine.
    data = {"slug": "mine", "name_kk": "Жаңа", "name_ru": "Новое"}
    assert client.post(f"/en/admin/{path}/{mine.id}", data=data).status_code == 302
    assert db.session.execute(db.select(db.func.count(model.id))).scalar() == 2


def test_names_in_kazakh_and_russian_are_required(client, admin):
    response = client.post("/en/admin/agencies/new", data={"slug": "x", "name_kk": "", "name_ru": ""})
    assert response.status_code == 200
    assert db.session.execute(db.select(Agency)).first() is None


def test_member_counts(client, admin, create_user, create_agency):
    agency = create_agency(slug="finance")
    create_user(role="editor", agency=agency)
    create_user(role="editor", agency=agency)
    html = client.get("/en/admin/agencies").get_data(as_text=True)
    assert "<td>2</td>" in html
