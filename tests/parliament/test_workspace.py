"""The MPs' workspace: their committee's summaries (unread marked), consultations, drafts, and each summary's page."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import db
from app.summaries.models import SummaryRead
from tests.summaries.workspace import build


def reads(user) -> int:
    return db.session.scalar(select(func.count()).select_from(SummaryRead).where(SummaryRead.user_id == user.id))


def summary_url(law, number: int, lang: str = "en") -> str:
    return f"/{lang}/parliament/laws/{law.slug}/summaries/{number}/"


@pytest.mark.parametrize("role", ["citizen", "editor", "moderator"])
def test_only_mps_and_admins_may_enter(client, auth, create_user, parliament, role):
    urls = ["/en/parliament/", "/en/parliament/drafts", summary_url(parliament.law, 1)]
    assert [client.get(url).status_code for url in urls] == [302, 302, 302]  # to log in
    auth.login(create_user(role=role))
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]


def test_the_nav_shows_mps_the_way_to_parliament(client, auth, create_user, parliament):
    assert "/en/parliament/" not in client.get("/en/").get_data(as_text=True)
    auth.login(parliament.mp)
    assert 'href="/en/parliament/"' in client.get("/en/").get_data(as_text=True)


def test_the_committee_summary_is_unread_until_opened(client, auth, parliament):
    auth.login(parliament.mp)
    html = client.get("/en/parliament/").get_data(as_text=True)
    assert "1 summary you have not read yet." in html
    assert "Unread" in html and summary_url(parliament.law, 1) in html
    assert summary_url(parliament.other, 1) not in html  # another committee's is not listed as theirs

    html = client.get(summary_url(parliament.law, 1)).get_data(as_text=True)
    assert 'class="chart heatmap"' in html and 'class="chart stance-chart"' in html
    assert parliament.sent.content_hash in html
    assert reads(parliament.mp) == 1
    html = client.get("/en/parliament/").get_data(as_text=True)
    assert "Unread" not in html and "you have not read yet" not in html

    response = client.post(f"/en/parliament/laws/{parliament.law.slug}/summaries/1/unread")
    assert response.status_code == 302
    assert reads(parliament.mp) == 0
    assert "Unread" in client.get("/en/parliament/").get_data(as_text=True)


def test_another_committees_summary_is_readable_but_not_tracked(client, auth, parliament):
    auth.login(parliament.mp)
    html = client.get(summary_url(parliament.other, 1)).get_data(as_text=True)
    assert "This summary was sent to another committee." in html and "Mark as unread" not in html
    assert reads(parliament.mp) == 0


def test_a_summary_not_sent_does_not_exist_for_parliament(client, auth, parliament):
    build(parliament.law)  # No. 2, built, not submitted
    auth.login(parliament.mp)
    assert client.get(summary_url(parliament.law, 2)).status_code == 404
    assert client.get(summary_url(parliament.law, 7)).status_code == 404


def test_open_consultations_with_their_closing_dates(client, auth, parliament, create_law_from):
    law = create_law_from([("ru", "air-quality.ru.txt")], slug="air", committee=parliament.committee)
    law.opens_at, law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=3)
    db.session.commit()
    auth.login(parliament.mp)
    html = client.get("/en/parliament/").get_data(as_text=True)
    assert "Open consultations" in html and "/en/laws/air/" in html and "left)" in html


def test_drafts_of_the_committee_and_of_everyone(client, auth, parliament):
    auth.login(parliament.mp)
    html = client.get("/en/parliament/drafts").get_data(as_text=True)
    assert f"/en/laws/{parliament.law.slug}/" in html and f"/en/laws/{parliament.other.slug}/" not in html
    assert summary_url(parliament.law, 1) in html
    html = client.get("/en/parliament/drafts?scope=all").get_data(as_text=True)
    assert f"/en/laws/{parliament.other.slug}/" in html and summary_url(parliament.other, 1) in html


def test_an_mp_without_a_committee_is_told_so(client, auth, parliament):
    auth.login(parliament.loose_mp)
    html = client.get("/en/parliament/").get_data(as_text=True)
    assert "not linked to a committee" in html and "No summaries have been sent to the committee yet." in html


def test_admins_see_every_committee(client, auth, create_user, parliament):
    auth.login(create_user(role="admin"))
    html = client.get("/en/parliament/").get_data(as_text=True)
    assert summary_url(parliament.law, 1) in html and summary_url(parliament.other, 1) in html


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_summary_page_renders_in_every_language_without_inline_styles(client, auth, parliament, lang):
    auth.login(parliament.mp)
    response = client.get(summary_url(parliament.law, 1, lang))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "style=" not in html and "<script>" not in html and " onclick" not in html
    assert f'lang="{lang}"' in html


def test_the_summary_page_links_its_downloads(client, auth, parliament):
    auth.login(parliament.mp)
    html = client.get(summary_url(parliament.law, 1)).get_data(as_text=True)
    assert f'href="/en/summaries/{parliament.law.slug}/1.pdf"' in html
