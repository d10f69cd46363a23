"""Exports of a summary snapshot: the PDF report, the summary table (DOCX, CSV), the JSON document; the command and
the downloads with who may have which."""

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from docx import Document
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.laws.models import Section
from app.summaries.exports import export_snapshot
from app.summaries.review import edit_key, submit_snapshot
from app.summaries.services import create_snapshot
from app.summaries.table import column_names
from tests.summaries import corpus
from tests.summaries.loading import insert_comments, make_authors, make_campaign

SPEC = json.loads((Path(__file__).resolve().parents[2] / "app" / "api" / "openapi.json").read_text())
KAZAKH_LETTERS = set("әғқңөұүһі")
CAMPAIGN_SIZE = 6
FORMULA = '=HYPERLINK("http://evil.example","click")'
LONG_WORD = "Мемлекеттікжоспарлаужүйесініңқұжаттарыментолықкелісілгенжобаныңқорытындысы" * 2
PDFTOPPM, PDFTOTEXT = shutil.which("pdftoppm"), shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(
    not (PDFTOPPM and PDFTOTEXT),
    reason="needs poppler-utils (pdftoppm, pdftotext): apt-get install -y poppler-utils (.ci/run installs it)",
)


def article(law, number: str) -> Section:
    return db.session.scalar(
        select(Section).where(Section.version_id == law.latest_version.id, Section.key == f"article:{number}")
    )


@pytest.fixture
def snapshot(discussion_law, create_comment):
    """A built summary of the discussion draft: 80 generated comments, a campaign of 6 copies on article 14, a
    comment that is a spreadsheet formula, one with a very long Kazakh word, and a pending one (never listed)."""
    law, version = discussion_law, discussion_law.latest_version
    authors = make_authors(30)
    insert_comments(law, version, list(corpus.generate(80, seed=3)), authors, seed=3)
    campaign = make_campaign(law, CAMPAIGN_SIZE)
    copy = corpus.GeneratedComment("campaign", "14", "ru", "oppose", "Требуем отменить статью 14 полностью.")
    insert_comments(
        law, version, [copy] * CAMPAIGN_SIZE, authors, seed=4, campaign_of=dict.fromkeys(range(CAMPAIGN_SIZE), campaign)
    )
    create_comment(article(law, "5"), body=FORMULA, stance="oppose")
    create_comment(
        article(law, "6"),
        body=f"Шаһар тұрғыны ретінде ұсынамын: {LONG_WORD} деп жазу.",
        stance="amend",
        proposed_wording=f"{LONG_WORD} туралы.",
    )
    create_comment(article(law, "7"), body="Модерацияны күтіп тұрған пікір.", state="pending")
    built = create_snapshot(law, version, None)
    db.session.commit()
    return built


def submit(snapshot, create_committee):
    law = snapshot.law
    law.committee_id, law.status = create_committee().id, "closed"
    submit_snapshot(snapshot, None)
    db.session.commit()
    return snapshot


def export(app, snapshot, fmt: str, lang: str = "kk"):
    with app.test_request_context(f"/{lang}/"):
        return export_snapshot(snapshot, fmt, lang)


def expected_groups(snapshot) -> int:
    """Comment groups as the summary counts them: every comment, each campaign once however many copies."""
    data = snapshot.data
    return data["totals"]["comments"] - sum(c["size"] for c in data["campaigns"]) + len(data["campaigns"])


def pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    result = subprocess.run(  # noqa: S603 (poppler's pdftotext found by shutil.which, fixed arguments)
        [PDFTOTEXT, "-enc", "UTF-8", *pages, str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return " ".join(result.stdout.decode("utf-8").split())


@needs_poppler
def test_the_pdf_first_page_renders_and_pdftotext_finds_kazakh_letters(app, snapshot, tmp_path):
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(export(app, snapshot, "pdf").content)
    subprocess.run(  # noqa: S603 (poppler's pdftoppm found by shutil.which, fixed arguments)
        [PDFTOPPM, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True, timeout=60
    )
    (page,) = tmp_path.glob("page*.png")
    assert page.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and page.stat().st_size > 2000

    title_page = pdftotext(pdf, 1, 1)
    assert "Нормативтік құқықтық актілердің жобаларын жария талқылау туралы" in title_page
    everything = pdftotext(pdf)
    assert KAZAKH_LETTERS <= set(everything.lower()), KAZAKH_LETTERS - set(everything.lower())
    # The long word wrapped inside the page instead of running off it: its letters are all there, in pieces.
    assert LONG_WORD[:20] in everything.replace(" ", "")


@needs_poppler
def test_the_pdf_has_the_title_page_facts_heat_map_articles_and_the_marked_edits(app, snapshot, tmp_path):
    article14 = next(s for s in snapshot.data["sections"] if s["kind"] == "article" and s["number"] == "14")
    summarised_in = next(iter(article14["summary"]))
    snapshot.introduction = "Министрлік барлық ұсыныстарды қарады."
    snapshot.edits = {edit_key(article14["id"], summarised_in): "Агенттік қайта жазған қорытынды."}
    db.session.commit()
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(export(app, snapshot, "pdf", "en").content)
    text = pdftotext(pdf)
    assert "Summary No. 1" in pdftotext(pdf, 1, 1) and "Not submitted" in pdftotext(pdf, 1, 1)
    assert "Министрлік барлық ұсыныстарды қарады." in text
    assert "Art. 14" in text  # the heat map's cells, drawn from its SVG as text
    assert "Article 14." in text and "Arguments against" in text and "Proposed wordings" in text
    assert "Edited by the drafting agency Агенттік қайта жазған қорытынды." in text
    assert "Требуем отменить статью 14 полностью." in text and f"×{CAMPAIGN_SIZE}" in text


@needs_poppler
def test_a_submitted_pdf_shows_its_content_hash_and_dates(app, snapshot, create_committee, tmp_path):
    submit(snapshot, create_committee)
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(export(app, snapshot, "pdf", "ru").content)
    first = pdftotext(pdf, 1, 1)
    assert snapshot.content_hash[:32] in first and snapshot.content_hash[32:] in first
    assert "Нормативтік құқықтық актілердің" in first  # the draft has no Russian title: the Kazakh one stands in


def test_the_docx_opens_with_python_docx_and_has_one_row_per_comment_group(app, snapshot):
    content = export(app, snapshot, "docx").content
    document = Document(io.BytesIO(content))
    (table,) = document.tables
    with app.test_request_context("/kk/"), force_locale("kk"):
        assert [cell.text for cell in table.rows[0].cells] == column_names()
    # The labels Kazakh legislative practice uses, not the English source strings.
    assert [cell.text for cell in table.rows[0].cells][:2] == ["Р/с №", "Құрылымдық элемент"]
    rows = table.rows[1:]
    assert len(rows) == expected_groups(snapshot)
    assert [row.cells[0].text for row in rows] == [str(n) for n in range(1, len(rows) + 1)]
    campaign_rows = [row for row in rows if row.cells[4].text.startswith(f"×{CAMPAIGN_SIZE}")]
    assert len(campaign_rows) == 1 and "Требуем отменить статью 14 полностью." in campaign_rows[0].cells[3].text
    assert campaign_rows[0].cells[1].text == "14-бап"
    assert all(row.cells[5].text == "" and row.cells[6].text == "" for row in rows)  # for the agency's answers
    units = [row.cells[1].text for row in rows]
    assert units.index("5-бап") < units.index("6-бап") < units.index("14-бап")  # in the order of the draft
    assert not any("Модерацияны күтіп" in row.cells[3].text for row in rows)
    # The unit's text of the draft, in Kazakh: a cell merged over the rows about the same unit.
    assert "Жария талқылау мерзімдері" in campaign_rows[0].cells[2].text


def test_the_docx_labels_follow_the_language(app, snapshot):
    document = Document(io.BytesIO(export(app, snapshot, "docx", "ru").content))
    with app.test_request_context("/ru/"), force_locale("ru"):
        assert [cell.text for cell in document.tables[0].rows[0].cells] == column_names()
    assert document.tables[0].rows[0].cells[0].text == "№ п/п"
    units = {row.cells[1].text for row in document.tables[0].rows[1:]}
    assert "Статья 14" in units


def test_the_csv_has_one_row_per_group_and_neutralises_formulas(app, snapshot):
    text = export(app, snapshot, "csv").content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == expected_groups(snapshot) and len(header) == 11
    comments = [row[4] for row in rows]
    assert "'" + FORMULA in comments and FORMULA not in comments
    assert not any(cell[:1] in ("=", "+", "-", "@") for row in rows for cell in row)
    (campaign,) = [row for row in rows if row[7] == str(CAMPAIGN_SIZE)]
    assert len(campaign[8].split()) == CAMPAIGN_SIZE


def test_the_json_export_is_the_api_document(app, snapshot, create_committee):
    submit(snapshot, create_committee)
    document = json.loads(export(app, snapshot, "json").content)
    jsonschema.validate(document, {"$ref": "#/components/schemas/SummarySnapshot", "components": SPEC["components"]})
    assert document["status"] == "submitted" and document["snapshot"] == snapshot.number
    assert document["content_hash"] == snapshot.content_hash and document["submitted_at"]
    assert {key: document[key] for key in snapshot.data} == {**snapshot.data, "status": "submitted"}


def test_the_command_exports_the_latest_build_or_a_chosen_snapshot(app, runner, snapshot, tmp_path):
    second = create_snapshot(snapshot.law, snapshot.version, None)
    db.session.commit()
    out = tmp_path / "latest.json"
    result = runner.invoke(args=["summaries", "export", snapshot.law.slug, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["snapshot"] == second.number
    out = tmp_path / "first.docx"
    args = ["summaries", "export", snapshot.law.slug, "--snapshot", "1", "--format", "docx", "-o", str(out)]
    assert runner.invoke(args=[*args, "--lang", "ru"]).exit_code == 0
    assert len(Document(str(out)).tables[0].rows) == expected_groups(snapshot) + 1
    missing = runner.invoke(args=[*args[:4], "9", *args[5:]])
    assert missing.exit_code != 0 and "no summary snapshot 9" in missing.output


@pytest.mark.parametrize(
    ("fmt", "mimetype"),
    [
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("csv", "text/csv"),
        ("json", "application/json"),
    ],
)
def test_a_submitted_summary_downloads_for_anyone(client, snapshot, create_committee, fmt, mimetype):
    submit(snapshot, create_committee)
    response = client.get(f"/ru/summaries/{snapshot.law.slug}/{snapshot.number}.{fmt}")
    assert response.status_code == 200 and response.mimetype == mimetype
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition.split("filename=", 1)[1]
    assert f"public-discussion-{'summary-table' if fmt in ('csv', 'docx') else 'summary'}-1-ru.{fmt}" in disposition
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_working_copy_downloads_only_for_the_agency_and_admins(client, auth, snapshot, create_user, create_agency):
    url = f"/kk/summaries/{snapshot.law.slug}/{snapshot.number}.pdf"
    assert client.get(url).status_code == 404
    for user, status in [
        (create_user(), 404),
        (create_user(role="mp"), 404),
        (create_user(role="moderator"), 404),
        (create_user(role="editor", agency=create_agency()), 404),
        (create_user(role="editor", agency=snapshot.law.agency), 200),
        (create_user(role="admin"), 200),
    ]:
        auth.login(user)
        response = client.get(url)
        assert response.status_code == status, user.role
        if status == 200:
            assert response.headers["Cache-Control"] == "private, no-store"
        auth.logout()


def test_unknown_snapshots_formats_and_laws_are_404(client, snapshot, create_committee):
    submit(snapshot, create_committee)
    slug = snapshot.law.slug
    for url in (f"/kk/summaries/{slug}/9.pdf", f"/kk/summaries/{slug}/1.xlsx", "/kk/summaries/nope/1.pdf"):
        assert client.get(url).status_code == 404, url


def test_a_comment_approved_after_the_build_is_not_in_its_table(app, snapshot, create_comment):
    # The snapshot's figures do not count it, so its table does not list it either.
    create_comment(article(snapshot.law, "9"), body="Кейін жарияланған пікір.", stance="support")
    text = export(app, snapshot, "csv").content.decode("utf-8")
    assert "Кейін жарияланған пікір." not in text
    assert len(list(csv.reader(io.StringIO(text)))) - 1 == expected_groups(snapshot)


def test_a_summary_of_no_comments_exports_in_every_format(app, discussion_law):
    empty = create_snapshot(discussion_law, discussion_law.latest_version, None)
    db.session.commit()
    assert Document(io.BytesIO(export(app, empty, "docx", "ru").content)).tables[0].rows[1:] == []
    assert len(export(app, empty, "csv").content.decode("utf-8").splitlines()) == 1
    assert export(app, empty, "pdf", "en").content.startswith(b"%PDF-")
    assert json.loads(export(app, empty, "json").content)["totals"]["comments"] == 0
