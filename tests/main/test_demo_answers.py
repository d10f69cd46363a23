"""`flask seed-demo` on the closed draft "air-quality": comments, a second version and answers of every kind."""

from datetime import timedelta

from sqlalchemy import func, select

from app.answers.figures import figures_of_law
from app.answers.models import DECISIONS, NEEDS_REASONING, Answer, AnswerLink, Scope
from app.answers.services import linked_comments
from app.db import utcnow
from app.extensions import db
from app.laws.models import Law, Section


def _air_quality() -> Law:
    return db.session.scalar(select(Law).where(Law.slug == "air-quality"))


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables
    }


def test_the_closed_demo_draft_has_answers_of_every_kind(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo answers: air-quality" in result.output
    law = _air_quality()
    assert law.status == "closed"
    assert [v.number for v in law.versions] == [1, 2]
    assert law.version(2).language_list == ["kk", "ru"]
    first, second = law.versions
    assert first.published_at < law.opens_at < law.closes_at < second.published_at < utcnow()
    answers = db.session.scalars(select(Answer).where(Answer.law_id == law.id)).all()
    assert {a.decision for a in answers} == set(DECISIONS)
    for answer in answers:
        assert all(c.section.version.number == 1 for c in linked_comments(answer))
        if answer.decision in NEEDS_REASONING:
            assert answer.reasoning("kk") and answer.reasoning("ru"), answer
    [group] = [a for a in answers if a.scope == Scope.SELECTION]
    assert len(linked_comments(group)) == 3
    [corrected] = [a for a in answers if a.corrected_at is not None]
    assert [r.decision for r in corrected.revisions] == ["partly_accepted"] and corrected.decision == "accepted"
    assert corrected.revisions[0].reasoning("ru") != corrected.reasoning("ru")


def test_exactly_one_answer_is_traced_to_a_unit_that_changed_in_version_2(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    law = _air_quality()
    answers = db.session.scalars(select(Answer).where(Answer.law_id == law.id)).all()
    [traced] = [a for a in answers if a.changed_section_id is not None]
    assert traced.promises_change and traced.traced_at is not None
    unit = traced.changed_section
    assert unit.version.number == 2
    before = db.session.scalar(
        select(Section).where(Section.version_id == law.version(1).id, Section.identity_id == unit.identity_id)
    )
    assert before is not None and before.key == unit.key
    for lang in ("kk", "ru"):
        assert before.text(lang) != unit.text(lang)
    assert "двадцать минут" in unit.text("ru") and "двадцать минут" not in before.text("ru")


def test_the_figures_of_the_answered_draft_are_not_perfect(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    law = _air_quality()
    figures = figures_of_law(law).figures
    assert figures.received > figures.approved > figures.answered > figures.on_time > 0
    assert figures.approved - figures.answered == 1  # one comment left unanswered
    assert figures.traced == 1 and figures.promised > figures.traced
    assert all(count > 0 for count in figures.by_decision.values())
    # Every answer was given in the weeks after the close: none before it, none in the future.
    moments = db.session.scalars(select(AnswerLink.answered_at).join(Answer).where(Answer.law_id == law.id)).all()
    assert all(law.closes_at < moment < min(utcnow(), law.closes_at + timedelta(days=28)) for moment in moments)


def test_a_second_seed_changes_no_row(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    before = _row_counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "Demo answers: already loaded" in second.output
    assert _row_counts() == before


def test_a_draft_seeded_before_the_answers_gets_them_on_the_next_seed(runner, monkeypatch):
    monkeypatch.setattr("app.main.demo.seed_answers", lambda law, voices: False)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert len(_air_quality().versions) == 1
    monkeypatch.undo()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    law = _air_quality()
    assert len(law.versions) == 2
    assert db.session.scalar(select(func.count(Answer.id)).where(Answer.law_id == law.id)) == 7
