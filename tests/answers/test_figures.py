"""The Hearing State figures equal an independent recount from the rows, deadline included."""

from datetime import UTC, date, datetime
from statistics import median
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from app.answers import figures, services
from app.extensions import db

ALMATY = ZoneInfo("Asia/Almaty")
# Closes on Friday 8 May 2026 at 18:00 in Almaty. With 3 working days and Monday 11 May a holiday (the test's
# holidays file), the days counted are Tue 12, Wed 13, Thu 14: answers are due on Thursday 14 May.
CLOSES = datetime(2026, 5, 8, 13, tzinfo=UTC)
DUE = date(2026, 5, 14)


def almaty(*args) -> datetime:
    return datetime(*args, tzinfo=ALMATY).astimezone(UTC)


@pytest.fixture
def calendar_config(app, tmp_path):
    holidays = tmp_path / "holidays.txt"
    holidays.write_text("2026-05-11 a public holiday\n", encoding="utf-8")
    app.config["HOLIDAYS_FILE"] = str(holidays)
    app.config["ANSWER_WORKING_DAYS"] = 3


@pytest.fixture
def consultation(calendar_config, open_law, create_user, create_comment):
    """Six published comments on version 1, one pending, one rejected; answered in every way, then closed."""
    editor = create_user("editor", agency=open_law.agency)
    article = next(s for s in open_law.versions[0].sections if s.key == "article:10")
    c = [create_comment(article, body=f"Замечание номер {n}") for n in range(6)]
    create_comment(article, state="pending")
    rejected = create_comment(article, state="pending")
    from app.comments.services import reject_comment

    reject_comment(rejected, reason="spam")
    open_law.opens_at, open_law.closes_at, open_law.status = almaty(2026, 4, 1), CLOSES, "closed"
    db.session.commit()

    answer = services.answer_comments
    first = answer(open_law, [c[0]], user=editor, decision="accepted", reasoning={}, now=almaty(2026, 5, 12, 10))
    answer(open_law, [c[1]], user=editor, decision="partly_accepted", reasoning={"ru": "Частично."},
           now=almaty(2026, 5, 14, 23))  # fmt: skip
    # Thursday 19:30 in UTC is already Friday 00:30 in Almaty: late.
    answer(open_law, [c[2]], user=editor, decision="rejected", reasoning={"kk": "Жоқ."}, now=almaty(2026, 5, 15, 0, 30))
    answer(open_law, c[3:5], user=editor, decision="not_applicable", reasoning={}, scope="selection",
           now=almaty(2026, 5, 20, 9))  # fmt: skip
    services.trace_answer(first, services.trace_candidates(first)[0].section, user=editor)
    db.session.commit()
    return open_law


def recount(law_id: int) -> dict:
    """Count from the tables with plain SQL, knowing nothing of app.answers.figures."""
    rows = db.session.execute(
        text("SELECT state, COUNT(*) FROM comments WHERE law_id = :law GROUP BY state"), {"law": law_id}
    ).all()
    received = sum(n for _state, n in rows)
    approved = sum(n for state, n in rows if state == "approved")
    answered = db.session.execute(
        text(
            "SELECT l.answered_at, a.decision, a.changed_section_id FROM answer_links l "
            "JOIN answers a ON a.id = l.answer_id JOIN comments c ON c.id = l.comment_id "
            "WHERE c.law_id = :law AND c.state = 'approved'"
        ),
        {"law": law_id},
    ).all()
    local_days = []
    for at, _decision, _changed in answered:
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(at)
        local_days.append(moment.replace(tzinfo=UTC).astimezone(ALMATY).date())
    decisions = [d for _at, d, _c in answered]
    promised = [(d, ch) for _at, d, ch in answered if d in ("accepted", "partly_accepted")]
    return {
        "received": received,
        "approved": approved,
        "answered": len(answered),
        "by_decision": {d: decisions.count(d) for d in ("accepted", "partly_accepted", "rejected", "not_applicable")},
        "median_days": median((day - date(2026, 5, 8)).days for day in local_days),
        "on_time": sum(day <= DUE for day in local_days),
        "traced": sum(ch is not None for _d, ch in promised),
        "promised": len(promised),
    }


def test_the_figures_of_a_draft_equal_an_independent_recount(consultation):
    counted = figures.figures_of_law(consultation)
    expected = recount(consultation.id)
    assert counted.due == DUE
    got = counted.figures
    assert (got.received, got.approved, got.answered) == (
        expected["received"],
        expected["approved"],
        expected["answered"],
    )
    assert got.by_decision == expected["by_decision"]
    assert got.median_days == expected["median_days"]
    assert (got.on_time, got.promised, got.traced) == (expected["on_time"], expected["promised"], expected["traced"])
    # And the values themselves, so a shared mistake in both counts would still show.
    assert (got.received, got.approved, got.answered, got.on_time) == (8, 6, 5, 2)
    assert got.median_days == 7 and got.traced_share == 0.5
    assert got.answered_share == round(5 / 6, 4) and got.on_time_share == round(2 / 6, 4)


def test_agencies_and_the_overall_figures_add_up_their_drafts(
    consultation, create_law_from, create_user, create_comment
):
    other = create_law_from([("ru", "waste.v1.ru.txt")], slug="other-draft")
    other.opens_at, other.closes_at = consultation.opens_at, datetime(2030, 1, 1, tzinfo=UTC)
    article = next(s for s in other.latest_version.sections if s.kind == "article")
    comment = create_comment(article)
    editor = create_user("editor", agency=other.agency)
    services.answer_comments(other, [comment], user=editor, decision="accepted", reasoning={})
    db.session.commit()

    ranked, overall = figures.agency_figures()
    assert [entry.agency.id for entry in ranked] == [other.agency_id, consultation.agency_id]
    assert overall.approved == 6 + 1 and overall.answered == 5 + 1
    # The other draft's comment was answered before its consultation closed: 0 days, not a negative number.
    assert sorted(overall.days) == sorted([*figures.figures_of_law(consultation).figures.days, 0])


def test_a_draft_in_preparation_is_not_counted(consultation, create_law_from):
    create_law_from([("ru", "waste.v1.ru.txt")], slug="in-preparation", status="draft")
    ranked, overall = figures.agency_figures()
    assert [e.law.slug for entry in ranked for e in entry.laws] == [consultation.slug]
