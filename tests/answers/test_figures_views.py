"""The public Hearing State figures: the ranking page, each draft's page, the line on the draft's page, the API."""

import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from app.answers import services
from app.answers.figures import law_figures
from app.db import utcnow
from app.extensions import db

SPEC = json.loads((Path(__file__).resolve().parents[2] / "app" / "api" / "openapi.json").read_text())
ALMATY = ZoneInfo("Asia/Almaty")
# Friday 8 May 2026, 18:00 in Almaty. With 3 working days and no holidays: Mon 11, Tue 12, Wed 13 May.
CLOSES = datetime(2026, 5, 8, 13, tzinfo=UTC)
RANKING = "Drafting agencies by how they answer comments"


def almaty(*args) -> datetime:
    return datetime(*args, tzinfo=ALMATY).astimezone(UTC)


class _Tables(HTMLParser):
    """{caption: rows of cell texts} of every table of a page, as a reader sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._title = ""

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._title = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._title] = self._rows
            self._rows = None

    def handle_data(self, data):
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def response_schema(path: str, status: str = "200") -> dict:
    answer = SPEC["paths"][path]["get"]["responses"][status]
    if "$ref" in answer:
        answer = SPEC["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    return {**answer["content"]["application/json"]["schema"], "components": SPEC["components"]}


@pytest.fixture
def calendar_config(app, tmp_path):
    holidays = tmp_path / "holidays.txt"
    holidays.write_text("# none in May 2026 for this test\n", encoding="utf-8")
    app.config["HOLIDAYS_FILE"] = str(holidays)
    app.config["ANSWER_WORKING_DAYS"] = 3


@pytest.fixture
def open_draft(create_law_from, create_agency):
    """A draft of a new agency, open for comments now (closed by the caller once commented)."""

    def make(slug: str, *versions):
        law = create_law_from(*(versions or [[("ru", "waste.v1.ru.txt")]]), slug=slug, agency=create_agency())
        law.opens_at, law.closes_at, law.status = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1), "open"
        db.session.commit()
        return law

    return make


def article_10(law, number: int = 1):
    return next(s for s in law.version(number).sections if s.key == "article:10")


def close(law) -> None:
    law.opens_at, law.closes_at, law.status = almaty(2026, 4, 1), CLOSES, "closed"
    db.session.commit()


@pytest.fixture
def hearing(calendar_config, open_draft, create_user, create_comment):
    """Agency 1 answered 3 of its 4 published comments, 2 in time; agency 2 both of its 2, in time."""
    alpha = open_draft("alpha", [("ru", "waste.v1.ru.txt")], [("ru", "waste.v2.ru.txt")])
    a = [create_comment(article_10(alpha), body=f"Замечание {n}") for n in range(4)]
    create_comment(article_10(alpha), state="pending")
    close(alpha)
    editor_a = create_user("editor", agency=alpha.agency)
    accepted = services.answer_comments(
        alpha, [a[0]], user=editor_a, decision="accepted", reasoning={}, now=almaty(2026, 5, 11, 10)
    )
    services.trace_answer(accepted, services.trace_candidates(accepted)[0].section, user=editor_a)
    services.answer_comments(
        alpha, [a[1]], user=editor_a, decision="rejected", reasoning={"ru": "Нет."}, now=almaty(2026, 5, 12, 10)
    )
    services.answer_comments(
        alpha, [a[2]], user=editor_a, decision="partly_accepted", reasoning={"kk": "Ішінара."},
        now=almaty(2026, 5, 20, 10),
    )  # fmt: skip

    beta = open_draft("beta")
    b = [create_comment(article_10(beta), body=f"Пікір {n}") for n in range(2)]
    close(beta)
    editor_b = create_user("editor", agency=beta.agency)
    services.answer_comments(
        beta, b, user=editor_b, decision="not_applicable", reasoning={}, scope="selection",
        now=almaty(2026, 5, 11, 9),
    )  # fmt: skip
    db.session.commit()
    return alpha, beta


@pytest.fixture
def in_preparation(open_draft, create_user, create_comment):
    """A draft taken back into preparation after it had an answered comment: it is not public, so not counted."""
    gamma = open_draft("gamma")
    comment = create_comment(article_10(gamma))
    services.answer_comments(gamma, [comment], user=create_user("editor", agency=gamma.agency), decision="accepted",
                             reasoning={})  # fmt: skip
    gamma.status = "draft"
    db.session.commit()
    return gamma


def test_the_page_ranks_agencies_with_the_shares_a_reader_checks(client, hearing, in_preparation):
    html = client.get("/en/figures/").get_data(as_text=True)
    ranking = tables(html)[RANKING]
    assert ranking[0][:3] == ["Rank", "Drafting agency", "Drafts"]
    # rank, agency, drafts, received, published, answered, accepted, partly, rejected, not applicable,
    # median days, by the deadline, traced to a change
    assert ranking[1:] == [
        ["1", "Agency 2", "1", "2", "2", "100%", "0%", "0%", "0%", "100%", "3", "100%", "—"],
        ["2", "Agency 1", "1", "5", "4", "75%", "33%", "33%", "33%", "0%", "4", "50%", "50%"],
    ]
    assert "Agency 3" not in html and "gamma" not in html
    # Under each agency, its drafts with their due day and a link to their own figures page.
    drafts = tables(html)["Public drafts of Agency 1"]
    assert drafts[1][1:6] == ["Consultation closed", "13 May 2026", "5", "4", "75%"]
    assert 'href="/en/figures/alpha"' in html and 'href="/en/figures/beta"' in html
    # The chart says the same in words, for every agency in rank order.
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert chart.index("1. Agency 2") < chart.index("2. Agency 1")
    assert ">75%<" in chart and ">50%<" in chart
    # The figures of all public drafts together: the draft in preparation adds nothing.
    assert "<dt>Comments received</dt><dd>7</dd>" in html
    assert "<dd>83% — 5 of 6</dd>" in html and "<dd>67% — 4 of 6</dd>" in html


def test_a_draft_in_preparation_has_no_figures_even_for_its_agency(client, auth, create_user, hearing, in_preparation):
    assert client.get("/en/figures/gamma").status_code == 404
    answer = client.get("/api/v1/laws/gamma/figures")
    assert answer.status_code == 404 and answer.json["error"]["status"] == 404
    jsonschema.validate(answer.json, response_schema("/laws/{slug}/figures", "404"))
    assert "gamma" not in client.get("/api/v1/figures").get_data(as_text=True)

    auth.login(create_user("editor", agency=in_preparation.agency))
    assert client.get("/en/figures/gamma").status_code == 404
    # Its editor still sees the draft, without a line of figures it does not have.
    page = client.get("/en/laws/gamma/").get_data(as_text=True)
    assert "Answers of the agency" not in page and "/en/figures/gamma" not in page


def test_a_drafts_figures_page(client, hearing):
    html = client.get("/en/figures/alpha").get_data(as_text=True)
    assert "Answers are due by 13 May 2026: 3 working days after the consultation closes on 8 May 2026" in html
    for line in (
        "<dd>75% — 3 of 4</dd>",
        "<dd>50% — 2 of 4</dd>",
        "<dt>Median days from close to answer</dt><dd>4</dd>",
    ):
        assert line in html
    chart = html[html.index("<svg") : html.index("</svg>")]
    for label in ("Accepted: 1 (33%)", "Partly accepted: 1 (33%)", "Not accepted: 1 (33%)", "Not applicable: 0 (0%)"):
        assert f">{label}</text>" in chart
    assert 'href="/en/figures/"' in html and 'href="/en/laws/alpha/"' in html
    assert client.get("/en/figures/no-such-draft").status_code == 404


def test_the_drafts_page_says_how_much_was_answered(client, hearing):
    html = client.get("/en/laws/alpha/").get_data(as_text=True)
    assert "3 of 4 published comments answered (75%)" in html
    assert 'href="/en/figures/alpha"' in html


def test_the_summary_table_is_the_latest_submitted_one(client, hearing, create_committee):
    from app.summaries.review import submit_snapshot
    from app.summaries.services import create_snapshot

    alpha, _beta = hearing
    alpha.committee_id = create_committee().id
    submit_snapshot(create_snapshot(alpha, alpha.latest_version, None), None)
    create_snapshot(alpha, alpha.latest_version, None)  # a working copy, never sent: not public
    db.session.commit()

    html = client.get("/en/figures/").get_data(as_text=True)
    # In rank order: beta (no summary) under agency 2, then alpha under agency 1.
    summaries = [row[-1] for caption, rows in tables(html).items() if caption != RANKING for row in rows[1:]]
    assert summaries == ["none yet", "Summary no. 1 (DOCX)"]
    assert html.count('href="/en/summaries/alpha/1.docx"') == 1 and "/2.docx" not in html
    download = client.get("/en/summaries/alpha/1.docx")
    assert download.status_code == 200 and download.mimetype.endswith("wordprocessingml.document")
    assert 'href="/en/summaries/alpha/1.docx"' in client.get("/en/figures/alpha").get_data(as_text=True)


def test_the_api_gives_the_documented_shape_and_the_same_numbers(client, hearing, in_preparation):
    alpha, beta = hearing
    expected = law_figures([alpha, beta])
    data = client.get("/api/v1/figures").json
    jsonschema.validate(data, response_schema("/figures"))
    assert [(a["rank"], a["slug"]) for a in data["agencies"]] == [(1, beta.agency.slug), (2, alpha.agency.slug)]
    second = data["agencies"][1]
    assert second["name"] == {"kk": "Агенттік 1", "ru": "Агентство 1", "en": "Agency 1"}
    assert [law["slug"] for law in second["laws"]] == ["alpha"]
    assert second["laws"][0]["answers_due"] == "2026-05-13" and second["laws"][0]["closes_at"] == "2026-05-08T13:00:00Z"
    assert second["laws"][0]["figures"] == expected[alpha.id].figures.as_dict() == second["figures"]
    assert second["figures"]["answered_share"] == 0.75 and second["figures"]["traced_share"] == 0.5
    assert data["overall"]["received"] == 7 and data["overall"]["answered"] == 5

    one = client.get("/api/v1/laws/beta/figures").json
    jsonschema.validate(one, response_schema("/laws/{slug}/figures"))
    assert one == {"slug": "beta", "answers_due": "2026-05-13", "figures": expected[beta.id].figures.as_dict()}
    assert one["figures"]["traced_share"] is None and one["figures"]["answered_on_time_share"] == 1.0
    assert client.get("/api/v1/laws/no-such-draft/figures").status_code == 404


def test_openapi_describes_both_routes_strictly():
    for path, schema in (("/figures", "FiguresOverview"), ("/laws/{slug}/figures", "FiguresOfLaw")):
        assert SPEC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{schema}"
        }
    for name in ("Figures", "FiguresOverview", "FiguresOfLaw", "FiguresAgency", "FiguresLaw"):
        assert SPEC["components"]["schemas"][name]["additionalProperties"] is False


@pytest.mark.parametrize(
    ("lang", "heading", "column"),
    [
        ("kk", "«Халық үніне құлақ асатын мемлекет» көрсеткіштері", "Мерзімінде жауап берілді"),
        ("ru", "Показатели «Слышащего государства»", "Отвечено в срок"),
    ],
)
def test_the_page_speaks_kazakh_and_russian(client, hearing, lang, heading, column):
    html = client.get(f"/{lang}/figures/").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{heading}</h1>" in html and f'<th scope="col">{column}</th>' in html
    assert f"← {heading}</a>" in client.get(f"/{lang}/figures/alpha").get_data(as_text=True)


def test_empty_state_and_the_link_everyone_sees(client, create_law_from):
    create_law_from([("ru", "waste.v1.ru.txt")], slug="not-yet", status="draft")
    home = client.get("/en/").get_data(as_text=True)
    assert 'href="/en/figures/"' in home
    html = client.get("/en/figures/").get_data(as_text=True)
    assert "No draft law has been published for consultation yet, so there are no figures." in html
    assert "<table" not in html and "<svg" not in html
    data = client.get("/api/v1/figures").json
    jsonschema.validate(data, response_schema("/figures"))
    assert data["agencies"] == [] and data["overall"]["received"] == 0 and data["overall"]["answered_share"] is None
