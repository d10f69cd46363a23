"""Answers from the agency's table: `flask answers import` and the upload on the answers page."""

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select, update

from app.answers import services
from app.answers.models import Answer, AnswerLink, AnswerRevision
from app.db import utcnow
from app.extensions import db
from app.moderation.models import Campaign, CommentFingerprint
from app.notifications.models import Notification
from app.summaries.models import SummarySnapshot

HEADER = ("ref", "comment_id", "theme", "campaign", "decision", "reasoning_kk", "reasoning_ru", "reasoning_en")


@pytest.fixture
def editor(create_user, open_law):
    return create_user("editor", agency=open_law.agency)


@pytest.fixture
def make_comments(open_law, create_user, create_comment):
    """Approved comments on article 10 of version 1 (the article that changed in version 2), each by its author."""
    section = next(s for s in open_law.versions[0].sections if s.key == "article:10")

    def factory(count: int) -> list:
        return [
            create_comment(section, author=create_user(), body=f"Срок обжалования слишком длинный, довод {n}.")
            for n in range(count)
        ]

    return factory


@pytest.fixture
def groups(open_law, make_comments):
    """Eight comments: one answered by comment_id, one by ref, two in a campaign, two in a theme, two spare."""
    comments = make_comments(8)
    comments[1].ref = "ЕО-2026-17"
    campaign = Campaign(law_id=open_law.id, kind="campaign", size=2)
    db.session.add(campaign)
    db.session.flush()
    db.session.execute(
        update(CommentFingerprint)
        .where(CommentFingerprint.comment_id.in_([comments[2].id, comments[3].id]))
        .values(campaign_id=campaign.id)
    )
    theme_id = f"s{comments[4].section_id}-t1"
    snapshot = SummarySnapshot(
        law_id=open_law.id,
        version_id=open_law.versions[0].id,
        number=1,
        data={"sections": [{"themes": [{"id": theme_id, "comment_ids": [comments[4].id, comments[5].id]}]}]},
        edits={},
    )
    db.session.add(snapshot)
    db.session.commit()
    return {"comments": comments, "campaign": campaign.id, "theme": theme_id, "snapshot": snapshot}


def table(groups) -> list[dict]:
    comments = groups["comments"]
    return [
        {"comment_id": comments[0].id, "decision": "accepted", "reasoning_ru": "Учтено в новой редакции."},
        {"ref": "ЕО-2026-17", "decision": "Rejected ", "reasoning_kk": "Мерзім заңмен белгіленген."},
        {"campaign": groups["campaign"], "decision": "partly_accepted", "reasoning_en": "Partly: the period is cut."},
        {"theme": groups["theme"], "decision": "not_applicable"},
    ]


def csv_bytes(rows: list[dict], delimiter: str = ";") -> bytes:
    lines = [delimiter.join(HEADER)]
    lines += [delimiter.join(str(row.get(name, "")) for name in HEADER) for row in rows]
    return "\ufeff".encode() + "\r\n".join(lines).encode()


