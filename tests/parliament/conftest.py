"""Fixtures for the MPs' workspace: the summaries' demo draft (kk/ru/en), with a committee, comments and MPs."""

from types import SimpleNamespace

import pytest

from app.extensions import db
from tests.summaries.conftest import discussion_law  # noqa: F401 (a fixture)
from tests.summaries.workspace import build, comment_on, submit


@pytest.fixture
def parliament(discussion_law, create_committee, create_user, create_law_from):  # noqa: F811
    """Summary No. 1 of the discussion draft submitted to committee A; another committee's draft and summary."""
    committee, other_committee = create_committee(), create_committee()
    law = discussion_law
    law.committee = committee
    db.session.commit()
    comment_on(law)
    editor = create_user(role="editor", agency_id=law.agency_id)
    sent = submit(build(law, editor), editor)
    other = create_law_from([("ru", "public-discussion.ru.txt")], slug="other-discussion", committee=other_committee)
    comment_on(other, n=20)
    other.status = "closed"
    db.session.commit()
    other_sent = submit(build(other, editor), editor)
    return SimpleNamespace(
        law=law,
        other=other,
        committee=committee,
        sent=sent,
        other_sent=other_sent,
        editor=editor,
        mp=create_user(role="mp", committee_id=committee.id, locale="ru"),
        other_mp=create_user(role="mp", committee_id=other_committee.id),
        loose_mp=create_user(role="mp"),
    )
