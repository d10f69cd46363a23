"""`flask comments import`: comments received by letter, at hearings, through e-Otinish or other portals."""

import csv
import json
import random
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.comments.models import Comment
from app.db import utcnow
from app.extensions import db
from app.laws.models import Section
from app.laws.numbering import number_paths
from app.mail import outbox
from app.notifications.models import Follow, Notification
from tests.api.test_api import response_schema
from tests.conftest import DEFAULT_PASSWORD

COLUMNS = ["ref", "law", "version", "section", "language", "stance", "body", "proposed", "author", "channel",
           "received_at", "internal_note"]  # fmt: skip
RU = "Предлагаю увеличить срок вывоза отходов в сельской местности до трёх суток, граждане не успевают"
KK = "Ауылдық жерлерде қалдықтарды шығару мерзімін үш тәулікке дейін ұзартуды ұсынамын, тұрғындар үлгермейді"


def comment_count() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def external_count() -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.external.is_(True)))


def citable_paths(law) -> list[str]:
    sections = db.session.scalars(select(Section).where(Section.version_id == law.latest_version.id)).all()
    kinds = {s.id: s.kind for s in sections}
    return sorted(
        path for sid, path in number_paths(sections).items() if kinds[sid] in ("article", "point", "subpoint")
    )


def row(draft, ref: str, /, **values) -> dict:
    received = (utcnow() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    base = {
        "ref": ref, "law": draft.slug, "version": "", "section": "10", "language": "", "stance": "oppose",
        "body": f"{RU} ({ref})", "proposed": "", "author": "Иван Петров", "channel": "letter",
        "received_at": received, "internal_note": "not imported",
    }  # fmt: skip
    base.update(values)
    return base


def write_csv(path, rows: list[dict]):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path, rows: list[dict]):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def run_import(runner, path, *options):
    return runner.invoke(args=["comments", "import", str(path), *options])


@pytest.fixture
def closed_law(create_law_from):
    return create_law_from([("ru", "air-quality.ru.txt")], slug="air-quality", status="closed")


