"""Answers in the data outputs: comment objects and CSV of the API, the summary table (DOCX), the summary's JSON."""

import copy
import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from docx import Document
from flask_babel import force_locale
from sqlalchemy import select

from app.answers import services
from app.answers.labels import DECISION_LABELS
from app.extensions import db
from app.moderation.models import Campaign, CommentFingerprint
from app.summaries.exports import export_snapshot
from app.summaries.models import SummarySnapshot
from app.summaries.review import hash_matches, submit_snapshot
from app.summaries.services import create_snapshot
from app.summaries.table import summary_table

SPEC = json.loads((Path(__file__).resolve().parents[2] / "app" / "api" / "openapi.json").read_text())
ANSWER_COLUMNS = ["decision", "reasoning_kk", "reasoning_ru", "reasoning_en", "answered_at", "changed_in"]


def response_schema(path: str) -> dict:
    content = SPEC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return {**content, "components": SPEC["components"]}


def schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}


@pytest.fixture
def editor(create_user, open_law):
    return create_user("editor", agency=open_law.agency)


@pytest.fixture
def v1(open_law):
    return {s.key: s for s in open_law.versions[0].sections}


@pytest.fixture
def v2(open_law):
    return {s.key: s for s in open_law.versions[1].sections}


def answer(law, comments, editor, decision="accepted", **reasoning):
    given = services.answer_comments(law, comments, user=editor, decision=decision, reasoning=reasoning)
    db.session.commit()
    return given


def traced(law, v1, v2, editor, create_comment, body="Тридцать дней слишком долго.", unit=None):
    """A comment on point 2 of article 11 of version 1, accepted and linked to the unit of version 2 that changed
    (point 2 of article 10 unless told)."""
    comment = create_comment(v1["article:11/point:2"], body=body, stance="oppose")
    given = answer(law, [comment], editor, ru="Срок сокращён.")
    services.trace_answer(given, unit or v2["article:10/point:2"], user=editor)
    db.session.commit()
    return comment


def group(law, comments, kind: str) -> Campaign:
    """Put the comments in one moderation group of this kind, as moderation's grouping would."""
    campaign = Campaign(law_id=law.id, size=len(comments), kind=kind)
    db.session.add(campaign)
    db.session.flush()
    for comment in comments:
        fingerprint = db.session.get(CommentFingerprint, comment.id)
        if fingerprint is None:
            fingerprint = CommentFingerprint(comment_id=comment.id, law_id=law.id, signature=b"")
            db.session.add(fingerprint)
        fingerprint.campaign_id = campaign.id
    db.session.commit()
    return campaign


# --- API comment objects and CSV ----------------------------------------------------------------------------------


def test_api_comments_carry_their_answer_and_null_when_unanswered(
    client, open_law, article, v1, v2, editor, create_comment
):
    plain = create_comment(article, body="Без ответа пока.")
    rejected = create_comment(article, body="Отменить статью.", stance="oppose")
    answer(open_law, [rejected], editor, "rejected", ru="Статья нужна.", kk="Бап қажет.")
    services.correct_answer(
        services.answers_for([rejected.id])[rejected.id].answer,
        user=editor,
        decision="rejected",
        reasoning={"ru": "Статья нужна для защиты прав.", "kk": "Бап қажет."},
    )
    db.session.commit()
    accepted = traced(open_law, v1, v2, editor, create_comment)

    data = client.get(f"/api/v1/laws/{open_law.slug}/comments").json
    jsonschema.validate(data, response_schema("/laws/{slug}/comments"))
    items = {item["id"]: item for item in data["items"]}
    assert items[plain.id]["answer"] is None
    refused = items[rejected.id]["answer"]
    assert refused["decision"] == "rejected"
    assert refused["reasoning"] == {"kk": "Бап қажет.", "ru": "Статья нужна для защиты прав.", "en": None}
    assert refused["answered_at"].endswith("Z") and refused["corrected_at"] and refused["changed_in"] is None
    change = items[accepted.id]["answer"]
    assert change["decision"] == "accepted" and change["changed_in"] == "2:10.2" and change["corrected_at"] is None
    section = client.get(f"/api/v1/sections/{rejected.section_id}/comments").json
    assert {i["id"]: i["answer"] for i in section["items"]}[rejected.id] == refused


