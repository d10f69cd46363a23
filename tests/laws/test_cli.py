"""`flask laws import` and `flask seed-demo`."""

from sqlalchemy import func, select

from app.auth.models import User
from app.comments.models import Comment
from app.extensions import db
from app.laws.models import Law, Section
from tests.conftest import DEMO


def test_import_creates_a_draft_from_a_russian_text(runner, create_agency):
    create_agency(slug="justice")
    result = runner.invoke(args=["laws", "import", str(DEMO / "public-discussion.ru.txt"), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    assert "6 chapters, 34 articles" in result.output
    law = db.session.scalar(select(Law))
    assert law.title_ru == "О публичных обсуждениях проектов нормативных правовых актов"
    assert law.status == "draft"


def test_import_adds_languages_to_a_version(runner, create_agency):
    create_agency(slug="justice")
    runner.invoke(args=["laws", "import", str(DEMO / "public-discussion.kk.txt"), "--lang", "kk", "--slug", "pd"])
    for lang in ("ru", "en"):
        path = DEMO / f"public-discussion.{lang}.txt"
        result = runner.invoke(args=["laws", "import", str(path), "--lang", lang, "--law", "pd", "--version", "1"])
        assert result.exit_code == 0, result.output
    law = db.session.scalar(select(Law).where(Law.slug == "pd"))
    assert law.versions[0].language_list == ["kk", "ru", "en"]
    assert law.title_en == "On public discussion of draft regulatory legal acts"
    article = db.session.scalar(select(Section).where(Section.key == "article:1"))
    assert article.heading_kk and article.heading_ru and article.heading_en


def test_import_refuses_a_mismatched_language_and_changes_nothing(runner, create_agency):
    create_agency()
    runner.invoke(args=["laws", "import", str(DEMO / "waste.v1.ru.txt"), "--lang", "ru", "--slug", "waste"])
    result = runner.invoke(
        args=["laws", "import", str(DEMO / "waste.v2.kk.txt"), "--lang", "kk", "--law", "waste", "--version", "1"]
    )
    assert result.exit_code == 1
    assert "not in the published version: article 11" in result.output
    assert db.session.scalar(select(func.count()).where(Section.body_kk.is_not(None))) == 0


def test_import_new_version(runner, create_agency):
    create_agency()
    runner.invoke(args=["laws", "import", str(DEMO / "waste.v1.ru.txt"), "--lang", "ru", "--slug", "waste"])
    result = runner.invoke(args=["laws", "import", str(DEMO / "waste.v2.ru.txt"), "--lang", "ru", "--law", "waste"])
    assert result.exit_code == 0 and "Published version 2 of waste" in result.output


def test_import_errors(runner, create_agency, tmp_path):
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x00\xff" * 100)
    result = runner.invoke(args=["laws", "import", str(binary), "--lang", "ru"])
    assert result.exit_code == 1 and "does not look like text" in result.output
    create_agency()
    create_agency()
    result = runner.invoke(args=["laws", "import", str(DEMO / "waste.v1.ru.txt"), "--lang", "ru"])
    assert result.exit_code == 1 and "--agency" in result.output
    result = runner.invoke(args=["laws", "import", str(DEMO / "waste.v1.ru.txt"), "--lang", "ru", "--law", "missing"])
    assert result.exit_code == 1 and "No draft law" in result.output
    assert db.session.scalar(select(func.count()).select_from(Law)) == 0


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo-admin-2026" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already loaded" in second.output
    laws = db.session.scalars(select(Law).order_by(Law.slug)).all()
    assert [law.slug for law in laws] == ["air-quality", "household-waste", "public-discussion"]
    waste = next(law for law in laws if law.slug == "household-waste")
    assert [v.number for v in waste.versions] == [1, 2]
    biggest = next(law for law in laws if law.slug == "public-discussion")
    assert biggest.latest_version.language_list == ["kk", "ru", "en"]
    assert {u.role for u in db.session.scalars(select(User))} == {"citizen", "editor", "moderator", "mp", "admin"}
    states = dict(db.session.execute(select(Comment.state, func.count(Comment.id)).group_by(Comment.state)).all())
    # 7 comments and 2 replies approved on the open drafts, 10 comments on air-quality (tests/main/test_demo_answers.py)
    assert states == {"approved": 19, "pending": 2, "rejected": 2}
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.parent_id.is_not(None))) == 2
