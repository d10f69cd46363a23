"""Exports of a summary snapshot: the JSON document, the summary table as DOCX and CSV, the report as PDF.

Labels are in the export's language (the page that asked, or `--lang`); the law's own text is in that language
where the version has it, else in the first one it has. Nothing here writes to the database.
"""

import csv
import io
import json
import re
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from app.comments.labels import STANCE_LABELS, label
from app.spreadsheets import safe_cell
from app.summaries.document import published_document
from app.summaries.exports.pdf import to_pdf
from app.summaries.exports.word import to_docx
from app.summaries.models import SummarySnapshot
from app.summaries.table import column_names, summary_table

FORMATS = {
    "json": "application/json",
    "csv": "text/csv",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Export:
    """A rendered export: its bytes, content type and file name."""

    content: bytes
    mimetype: str
    filename: str


def export_filename(snapshot: SummarySnapshot, fmt: str, lang: str) -> str:
    """An ASCII file name: the law's slug, what it is, the snapshot's number and the language of its labels."""
    kind = "summary-table" if fmt in ("csv", "docx") else "summary"
    slug = _UNSAFE_IN_FILENAME.sub("-", snapshot.law.slug).strip("-.") or "law"
    return f"{slug}-{kind}-{snapshot.number}-{lang}.{fmt}"


def export_snapshot(snapshot: SummarySnapshot, fmt: str, lang: str) -> Export:
    """Render a snapshot in one of FORMATS with labels in `lang`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    with force_locale(lang):
        if fmt == "json":
            content = to_json(snapshot)
        elif fmt == "csv":
            content = to_csv(snapshot, lang)
        elif fmt == "docx":
            content = to_docx(snapshot, lang)
        else:
            content = to_pdf(snapshot, lang)
    return Export(content, FORMATS[fmt], export_filename(snapshot, fmt, lang))


def to_json(snapshot: SummarySnapshot) -> bytes:
    """The snapshot's JSON document, as the API gives it, with the answers given so far (read now, never stored)."""
    document = published_document(snapshot)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def to_csv(snapshot: SummarySnapshot, lang: str) -> bytes:
    """The summary table as CSV (UTF-8 with a BOM for spreadsheet programs), one row per comment group."""
    number, unit, unit_text, _comment, author, decision, reasoning = column_names()
    header = [
        number,
        unit,
        unit_text,
        _("Stance"),
        _("Comment text"),
        _("Proposed wording"),
        author,
        _("Comments in the group"),
        _("Comment numbers"),
        decision,
        reasoning,
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in summary_table(snapshot, lang):
        cells = [
            row.number,
            row.unit,
            row.unit_text,
            label(STANCE_LABELS, row.stance),
            row.comment,
            row.proposed_wording,
            row.author_text,
            row.size,
            " ".join(str(i) for i in row.comment_ids),
            row.decision,
            row.reasoning,
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