def test_the_schema_refuses_an_answer_it_does_not_describe():
    good = {
        "decision": "accepted",
        "reasoning": {"kk": None, "ru": "Учтено.", "en": None},
        "answered_at": "2025-03-01T10:00:00Z",
        "corrected_at": None,
        "changed_in": "2:5.1",
    }
    jsonschema.validate(good, schema("Answer"))
    for bad in ({**good, "decision": "maybe"}, {**good, "changed_in": "5.1"}, {**good, "extra": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema("Answer"))


def test_a_page_of_comments_costs_the_same_queries_however_many_are_answered(
    client, open_law, article, v1, v2, editor, create_comment, count_queries
):
    url = f"/api/v1/laws/{open_law.slug}/comments?per_page=50"
    units = [candidate.section for candidate in services.changed_units(open_law, 1)]
    assert len(units) >= 3
    create_comment(article, body="Первый.")
    answer(open_law, [create_comment(article, body="Второй.")], editor, kk="Ескерілді.")
    traced(open_law, v1, v2, editor, create_comment, unit=units[0])

    def queries() -> int:
        db.session.commit()  # the request starts as a reader's would: no transaction open, nothing loaded
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = queries()
    for n in range(6):
        comment = create_comment(article, body=f"Замечание {n}.")
        answer(open_law, [comment], editor, "rejected" if n % 2 else "accepted", ru=f"Ответ {n}.")
    for n, unit in enumerate(units[1:3]):
        traced(open_law, v1, v2, editor, create_comment, body=f"Прослеженное {n}.", unit=unit)
    data = client.get(url).json
    assert sum(item["answer"] is not None for item in data["items"]) == 10
    assert len({item["answer"]["changed_in"] for item in data["items"] if item["answer"]} - {None}) == 3
    assert queries() == few


def test_the_comments_csv_has_the_answer_columns(client, open_law, article, v1, v2, editor, create_comment):
    plain = create_comment(article, body="Без ответа.")
    refused = create_comment(article, body="Отменить.", stance="oppose")
    answer(open_law, [refused], editor, "rejected", kk="=ҚОСЫНДЫ(1)", ru="Статья нужна.")
    accepted = traced(open_law, v1, v2, editor, create_comment)

    response = client.get(f"/api/v1/laws/{open_law.slug}/comments?format=csv")
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    assert reader.fieldnames[-6:] == ANSWER_COLUMNS
    rows = {int(row["id"]): row for row in reader}
    assert [rows[plain.id][column] for column in ANSWER_COLUMNS] == [""] * 6
    row = rows[refused.id]
    assert row["decision"] == "rejected" and row["reasoning_ru"] == "Статья нужна." and row["reasoning_en"] == ""
    assert row["reasoning_kk"] == "'=ҚОСЫНДЫ(1)"  # a formula stays text in a spreadsheet
    assert row["answered_at"].startswith(str(refused.created_at.year)) and row["changed_in"] == ""
    assert rows[accepted.id]["decision"] == "accepted" and rows[accepted.id]["changed_in"] == "2:10.2"


# --- the summary table -------------------------------------------------------------------------------------------


@pytest.fixture
def consulted(open_law, article, create_comment):
    """Three copies of a campaign and two ordinary comments on article 10 of the open draft."""
    members = [create_comment(article, body=f"Требуем отменить статью {n}.", stance="oppose") for n in range(3)]
    campaign = group(open_law, members, "campaign")
    alone = create_comment(
        article,
        body="Предлагаю пятнадцать дней.",
        stance="amend",
        proposed_wording="Жалоба подаётся в течение 15 дней.",
    )
    other = create_comment(article, body="Поддерживаю.", stance="support")
    return campaign, members, alone, other


def build(law) -> SummarySnapshot:
    snapshot = create_snapshot(law, law.latest_version, None)
    db.session.commit()
    return snapshot


def docx_rows(app, snapshot, lang: str) -> dict[str, tuple[str, str]]:
    """{author cell: (decision cell, reasoning cell)} of the DOCX summary table read back with python-docx."""
    with app.test_request_context(f"/{lang}/"):
        content = export_snapshot(snapshot, "docx", lang).content
    (table,) = Document(io.BytesIO(content)).tables
    return {row.cells[4].text: (row.cells[5].text, row.cells[6].text) for row in table.rows[1:]}


def label_in(app, lang: str, decision: str) -> str:
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        return str(DECISION_LABELS[decision])


def test_the_docx_table_shows_the_decision_and_reasoning_of_a_campaign_row_and_a_single_row(
    app, open_law, editor, consulted
):
    campaign, members, alone, other = consulted
    snapshot = build(open_law)
    answer(open_law, members, editor, "rejected", ru="Статья нужна.", kk="Бап қажет.")
    answer(open_law, [alone], editor, "partly_accepted", kk="Жиырма күн болады.")

    for lang, campaign_reasoning in (("ru", "Статья нужна."), ("kk", "Бап қажет.")):
        rows = docx_rows(app, snapshot, lang)
        (campaign_row,) = [cells for author, cells in rows.items() if author.startswith("×3")]
        assert campaign_row == (label_in(app, lang, "rejected"), campaign_reasoning)
        (single,) = [cells for author, cells in rows.items() if f"#{alone.id}" in author]
        # No Russian reasoning: the Kazakh one stands in.
        assert single == (label_in(app, lang, "partly_accepted"), "Жиырма күн болады.")
        (unanswered,) = [cells for author, cells in rows.items() if f"#{other.id}" in author]
        assert unanswered == ("", "")


def test_a_campaign_answered_apart_shows_each_decision_with_its_count(app, open_law, editor, consulted):
    campaign, members, alone, other = consulted
    snapshot = build(open_law)
    answer(open_law, members[:2], editor, "accepted", en="Taken into account.")

    def campaign_cells() -> tuple[str, str]:
        return next(cells for author, cells in docx_rows(app, snapshot, "en").items() if author.startswith("×3"))

    assert campaign_cells() == ("Accepted ×2; Not answered yet ×1", "Accepted ×2: Taken into account.")
    answer(open_law, members[2:], editor, "rejected", en="Out of scope.")
    decision, reasoning = campaign_cells()
    assert decision == "Accepted ×2; Not accepted ×1"
    assert reasoning == "Accepted ×2: Taken into account.\nNot accepted ×1: Out of scope."


def test_a_similar_group_is_a_row_per_comment_and_a_campaign_one_row(app, open_law, article, create_comment):
    look_alikes = [create_comment(article, body=f"Срок мал, продлить {n}.") for n in range(2)]
    group(open_law, look_alikes, "similar")
    copies = [create_comment(article, body=f"Отменить {n}.", stance="oppose") for n in range(3)]
    group(open_law, copies, "campaign")
    snapshot = build(open_law)
    with app.test_request_context("/en/"), force_locale("en"):
        rows = summary_table(snapshot, "en")
    expected = [[look_alikes[0].id], [look_alikes[1].id], sorted(c.id for c in copies)]
    assert sorted(row.comment_ids for row in rows) == sorted(expected)
    for row in rows:
        if row.size == 1:
            assert row.campaign_id is None and not row.author.startswith("×")
        else:
            assert row.author.startswith("×3")


# --- the summary document ----------------------------------------------------------------------------------------


def test_the_summary_json_has_the_answers_and_the_submitted_snapshot_stays_frozen(
    app, client, open_law, editor, consulted, create_committee
):
    campaign, members, alone, other = consulted
    snapshot = build(open_law)
    open_law.committee_id, open_law.status = create_committee().id, "closed"
    submit_snapshot(snapshot, None)
    db.session.commit()
    stored, digest = copy.deepcopy(snapshot.data), snapshot.content_hash
    member_ids = {m.id for m in members}
    whole = [
        tid for tid, theme in services.snapshot_themes(snapshot).items() if set(theme["comment_ids"]) <= member_ids
    ]

    answer(open_law, members, editor, "rejected", ru="Статья нужна.")
    answer(open_law, [alone], editor, "accepted")
    with app.test_request_context("/ru/"):
        document = json.loads(export_snapshot(snapshot, "json", "ru").content)
    jsonschema.validate(document, schema("SummarySnapshot"))
    rejected, accepted = document["answers"]
    assert rejected["comment_ids"] == sorted(m.id for m in members) and rejected["campaign_ids"] == [campaign.id]
    assert rejected["decision"] == "rejected" and rejected["reasoning"]["ru"] == "Статья нужна."
    assert accepted["comment_ids"] == [alone.id] and accepted["campaign_ids"] == [] and accepted["theme_ids"] == []
    # A theme is listed only when the answer reaches every comment of it.
    assert rejected["theme_ids"] == whole

    api = client.get(f"/api/v1/laws/{open_law.slug}/summary").json
    jsonschema.validate(api, response_schema("/laws/{slug}/summary"))
    assert api["answers"] == document["answers"]
    db.session.expire_all()
    frozen = db.session.get(SummarySnapshot, snapshot.id)
    assert frozen.data == stored and "answers" not in frozen.data
    assert frozen.content_hash == digest and hash_matches(frozen)


def test_an_answer_lists_a_theme_only_when_it_reaches_all_of_it(app, open_law, article, editor, create_comment):
    for body in (
        "Штраф за вывоз мусора слишком большой.",
        "Большой штраф за мусор разорит жителей.",
        "Штраф за мусор надо уменьшить, он слишком большой.",
        "Тарифы на вывоз отходов растут каждый год.",
        "Тарифы на вывоз отходов нужно заморозить.",
    ):
        create_comment(article, body=body, stance="oppose")
    snapshot = build(open_law)
    themes = services.snapshot_themes(snapshot)
    assert len(themes) == 2, "the fines and the tariffs are two themes"
    (theme_id, theme), (other_id, other) = sorted(themes.items(), key=lambda item: -item[1]["size"])
    comments = services.theme_comments(open_law, snapshot, theme_id)

    def answers() -> list[dict]:
        with app.test_request_context("/kk/"):
            return json.loads(export_snapshot(snapshot, "json", "kk").content)["answers"]

    answer(
        open_law,
        [*comments[:-1], *services.theme_comments(open_law, snapshot, other_id)],
        editor,
        "partly_accepted",
        kk="Ішінара ескерілді.",
    )
    (partial,) = answers()
    assert partial["theme_ids"] == [other_id]  # the other theme whole, this one but for a comment
    answer(open_law, comments, editor, "accepted", kk="Ескерілді.")
    partial, whole = answers()
    assert partial["comment_ids"] == sorted(other["comment_ids"]) and partial["theme_ids"] == [other_id]
    assert whole["comment_ids"] == sorted(theme["comment_ids"]) and whole["theme_ids"] == [theme_id]
    assert db.session.scalar(select(SummarySnapshot.data).where(SummarySnapshot.id == snapshot.id)) == snapshot.data
