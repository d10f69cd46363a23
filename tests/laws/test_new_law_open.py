"""A new draft is either saved in preparation or published with its consultation opened in the same step."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import db
from app.laws.models import Law
from tests.conftest import demo_text

URL = "/en/editor/laws/new"


@pytest.fixture
def editor(create_user, create_agency, auth):
    user = create_user(role="editor", agency_id=create_agency(slug="ecology").id)
    auth.login(user)
    return user


def previewed(client, editor) -> dict:
    """Post the text for a preview; return the form data with the fingerprint of the text seen."""
    data = {"lang": "ru", "text": demo_text("air-quality.ru.txt"), "agency": editor.agency_id, "committee": 0}
    html = client.post(URL, data={**data, "preview": "1"}).get_data(as_text=True)
    assert 'name="open_consultation"' in html and 'name="closes_at"' in html
    assert 'value="Save as a draft in preparation"' in html and 'value="Publish and open the consultation"' in html
    fingerprint = html.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    return {**data, "fingerprint": fingerprint, "slug": "air"}


def laws() -> int:
    return db.session.scalar(select(func.count()).select_from(Law))


def test_the_first_page_offers_only_the_preview(client, editor):
    html = client.get(URL).get_data(as_text=True)
    assert "<h1>New draft law</h1>" in html
    assert 'name="preview"' in html and 'name="publish"' not in html and 'name="closes_at"' not in html


def test_save_as_a_draft_in_preparation(client, editor):
    response = client.post(URL, data={**previewed(client, editor), "publish": "1"})
    assert response.status_code == 302
    law = db.session.scalar(select(Law))
    assert law.status == "draft" and law.opens_at is None and not law.is_public


def test_publish_and_open_the_consultation(client, editor):
    closes = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    data = {**previewed(client, editor), "open_consultation": "1", "closes_at": closes}
    response = client.post(URL, data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/en/editor/laws/air/"
    law = db.session.scalar(select(Law))
    assert law.status == "open" and law.is_open_for_comments() and law.versions[0].number == 1
    assert abs(law.opens_at - utcnow()) < timedelta(minutes=1)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The draft is published and open for comments until" in page


@pytest.mark.parametrize(
    ("closes", "message"),
    [
        ("", "Choose when the consultation closes to open it now."),
        ("2020-01-01T12:00", "The consultation must close after it opens."),
    ],
)
def test_opening_without_a_future_close_writes_nothing(client, editor, closes, message):
    data = {**previewed(client, editor), "open_consultation": "1", "closes_at": closes}
    response = client.post(URL, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "Structure found in the text" in html  # the preview stays, the text is not lost
    assert laws() == 0


def test_open_without_the_previewed_text_only_previews(client, editor):
    closes = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    data = {**previewed(client, editor), "open_consultation": "1", "closes_at": closes, "fingerprint": "stale"}
    assert client.post(URL, data=data).status_code == 200
    assert laws() == 0
