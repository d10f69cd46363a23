"""The answering services: who may answer, what an answer must say, groups, corrections and traces."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.answers import calendar, services
from app.answers.models import Answer, AnswerLink, AnswerRevision
from app.answers.services import AnswerError
from app.extensions import db
from app.notifications.models import Notification


@pytest.fixture
def editor(create_user, open_law):
    return create_user("editor", agency=open_law.agency)


@pytest.fixture
def v1_sections(open_law):
    return {s.key: s for s in open_law.versions[0].sections}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_editor_answers_a_comment_and_its_author_is_told(open_law, article, editor, create_comment):
    comment = create_comment(article)
    answer = services.answer_comments(
        open_law, [comment], user=editor, decision="accepted", reasoning={"ru": "Учтём в следующей редакции."}
    )
    db.session.commit()
    assert services.answers_for([comment.id])[comment.id].answer.id == answer.id
    told = db.session.scalars(select(Notification).where(Notification.kind == "answered")).all()
    assert [(n.user_id, n.comment_id) for n in told] == [(comment.author_id, comment.id)]


@pytest.mark.parametrize("decision", ["rejected", "partly_accepted"])
def test_a_refusal_without_reasoning_is_refused_and_writes_nothing(open_law, article, editor, create_comment, decision):
    comment = create_comment(article)
    with pytest.raises(AnswerError, match="reasoning"):
        services.answer_comments(open_law, [comment], user=editor, decision=decision, reasoning={"kk": "  \r\n "})
    db.session.rollback()
    assert _count(Answer) == 0 and _count(AnswerLink) == 0


@pytest.mark.parametrize("decision", [None, "", "maybe", "ACCEPTED"])
def test_an_unknown_decision_is_refused(open_law, article, editor, create_comment, decision):
    comment = create_comment(article)
    with pytest.raises(AnswerError, match="decision"):
        services.answer_comments(open_law, [comment], user=editor, decision=decision, reasoning={})


@pytest.mark.parametrize("role", ["moderator", "mp", "citizen"])
def test_moderators_mps_and_citizens_cannot_answer(open_law, article, create_user, create_comment, role):
    comment = create_comment(article)
    with pytest.raises(AnswerError) as refused:
        services.answer_comments(open_law, [comment], user=create_user(role), decision="accepted", reasoning={})
    assert refused.value.status == 403


def test_an_editor_of_another_agency_cannot_answer(open_law, article, create_user, create_agency, create_comment):
    comment = create_comment(article)
    other = create_user("editor", agency=create_agency())
    with pytest.raises(AnswerError) as refused:
        services.answer_comments(open_law, [comment], user=other, decision="accepted", reasoning={})
    assert refused.value.status == 403


def test_only_published_comments_of_the_draft_are_answered(open_law, article, editor, create_comment, waste_law):
    pending = create_comment(article, state="pending")
    with pytest.raises(AnswerError, match="not published"):
        services.answer_comments(open_law, [pending], user=editor, decision="accepted", reasoning={})


def test_one_answer_to_a_campaign_of_300_reaches_all_and_tells_each_author_once(
    open_law, article, editor, create_user, create_comment
):
    from app.moderation.models import Campaign, CommentFingerprint

    campaign = Campaign(law_id=open_law.id, kind="campaign", size=300)
    db.session.add(campaign)
    db.session.flush()
    comments = []
    for n in range(300):
        comment = create_comment(article, author=create_user(), body=f"Против переноса сроков. {n}", stance="oppose")
        comments.append(comment)
    # Every comment got its fingerprint when posted; these texts differ, so put them in the campaign by hand.
    db.session.execute(
        CommentFingerprint.__table__.update()
        .where(CommentFingerprint.comment_id.in_([c.id for c in comments]))
        .values(campaign_id=campaign.id)
    )
    db.session.commit()

    members = services.campaign_comments(open_law, campaign.id)
    answer = services.answer_comments(
        open_law, members, user=editor, decision="rejected", reasoning={"ru": "Срок установлен законом."},
        scope="campaign", scope_ref=str(campaign.id),
    )  # fmt: skip
    db.session.commit()

    given = services.answers_for(c.id for c in comments)
    assert len(given) == 300 and {g.answer.id for g in given.values()} == {answer.id}
    authors = db.session.scalars(select(Notification.user_id).where(Notification.kind == "answered")).all()
    assert sorted(authors) == sorted(c.author_id for c in comments)
    from app.answers.figures import figures_of_law

    counted = figures_of_law(open_law).figures
    assert (counted.answered, counted.by_decision["rejected"]) == (300, 300)


def test_a_similar_comments_group_is_not_answered_as_a_campaign(open_law, article, editor, create_comment):
    from app.moderation.models import Campaign

    similar = Campaign(law_id=open_law.id, kind="similar", size=3)
    db.session.add(similar)
    db.session.commit()
    with pytest.raises(AnswerError, match="campaign"):
        services.campaign_comments(open_law, similar.id)


def test_an_author_with_several_comments_in_one_group_is_told_once(
    open_law, article, editor, create_user, create_comment
):
    author = create_user()
    comments = [create_comment(article, author=author, body=f"Замечание {n}") for n in range(3)]
    services.answer_comments(
        open_law, comments, user=editor, decision="not_applicable", reasoning={}, scope="selection"
    )
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "answered")) == 1


def test_a_correction_keeps_what_the_answer_said(open_law, article, editor, create_comment):
    comment = create_comment(article)
    answer = services.answer_comments(
        open_law, [comment], user=editor, decision="rejected", reasoning={"kk": "Заңға сәйкес емес."}
    )
    db.session.commit()
    assert services.correct_answer(
        answer, user=editor, decision="partly_accepted", reasoning={"kk": "Ішінара ескерілді."}
    )
    db.session.commit()
    assert answer.corrected_at is not None and answer.decision == "partly_accepted"
    [before] = answer.revisions
    assert (before.decision, before.reasoning_kk) == ("rejected", "Заңға сәйкес емес.")
    # The same words again change nothing and keep no second revision.
    assert not services.correct_answer(
        answer, user=editor, decision="partly_accepted", reasoning={"kk": "Ішінара ескерілді."}
    )
    assert _count(AnswerRevision) == 1


def test_a_group_answer_replaces_an_earlier_one_but_keeps_when_it_was_first_answered(
    open_law, article, editor, create_comment
):
    first, second = create_comment(article), create_comment(article)
    early = datetime(2026, 1, 5, 9, tzinfo=UTC)
    services.answer_comments(open_law, [first], user=editor, decision="accepted", reasoning={}, now=early)
    group = services.answer_comments(
        open_law,
        [first, second],
        user=editor,
        decision="partly_accepted",
        reasoning={"ru": "Частично."},
        scope="selection",
    )
    db.session.commit()
    given = services.answers_for([first.id, second.id])
    assert given[first.id].answer.id == given[second.id].answer.id == group.id
    assert given[first.id].answered_at == early


def test_an_accepted_answer_is_traced_to_a_unit_that_changed_in_the_next_version(
    open_law, editor, create_comment, v1_sections
):
    comment = create_comment(v1_sections["article:10"])
    answer = services.answer_comments(open_law, [comment], user=editor, decision="accepted", reasoning={})
    candidates = services.trace_candidates(answer)
    assert candidates and all(c.version.number == 2 for c in candidates)
    changed = candidates[0]
    assert changed.section.text("ru") != changed.before.text("ru")
    assert services.trace_answer(answer, changed.section, user=editor)
    db.session.commit()
    assert answer.changed_section_id == changed.section.id and services.unit_spec(changed.section) == changed.spec
    assert services.find_unit(open_law, changed.spec).id == changed.section.id


def test_an_unchanged_unit_or_a_rejected_answer_cannot_be_traced(open_law, editor, create_comment, v1_sections):
    comment = create_comment(v1_sections["article:10"])
    answer = services.answer_comments(open_law, [comment], user=editor, decision="accepted", reasoning={})
    changed = {c.section.id for c in services.trace_candidates(answer)}
    unchanged = next(s for s in open_law.versions[1].sections if s.id not in changed)
    with pytest.raises(AnswerError, match="did not change"):
        services.trace_answer(answer, unchanged, user=editor)
    with pytest.raises(AnswerError, match="did not change"):
        services.trace_answer(answer, v1_sections["article:10"], user=editor)
    rejected = services.answer_comments(
        open_law,
        [create_comment(v1_sections["article:10"])],
        user=editor,
        decision="rejected",
        reasoning={"ru": "Нет."},
    )
    with pytest.raises(AnswerError, match="accepted"):
        services.trace_answer(rejected, services.trace_candidates(rejected)[0].section, user=editor)


@pytest.mark.parametrize("spec", ["", "2", "9:1", "x:1", "2:999", ":1"])
def test_a_changed_in_that_names_no_unit_is_refused(open_law, spec):
    with pytest.raises(AnswerError):
        services.find_unit(open_law, spec)


def test_the_due_day_skips_weekends_and_public_holidays(app, tmp_path):
    holidays = tmp_path / "holidays.txt"
    holidays.write_text("# test\n2026-05-11 Жеңіс күні (ауыстырылған)\n", encoding="utf-8")
    app.config["HOLIDAYS_FILE"] = str(holidays)
    app.config["ANSWER_WORKING_DAYS"] = 3
    # Closes on Friday 8 May at 18:00 in Almaty: Sat, Sun and the holiday on Monday do not count.
    closes = datetime(2026, 5, 8, 13, tzinfo=UTC)
    assert calendar.due_date(closes) == date(2026, 5, 14)
    days_off = calendar.holidays()
    assert calendar.working_days_between(date(2026, 5, 8), date(2026, 5, 14), days_off) == 3
    assert calendar.working_days_between(date(2026, 5, 15), date(2026, 5, 14), days_off) == -1


def test_a_holidays_file_with_a_bad_date_names_the_line(app, tmp_path):
    holidays = tmp_path / "holidays.txt"
    holidays.write_text("2026-05-11\n2026-13-01 typo\n", encoding="utf-8")
    app.config["HOLIDAYS_FILE"] = str(holidays)
    with pytest.raises(ValueError, match="line 2"):
        calendar.holidays()


def test_the_shipped_holidays_file_reads():
    from app.answers.calendar import DEFAULT_HOLIDAYS_FILE, _read_holidays

    days = _read_holidays(str(DEFAULT_HOLIDAYS_FILE), 0)
    assert date(2026, 3, 23) in days and date(2026, 12, 16) in days and len(days) > 40
