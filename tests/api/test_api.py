"""The open data API answers JSON that matches its OpenAPI description."""

import json
from pathlib import Path

import jsonschema
import pytest

SPEC = json.loads((Path(__file__).resolve().parents[2] / "app" / "api" / "openapi.json").read_text())


def schema(name: str) -> dict:
    """Return a component schema with every $ref resolvable against the whole document."""
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}


def response_schema(path: str) -> dict:
    content = SPEC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return {**content, "components": SPEC["components"]}


def test_openapi_is_served_and_lists_every_route(client, app):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.json == SPEC
    api_rules = {r.rule.removeprefix("/api/v1") for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    documented = {
        p.replace("{slug}", "<slug>").replace("{number}", "<int:number>").replace("{section_id}", "<int:section_id>")
        for p in SPEC["paths"]
    }
    assert api_rules == documented


def test_laws_list_pages_and_filters(client, create_law_from, create_agency):
    agency = create_agency(slug="ecology")
    for n in range(3):
        create_law_from([("ru", "air-quality.ru.txt")], agency=agency, slug=f"air-{n}", status="closed")
    create_law_from([("ru", "waste.v1.ru.txt")], slug="waste", status="open")
    create_law_from([("ru", "waste.v1.ru.txt")], slug="hidden", status="draft")
    data = client.get("/api/v1/laws?per_page=2").json
    jsonschema.validate(data, response_schema("/laws"))
    assert data["total"] == 4 and data["pages"] == 2 and len(data["items"]) == 2
    assert "hidden" not in {item["slug"] for item in client.get("/api/v1/laws?per_page=100").json["items"]}
    assert [i["slug"] for i in client.get("/api/v1/laws?status=open").json["items"]] == ["waste"]
    assert client.get("/api/v1/laws?agency=ecology").json["total"] == 3


def test_law_with_versions(client, waste_law):
    data = client.get(f"/api/v1/laws/{waste_law.slug}").json
    jsonschema.validate(data, schema("LawWithVersions"))
    assert [v["number"] for v in data["versions"]] == [1, 2]
    assert data["versions"][0]["languages"] == ["kk", "ru"]
    assert data["title"]["ru"] == "Об обращении с бытовыми отходами"


def test_sections_tree_in_all_languages(client, waste_law):
    data = client.get(f"/api/v1/laws/{waste_law.slug}/versions/2/sections").json
    jsonschema.validate(data, response_schema("/laws/{slug}/versions/{number}/sections"))
    top = data["sections"]
    assert [c["kind"] for c in top] == ["preamble", "chapter", "chapter", "chapter"]
    article = top[1]["children"][0]
    assert article["kind"] == "article" and article["number"] == "1"
    assert set(article["heading"]) == {"kk", "ru", "en"}
    assert article["heading"]["en"] is None and article["heading"]["ru"] and article["heading"]["kk"]
    kinds = set()

    def walk(nodes):
        for node in nodes:
            kinds.add(node["kind"])
            walk(node["children"])

    walk(top)
    assert kinds == {"preamble", "chapter", "article", "point", "subpoint"}


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/laws/nope", 404),
        ("/api/v1/laws/household-waste/versions/9/sections", 404),
        ("/api/v1/laws/household-waste/versions/99999999999999999999/sections", 404),
        ("/api/v1/laws?page=0", 400),
        ("/api/v1/laws?page=abc", 400),
        ("/api/v1/laws?per_page=1000", 400),
        ("/api/v1/laws?status=draft", 400),
        ("/api/v1/nothing", 404),
    ],
)
def test_errors_are_json(client, waste_law, url, status):
    response = client.get(url)
    assert response.status_code == status
    jsonschema.validate(response.json, schema("Error"))
    assert response.json["error"]["status"] == status


def test_post_is_not_allowed(client):
    response = client.post("/api/v1/laws")
    assert response.status_code == 405 and response.json["error"]["status"] == 405


def test_openapi_document_is_valid():
    from openapi_spec_validator import validate

    validate(SPEC)


def test_comments_api_json_and_csv(client, article, create_comment, create_user):
    create_comment(article, body='=HYPERLINK("http://evil")', stance="oppose")
    create_comment(article, body="Қолдаймын, бірақ мерзім қысқа.", stance="support")
    create_comment(article, body="Ждёт модерации", state="pending")
    data = client.get(f"/api/v1/sections/{article.id}/comments").json
    jsonschema.validate(data, response_schema("/sections/{section_id}/comments"))
    assert data["total"] == 2 and {c["stance"] for c in data["items"]} == {"support", "oppose"}
    law = client.get(f"/api/v1/laws/{article.version.law.slug}/comments?per_page=1").json
    assert law["total"] == 2 and law["pages"] == 2
    response = client.get(f"/api/v1/laws/{article.version.law.slug}/comments?format=csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffid,law,version")
    assert "Қолдаймын, бірақ мерзім қысқа." in text
    assert "'=HYPERLINK" in text  # formulas are neutralised
    assert "Ждёт модерации" not in text
    assert client.get(f"/api/v1/sections/{article.id}/comments?format=xml").status_code == 400
