"""The summaries in the open-data API: only what was submitted to parliament, in the shape openapi.json describes."""

import json
from pathlib import Path

import jsonschema
import pytest

from app.extensions import db
from app.summaries.review import content_hash, submit_snapshot
from app.summaries.services import create_snapshot

SPEC = json.loads((Path(__file__).resolve().parents[2] / "app" / "api" / "openapi.json").read_text())


def response_schema(path: str, status: str = "200") -> dict:
    answer = SPEC["paths"][path]["get"]["responses"][status]
    if "$ref" in answer:
        answer = SPEC["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    return {**answer["content"]["application/json"]["schema"], "components": SPEC["components"]}


@pytest.fixture
def commented(open_law, article, create_comment):
    create_comment(article, body="Срок в десять дней слишком короткий.", stance="oppose")
    create_comment(article, body="Қолдаймын, бірақ мерзім қысқа.", stance="support")
    return open_law


def build(law):
    snapshot = create_snapshot(law, law.latest_version, None)
    db.session.commit()
    return snapshot


def submit(law, snapshot, create_committee):
    if law.committee_id is None:
        law.committee_id = create_committee().id
    if law.status == "open":
        law.status = "closed"
    snapshot.introduction = "Министерство рассмотрело все замечания."
    submit_snapshot(snapshot, None)
    db.session.commit()
    return snapshot


def test_no_summary_is_a_404_that_says_so(client, commented):
    for _attempt in ("none at all", "one built, not submitted"):
        response = client.get(f"/api/v1/laws/{commented.slug}/summary")
        assert response.status_code == 404
        jsonschema.validate(response.json, response_schema("/laws/{slug}/summary", "404"))
        assert "No summary of this draft law has been submitted" in response.json["error"]["detail"]
        build(commented)


def test_the_latest_submitted_summary_and_each_by_number(client, commented, create_committee):
    first = submit(commented, build(commented), create_committee)
    second = submit(commented, build(commented), create_committee)
    working = build(commented)  # built after both, never submitted

    data = client.get(f"/api/v1/laws/{commented.slug}/summary").json
    jsonschema.validate(data, response_schema("/laws/{slug}/summary"))
    assert data["snapshot"] == second.number and data["status"] == "submitted"
    assert data["content_hash"] == second.content_hash and data["submitted_at"]
    assert data["introduction"] == "Министерство рассмотрело все замечания." and data["edits"] == {}
    assert data["law"] == commented.slug and data["version"] == commented.latest_version.number
    assert data["totals"]["comments"] == 2 and data["totals"]["by_stance"]["oppose"] == 1
    assert {s["kind"] for s in data["sections"]} >= {"chapter", "article"}
    # Anyone can check what parliament received: the hash of the published data, introduction and edits.
    published = {
        key: value
        for key, value in data.items()
        # "answers" is read live at each request (the agency answers after submitting), outside the hash.
        if key not in ("introduction", "edits", "submitted_at", "content_hash", "answers")
    }
    assert content_hash(published, data["introduction"], data["edits"]) == data["content_hash"]

    path = "/laws/{slug}/summaries/{number}"
    by_number = client.get(f"/api/v1/laws/{commented.slug}/summaries/{first.number}")
    assert by_number.status_code == 200
    jsonschema.validate(by_number.json, response_schema(path))
    assert by_number.json["snapshot"] == first.number and by_number.json["content_hash"] == first.content_hash

    for number in (working.number, 99):
        response = client.get(f"/api/v1/laws/{commented.slug}/summaries/{number}")
        assert response.status_code == 404, number
        jsonschema.validate(response.json, response_schema(path, "404"))


def test_a_draft_in_preparation_has_no_summary_in_the_api(client, commented, create_committee):
    snapshot = submit(commented, build(commented), create_committee)
    commented.status = "draft"
    db.session.commit()
    assert client.get(f"/api/v1/laws/{commented.slug}/summary").status_code == 404
    assert client.get(f"/api/v1/laws/{commented.slug}/summaries/{snapshot.number}").status_code == 404