@pytest.fixture
def mixed_file(tmp_path, open_law, closed_law, create_law_from):
    """About 200 rows on the open draft, every tenth of them bad in a different way; {line: what is wrong}."""
    in_preparation = create_law_from([("ru", "waste.v1.ru.txt")], slug="waste-draft", status="draft")
    rng = random.Random(3)
    paths = citable_paths(open_law)
    bad_values = [
        ({"section": "77.3"}, "no article, point or sub-point '77.3'"),
        ({"stance": "maybe"}, "stance must be one of"),
        ({"stance": "amend", "proposed": ""}, "stance amend needs the proposed wording"),
        ({"channel": "fax"}, "channel must be one of"),
        ({"received_at": "31.02.2026"}, "is not a date"),
        ({"body": "   "}, "body is empty"),
        ({"law": closed_law.slug}, "not open for comments (status: closed)"),
        ({"law": in_preparation.slug}, "still in preparation"),
        ({"received_at": (utcnow() + timedelta(days=3)).isoformat()}, "in the future"),
        ({"author": ""}, "author is empty"),
        ({"ref": "R-0005"}, "ref 'R-0005' is also on line 6"),
        ({"law": "no-such-draft"}, "no draft law 'no-such-draft'"),
        ({"language": "de"}, "language must be kk, ru, en or empty"),
        ({"version": "9"}, "has no version '9'"),
    ]
    rows, bad = [], {}
    for n in range(1, 201):
        stance = rng.choice(["support", "oppose", "neutral", "amend"])
        values = {
            "section": rng.choice(paths),
            "stance": stance,
            "proposed": "Отходы вывозятся не реже одного раза в трое суток." if stance == "amend" else "",
            "author": f"Автор {n % 40}",
            "channel": rng.choice(["portal", "letter", "hearing", "e-otinish", "other"]),
            "version": rng.choice(["", "2"]),
        }
        if n % 14 == 0:
            change, message = bad_values[n // 14 - 1]
            values.update(change)
            bad[n + 1] = message  # the header is line 1
        rows.append(row(open_law, f"R-{n:04d}", **values))
    return write_csv(tmp_path / "comments.csv", rows), bad


def test_bad_rows_are_listed_by_line_and_nothing_is_written(runner, mixed_file):
    path, bad = mixed_file
    result = run_import(runner, path)
    assert result.exit_code == 1
    for line, message in bad.items():
        assert f"line {line}: " in result.output and message in result.output, (line, message)
    listed = [text for text in result.output.splitlines() if text.startswith("line ")]
    assert len(listed) == len(bad) == 14
    assert "14 bad rows, nothing imported" in result.output
    assert comment_count() == 0 and external_count() == 0


def test_skip_bad_imports_the_rest_and_a_rerun_adds_nothing(runner, mixed_file):
    path, bad = mixed_file
    result = run_import(runner, path, "--skip-bad")
    assert result.exit_code == 0, result.output
    assert comment_count() == 200 - len(bad) == 186
    assert "Imported 186 comments (0 already imported, 14 bad rows skipped)" in result.output
    assert external_count() == 40  # "Автор 0" ... "Автор 39"

    again = run_import(runner, path, "--skip-bad")
    assert again.exit_code == 0
    assert "Imported 0 comments (186 already imported, 14 bad rows skipped)" in again.output
    assert comment_count() == 186 and external_count() == 40


def test_dry_run_writes_nothing(runner, mixed_file):
    path, _bad = mixed_file
    result = run_import(runner, path, "--dry-run")
    assert "Dry run: 186 comments to add, 0 already imported, 14 bad rows." in result.output
    assert comment_count() == 0 and external_count() == 0


def test_jsonl_rows_become_pending_comments_like_the_web_form(runner, tmp_path, open_law, create_user):
    received = "2026-03-05 14:30"  # Almaty time, UTC+5
    open_law.opens_at = datetime(2026, 3, 1, tzinfo=UTC)
    db.session.commit()
    path = write_jsonl(
        tmp_path / "letters.jsonl",
        [
            row(
                open_law,
                "ЕО-1",
                version=2,
                section="10",
                body=KK,
                proposed="Мерзім үш тәулік.",
                stance="amend",
                language=None,
                channel="e-otinish",
                received_at=received,
                extra={"nested": True},
            ),  # fmt: skip
            row(open_law, "ЕО-2", language="ru", channel="hearing", received_at="05.03.2026"),
        ],
    )
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    first, second = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    assert (first.ref, first.channel, first.stance, first.state) == ("ЕО-1", "e-otinish", "amend", "pending")
    assert first.section.key == "article:10" and first.section.version.number == 2
    assert first.proposed_wording == "Мерзім үш тәулік."
    assert first.lang == first.lang_detected == "kk"
    assert first.received_at == datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    assert first.created_at > first.received_at  # created when imported, received when the channel got it
    assert second.received_at == datetime(2026, 3, 4, 19, 0, tzinfo=UTC)  # midnight in Almaty
    assert first.author.external and first.author.display_name == "Иван Петров"
    assert second.author_id == first.author_id


def test_language_is_detected_from_the_body_alone(runner, tmp_path, open_law, article, create_user):
    from app.comments.services import post_comment

    # A Kazakh comment that quotes the Russian text of the draft as its proposed wording is a Kazakh comment.
    russian_wording = "Вывоз твёрдых бытовых отходов осуществляется не реже одного раза в трое суток по графику."
    path = write_csv(tmp_path / "c.csv", [row(open_law, "1", body=KK, stance="amend", proposed=russian_wording)])
    assert run_import(runner, path).exit_code == 0
    assert db.session.scalar(select(Comment.lang).where(Comment.ref == "1")) == "kk"
    # The web form decides the same way.
    result = post_comment(author=create_user(), section=article, body=KK, stance="amend", client_token="t",
                          proposed_wording=russian_wording)  # fmt: skip
    assert result.comment.lang == "kk"


def test_a_reused_ref_with_other_text_is_a_bad_row(runner, tmp_path, open_law):
    path = write_csv(tmp_path / "a.csv", [row(open_law, "ПИС-7")])
    assert run_import(runner, path).exit_code == 0
    # The same ref and author, the same words in other spacing at the ends: the same letter, skipped.
    same = write_csv(tmp_path / "b.csv", [row(open_law, "ПИС-7", body=f"  {RU} (ПИС-7)\r\n")])
    assert "Imported 0 comments (1 already imported)" in run_import(runner, same).output
    other = write_csv(tmp_path / "c.csv", [row(open_law, "ПИС-7", body="Совсем другое письмо о сроках.")])
    result = run_import(runner, other)
    assert result.exit_code == 1
    assert "line 2: ref 'ПИС-7' is already used by another comment" in result.output
    assert comment_count() == 1


def test_one_author_per_name_and_draft(runner, tmp_path, open_law, create_law_from, create_user):
    other_law = create_law_from([("ru", "waste.v1.ru.txt")], slug="second-draft", status="open")
    other_law.opens_at, other_law.closes_at = open_law.opens_at, open_law.closes_at
    citizen = create_user(display_name="Асель Нурланова")
    path = write_csv(
        tmp_path / "c.csv",
        [
            row(open_law, "1", author="Асель Нурланова"),
            row(open_law, "2", author="  асель   НУРЛАНОВА "),
            row(other_law, "1", author="Асель Нурланова", section="1"),
        ],
    )
    assert run_import(runner, path).exit_code == 0, run_import(runner, path).output
    authors = {(c.law_id, c.ref): c.author for c in db.session.scalars(select(Comment))}
    assert authors[(open_law.id, "1")] is authors[(open_law.id, "2")]
    assert authors[(other_law.id, "1")] is not authors[(open_law.id, "1")]
    assert citizen not in authors.values()
    assert authors[(open_law.id, "1")].display_name == "Асель Нурланова"
    assert authors[(open_law.id, "1")].email.endswith("@import.invalid")


def test_file_level_problems_stop_the_import(runner, tmp_path, open_law):
    no_body = tmp_path / "no-body.csv"
    no_body.write_text("ref,law,section,stance,author,channel,received_at\n1,x,1,support,A,letter,2026-01-01\n")
    result = run_import(runner, no_body)
    assert result.exit_code == 1 and "The header line has no column body" in result.output
    cp1251 = tmp_path / "cp1251.csv"
    cp1251.write_bytes(
        "ref,law,section,stance,body,author,channel,received_at\n1,x,1,support,Привет,A,letter,x\n".encode("cp1251")
    )
    assert "is not UTF-8" in run_import(runner, cp1251).output
    array = tmp_path / "letters.json"
    array.write_text(json.dumps([row(open_law, "1")], ensure_ascii=False), encoding="utf-8")
    assert "write one JSON object per line" in run_import(runner, array).output
    assert comment_count() == 0


def test_semicolons_and_multiline_bodies(runner, tmp_path, open_law):
    path = tmp_path / "excel.csv"
    received = utcnow().strftime("%d.%m.%Y")
    path.write_text(
        "\ufeffRef;Law;Section;Stance;Body;Author;Channel;Received_at\n"
        f'1;{open_law.slug};10;support;"Первая строка;\nвторая строка";Иван;letter;{received}\n'
        f"2;{open_law.slug};10;support;;Иван;letter;{received}\n",
        encoding="utf-8",
    )
    result = run_import(runner, path)
    assert "line 4: body is empty" in result.output  # the quoted body spans lines 2 and 3


@pytest.fixture
def imported(runner, tmp_path, open_law):
    """One letter imported on article 10, pending (pre-moderation is on)."""
    letter = row(open_law, "СЛ-2026-000123", body=RU, channel="hearing", author="Ерлан Ахметов")
    path = write_csv(tmp_path / "one.csv", [letter])
    assert run_import(runner, path).exit_code == 0
    return db.session.scalar(select(Comment).where(Comment.ref == "СЛ-2026-000123"))


def test_found_by_search_once_approved(client, runner, imported):
    from app.comments.services import approve_comment
    from app.search.queue import drain

    hit = f'href="/ru/comments/{imported.id}"'
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert hit not in client.get("/ru/search/?q=вывоза+сельской&type=comment").get_data(as_text=True)  # pending
    approve_comment(imported)
    db.session.commit()
    drain(blocking=True)
    assert hit in client.get("/ru/search/?q=вывоза+сельской&type=comment").get_data(as_text=True)


def test_screened_and_fingerprinted_like_web_comments(imported):
    from app.moderation.models import CommentFingerprint, CommentScreening

    assert db.session.get(CommentScreening, imported.id) is not None
    assert db.session.get(CommentFingerprint, imported.id) is not None


def test_staff_see_ref_and_channel_the_public_sees_the_channel(client, auth, create_user, imported):
    from app.comments.services import approve_comment

    approve_comment(imported)
    db.session.commit()
    section_page = client.get(f"/en/laws/{imported.law.slug}/sections/{imported.section_id}/").get_data(as_text=True)
    assert "Ерлан Ахметов" in section_page and "at a hearing" in section_page
    assert "СЛ-2026-000123" not in section_page
    auth.login(create_user(role="moderator"))
    item = client.get(f"/en/moderation/comments/{imported.id}").get_data(as_text=True)
    assert "Reg. no. СЛ-2026-000123" in item and "at a hearing" in item
    assert "imported from another channel, no account on Kenes" in item
    assert "@import.invalid" not in item and "Suspend this account" not in item


def test_api_and_csv_carry_ref_and_channel(client, imported, create_comment, article):
    from app.comments.services import approve_comment

    approve_comment(imported)
    create_comment(article, body="С сайта.")
    data = client.get(f"/api/v1/laws/{imported.law.slug}/comments").json
    jsonschema.validate(data, response_schema("/laws/{slug}/comments"))
    by_ref = {item["ref"]: item for item in data["items"]}
    assert by_ref["СЛ-2026-000123"]["channel"] == "hearing"
    assert by_ref["СЛ-2026-000123"]["author"] == "Ерлан Ахметов"
    assert by_ref[None]["channel"] == "web"
    text = client.get(f"/api/v1/laws/{imported.law.slug}/comments?format=csv").get_data(as_text=True)
    header, *lines = list(csv.reader(text.lstrip("\ufeff").splitlines()))
    where = header.index("channel")
    assert header[where : where + 3] == ["channel", "ref", "received_at"]
    assert any(line[where : where + 2] == ["hearing", "СЛ-2026-000123"] for line in lines)


def test_imported_authors_cannot_log_in_even_with_a_real_password_hash(client, auth, imported):
    from app.auth.login import authenticate
    from app.auth.passwords import hash_password
    from app.auth.services import AuthError

    author = imported.author
    with pytest.raises(AuthError):
        authenticate(author.email, "anything at all")
    # Even if a usable hash got there somehow, the account is not one to sign in to.
    author.password_hash = hash_password(DEFAULT_PASSWORD)
    db.session.commit()
    with pytest.raises(AuthError) as refused:
        authenticate(author.email, DEFAULT_PASSWORD)
    assert str(refused.value) == "The e-mail address or the password is wrong."
    assert auth.login(author.email).status_code == 200  # the form again, not a redirect into the site
    assert client.get("/en/my/comments").status_code == 302


def test_imported_authors_get_no_mail_when_approved_or_replied_to(client, create_user, imported):
    from app.auth.email_links import send_password_reset_email
    from app.comments.services import approve_comment, post_comment

    author = imported.author
    client.post("/en/auth/reset", data={"email": author.email})
    send_password_reset_email(author)  # even when asked directly, the mail layer drops .invalid addresses
    approve_comment(imported)
    db.session.commit()
    replier = create_user()
    reply = post_comment(author=replier, section=imported.section, body="Согласен с вами.", stance="support",
                         client_token="r", parent=imported)  # fmt: skip
    approve_comment(reply.comment)
    db.session.commit()
    assert [m for m in outbox() if m.to.endswith(".invalid")] == []
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == author.id)) == 0
    assert db.session.scalar(select(func.count(Follow.id)).where(Follow.user_id == author.id)) == 0
    assert [m.to for m in outbox()] == [replier.email]  # the replier still hears that theirs was published


def test_imported_authors_get_no_mail_when_rejected(imported):
    from app.comments.services import reject_comment

    reject_comment(imported, reason="off_topic")
    db.session.commit()
    assert outbox() == []
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_imported_authors_are_not_accounts_to_manage(create_user, imported):
    from app.admin.services import AdminError, change_role, users_query

    admin = create_user(role="admin")
    assert imported.author not in db.session.scalars(users_query()).unique().all()
    with pytest.raises(AdminError):
        change_role(admin, imported.author, "editor", None, None)
