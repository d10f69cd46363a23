"""MPs of a draft's committee hear when its consultation opens and closes, and when a summary is sent to them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.laws.services import change_status
from app.mail import outbox
from app.notifications.models import Notification
from app.notifications.optouts import make_unsubscribe_token
from app.summaries.review import submit_snapshot
from app.summaries.services import create_snapshot


@pytest.fixture
def committee_law(waste_law, create_committee, create_user):
    """The waste draft in preparation, with a committee of two MPs (kk, ru); a suspended MP; another committee's."""
    committee = create_committee()
    waste_law.status, waste_law.committee = "draft", committee
    waste_law.opens_at, waste_law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=9)
    db.session.commit()
    mps = {
        "kk": create_user(role="mp", committee_id=committee.id, locale="kk"),
        "ru": create_user(role="mp", committee_id=committee.id, locale="ru"),
        "suspended": create_user(role="mp", committee_id=committee.id, suspended_at=utcnow()),
        "elsewhere": create_user(role="mp", committee_id=create_committee().id),
        "citizen": create_user(),
    }
    outbox().clear()
    return waste_law, mps


def kinds_of(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def test_opening_and_closing_tell_the_committee(in_request, committee_law):
    law, mps = committee_law
    change_status(law, "open")
    db.session.commit()
    change_status(law, "closed")
    db.session.commit()
    for who in ("kk", "ru"):
        assert kinds_of(mps[who]) == ["consultation_opened", "consultation_closed"]
    for who in ("suspended", "elsewhere", "citizen"):
        assert kinds_of(mps[who]) == []
    mails = [m for m in outbox() if m.to == mps["ru"].email]
    assert len(mails) == 2 and f"/ru/laws/{law.slug}/" in mails[0].body
    assert {m.to for m in outbox()} == {mps["kk"].email, mps["ru"].email}


def test_withdrawing_tells_no_one(in_request, committee_law):
    law, mps = committee_law
    change_status(law, "withdrawn")
    db.session.commit()
    assert kinds_of(mps["kk"]) == [] and outbox() == []


def test_a_draft_without_a_committee_tells_no_one(in_request, committee_law):
    law, mps = committee_law
    law.committee = None
    change_status(law, "open")
    db.session.commit()
    assert kinds_of(mps["kk"]) == [] and outbox() == []


def test_a_submitted_summary_is_listed_and_links_to_its_page(client, auth, committee_law):
    law, mps = committee_law
    law.status = "closed"
    snapshot = create_snapshot(law, law.latest_version, None)
    submit_snapshot(snapshot, None)
    db.session.commit()
    auth.login(mps["ru"])
    html = client.get("/en/notifications/").get_data(as_text=True)
    assert "sent your committee summary no. 1" in html
    assert f'href="/en/parliament/laws/{law.slug}/summaries/1/"' in html


@pytest.mark.parametrize("kind", ["consultation_opened", "consultation_closed", "summary_submitted"])
def test_mps_can_stop_these_emails(client, committee_law, kind):
    _law, mps = committee_law
    token = make_unsubscribe_token(mps["kk"], kind, None)
    assert client.get(f"/en/notifications/unsubscribe/{token}").status_code == 200
    assert client.post(f"/en/notifications/unsubscribe/{token}").status_code == 200