def xlsx_bytes(rows: list[dict]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([name.upper() for name in HEADER])
    for row in rows:
        # Numbers as a spreadsheet stores them: a comment number comes back as 12.0.
        sheet.append([float(v) if isinstance(v, int) else v for v in (row.get(name) for name in HEADER)])
        sheet.append([])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def run_import(runner, tmp_path, open_law, editor):
    def run(data: bytes, name: str = "answers.csv", user=None, *extra: str):
        path = tmp_path / name
        path.write_bytes(data)
        args = ["answers", "import", str(path), "--law", open_law.slug, "--editor", (user or editor).email]
        return runner.invoke(args=[*args, "--lang", "en", *extra])

    return run


def _counts() -> dict[str, int]:
    models = (Answer, AnswerRevision, AnswerLink, Notification)
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def _assert_table_answered(groups) -> None:
    db.session.expire_all()
    comments = groups["comments"]
    given = services.answers_for(c.id for c in comments)
    assert sorted(given) == sorted(c.id for c in comments[:6])  # the spare two are left alone
    said = {c.id: (given[c.id].answer.decision, given[c.id].answer.scope) for c in comments[:6]}
    assert [said[c.id] for c in comments[:6]] == [
        ("accepted", "import"),
        ("rejected", "import"),
        ("partly_accepted", "import"),
        ("partly_accepted", "import"),
        ("not_applicable", "import"),
        ("not_applicable", "import"),
    ]
    assert given[comments[2].id].answer.id == given[comments[3].id].answer.id  # one answer for the campaign
    theme_answer = given[comments[4].id].answer
    assert theme_answer.scope_ref == groups["theme"] and theme_answer.snapshot_id == groups["snapshot"].id
    assert given[comments[1].id].answer.reasoning_kk == "Мерзім заңмен белгіленген."


def test_a_csv_table_answers_comments_by_id_ref_campaign_and_theme(groups, run_import):
    result = run_import(csv_bytes(table(groups)))
    assert result.exit_code == 0, result.output
    assert "4 answers given. 0 answers corrected. 0 rows unchanged. 6 comments reached." in result.output
    _assert_table_answered(groups)


def test_an_xlsx_table_uploaded_on_the_page_answers_the_same(groups, client, auth, editor, open_law):
    auth.login(editor)
    page = client.get(f"/en/answers/{open_law.slug}/import")
    assert page.status_code == 200 and b"reasoning_kk" in page.data
    response = client.post(
        f"/en/answers/{open_law.slug}/import",
        data={"file": (io.BytesIO(xlsx_bytes(table(groups))), "answers.xlsx"), "snapshot": "0"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/en/answers/{open_law.slug}/")
    with client.session_transaction() as session:
        assert ("success", "4 answers given. 0 answers corrected. 0 rows unchanged. 6 comments reached.") in session[
            "_flashes"
        ]
    _assert_table_answered(groups)


def test_bad_rows_are_listed_by_their_line_and_nothing_is_written(groups, run_import, client, auth, editor, open_law):
    comments = groups["comments"]
    text = (
        "comment_id,ref,decision,reasoning_ru\n"
        f'{comments[0].id},,accepted,"Учтено.\nВ новой редакции."\n'  # lines 2 and 3: one row
        f"{comments[6].id},,maybe,\n"  # line 4: no such decision
        ",ЕО-2026-17,rejected,Срок установлен законом.\n"  # line 5
        f"{comments[7].id},,rejected,\n"  # line 6: a refusal without reasoning
        "\n"  # line 7: empty, skipped
        "99999,,accepted,\n"  # line 8: no such comment
        f"{comments[5].id},,not_applicable,\n"  # line 9
    ).encode()
    before = _counts()

    result = run_import(text)
    assert result.exit_code != 0
    listed = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in listed] == ["line 4", "line 6", "line 8"]
    assert "reasoning" in listed[1] and "3 bad rows: nothing was written." in result.output
    assert _counts() == before

    auth.login(editor)
    page = client.post(
        f"/en/answers/{open_law.slug}/import",
        data={"file": (io.BytesIO(text), "answers.csv"), "snapshot": "0"},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Line 4:" in html and "Line 6:" in html and "Line 8:" in html and "Line 2:" not in html
    assert _counts() == before


def test_a_second_run_of_the_same_table_changes_nothing_and_a_changed_row_corrects(groups, run_import):
    rows = table(groups)
    assert run_import(csv_bytes(rows)).exit_code == 0
    after_first = _counts()
    again = run_import(csv_bytes(rows, delimiter="\t"))
    assert again.exit_code == 0, again.output
    assert "0 answers given. 0 answers corrected. 4 rows unchanged. 0 comments reached." in again.output
    assert _counts() == after_first

    rows[2]["reasoning_en"] = "Partly: the period is cut to 15 days."
    corrected = run_import(csv_bytes(rows))
    assert "0 answers given. 1 answer corrected. 3 rows unchanged. 2 comments reached." in corrected.output
    counts = _counts()
    assert counts["Answer"] == after_first["Answer"] and counts["AnswerRevision"] == after_first["AnswerRevision"] + 1
    db.session.expire_all()
    answer = services.answers_for([groups["comments"][2].id])[groups["comments"][2].id].answer
    assert answer.reasoning_en == "Partly: the period is cut to 15 days." and answer.corrected_at is not None


def test_a_row_on_part_of_a_shared_answer_gives_that_part_its_own(open_law, editor, make_comments, run_import):
    first, second = make_comments(2)
    shared = services.answer_comments(open_law, [first, second], user=editor, decision="accepted", reasoning={})
    db.session.commit()
    result = run_import(csv_bytes([{"comment_id": first.id, "decision": "rejected", "reasoning_ru": "Нет."}]))
    assert "1 answer given." in result.output
    db.session.expire_all()
    given = services.answers_for([first.id, second.id])
    assert given[second.id].answer.id == shared.id and given[second.id].answer.decision == "accepted"
    assert given[first.id].answer.decision == "rejected"


def test_a_ref_of_another_draft_is_refused(open_law, create_law_from, create_comment, create_user, run_import):
    other = create_law_from([("ru", "waste.v1.ru.txt"), ("kk", "waste.v1.kk.txt")], slug="other-draft")
    other.opens_at, other.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=10)
    db.session.commit()
    section = next(s for s in other.versions[0].sections if s.key == "article:10")
    elsewhere = create_comment(section, author=create_user())
    elsewhere.ref = "R-7"
    db.session.commit()
    before = _counts()
    result = run_import(csv_bytes([{"ref": "R-7", "decision": "accepted"}]))
    assert result.exit_code != 0
    assert "line 2: There is no comment with ref R-7 on this draft." in result.stderr
    assert _counts() == before


def test_two_rows_on_the_same_comment_refuse_the_later_one(groups, run_import):
    comments = groups["comments"]
    rows = [
        {"theme": groups["theme"], "decision": "accepted"},
        {"comment_id": comments[0].id, "decision": "accepted"},
        {"comment_id": comments[5].id, "decision": "accepted"},
    ]
    result = run_import(csv_bytes(rows))
    assert result.exit_code != 0
    assert [line.split(":")[0] for line in result.stderr.splitlines() if line.startswith("line ")] == ["line 4"]
    assert "also answered on line 2" in result.stderr


def test_an_editor_of_another_agency_is_refused(groups, run_import, create_user, create_agency, client, auth, open_law):
    stranger = create_user("editor", agency=create_agency())
    before = _counts()
    result = run_import(csv_bytes(table(groups)), "answers.csv", stranger)
    assert result.exit_code != 0
    assert "Only editors of the drafting agency answer comments" in result.output
    assert _counts() == before

    auth.login(stranger)
    assert client.get(f"/en/answers/{open_law.slug}/import").status_code == 403
    assert client.get(f"/en/answers/{open_law.slug}/import/template.csv").status_code == 403
    posted = client.post(
        f"/en/answers/{open_law.slug}/import",
        data={"file": (io.BytesIO(csv_bytes(table(groups))), "answers.csv"), "snapshot": "0"},
        content_type="multipart/form-data",
    )
    assert posted.status_code == 403
    assert _counts() == before


def test_changed_in_traces_the_answer_to_a_unit_of_version_2(open_law, make_comments, run_import):
    comment, other, third, fourth = make_comments(4)
    changed = services.changed_units(open_law, 1)
    changed_ids = {c.section.id for c in changed}
    unchanged = next(s for s in open_law.versions[1].sections if s.kind == "article" and s.id not in changed_ids)
    unchanged_spec = services.unit_spec(unchanged)
    spec = changed[0].spec
    assert spec.startswith("2:")
    rows = [
        {"comment_id": comment.id, "decision": "accepted", "changed_in": spec},
        {"comment_id": other.id, "decision": "rejected", "reasoning_ru": "Нет.", "changed_in": spec},
        {"comment_id": third.id, "decision": "accepted", "changed_in": unchanged_spec},
        {"comment_id": fourth.id, "decision": "accepted", "changed_in": "²:1"},
    ]
    header = (*HEADER, "changed_in")

    def data(rows):
        lines = [",".join(header), *(",".join(str(row.get(name, "")) for name in header) for row in rows)]
        return "\n".join(lines).encode()

    refused = run_import(data(rows))
    assert [line.split(":")[0] for line in refused.stderr.splitlines() if line.startswith("line ")] == [
        "line 3",
        "line 4",
        "line 5",
    ]
    result = run_import(data(rows[:1]))
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    answer = services.answers_for([comment.id])[comment.id].answer
    assert answer.changed_section_id == changed[0].section.id and answer.traced_at is not None
    assert "1 row unchanged." in run_import(data(rows[:1])).output


def test_unreadable_files_get_one_clear_error(run_import, groups):
    assert "not in UTF-8" in run_import("comment_id,decision\n1,accepted\n".encode("cp1251") + b"\xff").output
    assert "not a readable XLSX" in run_import(b"not a workbook", "answers.xlsx").output
    no_decision = run_import(b"comment_id,reasoning_ru\n1,x\n")
    assert no_decision.exit_code != 0 and "comment_id, reasoning_ru" in no_decision.output


def test_the_example_table_downloads_and_reads_as_a_table(client, auth, editor, open_law, run_import):
    auth.login(editor)
    response = client.get(f"/en/answers/{open_law.slug}/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8-sig").splitlines()[0].startswith("ref;comment_id;theme;campaign;decision")
    result = run_import(response.data)
    # Comment 12 is only an example: the header is understood, and the example row is the one problem.
    assert [line.split(":")[0] for line in result.stderr.splitlines() if line.startswith("line ")] == ["line 2"]
