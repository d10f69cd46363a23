"""An operator runs a consultation from the terminal: `flask laws list`, `open SLUG --closes DATE`, `close SLUG`."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.db import utcnow
from app.extensions import db
from app.laws.services import create_law


def days_from_now(days: int) -> str:
    return (utcnow() + timedelta(days=days)).strftime("%Y-%m-%d")


def test_list_shows_each_draft_with_its_window_and_published_comments(
    runner, open_law, create_law_from, article, create_comment
):
    create_comment(article)
    create_comment(article)
    create_comment(article, state="pending")
    create_law_from([("ru", "air-quality.ru.txt")], agency=open_law.agency, slug="air-quality", status="draft")
    result = runner.invoke(args=["laws", "list"])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split()[:4] == ["SLUG", "STATUS", "AGENCY", "VERSIONS"] and "WINDOW (Asia/Almaty)" in header
    assert rows[0].split()[:2] == ["air-quality", "draft"] and rows[0].split()[-1] == "0"
    assert rows[1].split()[:3] == ["household-waste", "open", open_law.agency.slug]
    assert "2 (kk, ru)" in rows[1]
    opens, closes = (moment.astimezone(ZoneInfo("Asia/Almaty")) for moment in (open_law.opens_at, open_law.closes_at))
    assert f"{opens:%Y-%m-%d %H:%M} - {closes:%Y-%m-%d %H:%M}" in rows[1]
    assert rows[1].split()[-1] == "2"  # the pending comment is not counted

    only_open = runner.invoke(args=["laws", "list", "--status", "open"]).output
    assert "household-waste" in only_open and "air-quality" not in only_open


def test_list_without_drafts(runner):
    assert runner.invoke(args=["laws", "list"]).output == "No drafts.\n"


def test_open_a_draft_until_the_end_of_the_closing_day(runner, waste_law):
    waste_law.status = "draft"
    db.session.commit()
    closes = days_from_now(14)
    result = runner.invoke(args=["laws", "open", "household-waste", "--closes", closes])
    assert result.exit_code == 0, result.output
    assert f"until {closes} 23:59" in result.output
    db.session.refresh(waste_law)
    assert waste_law.status == "open" and waste_law.is_open_for_comments()
    # 23:59 in Almaty (UTC+5) is 18:59 UTC.
    assert waste_law.closes_at == datetime.fromisoformat(f"{closes}T18:59").replace(tzinfo=UTC)
    assert abs(waste_law.opens_at - utcnow()) < timedelta(minutes=1)


def test_open_on_an_open_draft_moves_the_close_and_keeps_the_opening(runner, open_law):
    opened = open_law.opens_at
    result = runner.invoke(args=["laws", "open", "household-waste", "--closes", f"{days_from_now(30)}T12:00"])
    assert result.exit_code == 0, result.output
    db.session.refresh(open_law)
    assert open_law.opens_at == opened
    assert open_law.closes_at.strftime("%H:%M") == "07:00"  # 12:00 in Almaty


def test_reopen_a_closed_draft(runner, waste_law):
    waste_law.status = "closed"
    db.session.commit()
    result = runner.invoke(args=["laws", "open", "household-waste", "--closes", days_from_now(7)])
    assert result.exit_code == 0, result.output
    db.session.refresh(waste_law)
    assert waste_law.status == "open"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--closes", "31.12.2030"], "--closes takes a date, YYYY-MM-DD"),
        (["--closes", "2020-01-01"], "--closes 2020-01-01 has already passed"),
        (["--closes", "2030-01-31", "--opens", "2030-02-01"], "The consultation must close after it opens."),
    ],
)
def test_open_refuses_bad_dates_and_changes_nothing(runner, waste_law, args, message):
    waste_law.status = "draft"
    db.session.commit()
    result = runner.invoke(args=["laws", "open", "household-waste", *args])
    assert result.exit_code == 1
    assert message in result.output
    db.session.expire_all()
    assert waste_law.status == "draft" and waste_law.closes_at is None


def test_a_draft_without_text_cannot_be_opened(runner, create_agency):
    law = create_law(agency=create_agency(), created_by=None, titles={"ru": "Пустой проект"}, slug="empty")
    db.session.commit()
    result = runner.invoke(args=["laws", "open", "empty", "--closes", days_from_now(10)])
    assert result.exit_code == 1
    assert "Publish the text before opening the consultation." in result.output
    db.session.expire_all()
    assert law.status == "draft" and law.opens_at is None


def test_open_an_unknown_draft(runner, app):
    result = runner.invoke(args=["laws", "open", "nope", "--closes", days_from_now(10)])
    assert result.exit_code == 1 and "No draft law with the slug 'nope'." in result.output


def test_close_then_close_again(runner, open_law):
    result = runner.invoke(args=["laws", "close", "household-waste"])
    assert result.exit_code == 0, result.output
    assert "The consultation on household-waste is closed." in result.output
    db.session.refresh(open_law)
    assert open_law.status == "closed" and not open_law.is_open_for_comments()
    again = runner.invoke(args=["laws", "close", "household-waste"])
    assert again.exit_code == 1 and "already closed" in again.output


def test_a_draft_in_preparation_cannot_be_closed(runner, waste_law):
    waste_law.status = "draft"
    db.session.commit()
    result = runner.invoke(args=["laws", "close", "household-waste"])
    assert result.exit_code == 1
    assert "This status change is not allowed." in result.output


def test_import_says_agency_is_required_with_several_agencies(runner, create_agency, tmp_path):
    help_text = " ".join(runner.invoke(args=["laws", "import", "--help"]).output.split())
    assert "required when there are several agencies" in help_text
    create_agency(), create_agency()
    text = tmp_path / "draft.txt"
    text.write_text("Глава 1. Общие положения\n\nСтатья 1. Предмет\nТекст.\n", encoding="utf-8")
    result = runner.invoke(args=["laws", "import", str(text), "--lang", "ru"])
    assert result.exit_code == 1 and "Name the drafting agency with --agency SLUG." in result.output


def test_closing_early_ends_the_window_now_so_answers_fall_due_from_today(app, open_law):
    from app.answers.calendar import due_date, local_date
    from app.db import utcnow
    from app.laws.services import change_status

    planned = open_law.closes_at
    change_status(open_law, "closed")
    db.session.commit()
    assert open_law.closes_at < planned and local_date(open_law.closes_at) == local_date(utcnow())
    assert due_date(open_law.closes_at) < due_date(planned)
