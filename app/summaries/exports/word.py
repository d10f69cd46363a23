"""The summary table ("жиынтық кесте" / "сводная таблица") as a Word document (DOCX), built with python-docx."""

import html
import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Cm, Pt
from flask_babel import gettext as _

from app.comments.labels import STANCE_LABELS, label
from app.summaries.document import status_text, title_of
from app.summaries.models import SummarySnapshot
from app.summaries.table import TableRow, column_names, summary_table
from app.template_helpers import local_datetime

# The summary table on landscape A4 with 1.5 cm margins: 26.7 cm for the seven columns.
DOCX_WIDTHS_CM = (1.0, 2.9, 7.0, 7.0, 3.0, 2.6, 3.2)
DOCX_FONT = "Times New Roman"  # what Kazakh and Russian official documents use; it has the Kazakh letters
# Characters XML 1.0 cannot hold (a pasted control character would make Word refuse the whole file).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
TWIPS_PER_CM = 567


def _run(text: str, bold: bool = False, size: float | None = None, grey: bool = False) -> str:
    # Children of w:rPr in the order the schema gives them (Word is strict about it).
    props = ("<w:b/>" if bold else "") + ('<w:color w:val="555555"/>' if grey else "")
    props += f'<w:sz w:val="{round(size * 2)}"/>' if size else ""
    text = html.escape(_NOT_IN_XML.sub("", text), quote=False)
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _lines(text: str | None, **style) -> list[str]:
    """A paragraph per line of the text."""
    return [f"<w:p>{_run(line, **style)}</w:p>" for line in (text or "").split("\n")]


def _cell(width_cm: float, paragraphs: list[str], merge: str | None = None) -> str:
    vmerge = {None: "", "restart": '<w:vMerge w:val="restart"/>', "continue": "<w:vMerge/>"}[merge]
    width = f'<w:tcW w:w="{round(width_cm * TWIPS_PER_CM)}" w:type="dxa"/>'
    return f"<w:tc><w:tcPr>{width}{vmerge}</w:tcPr>{''.join(paragraphs) or '<w:p/>'}</w:tc>"


def _row_cells(row: TableRow, same_unit: bool) -> list[list[str]]:
    comment = _lines(_("Stance: %(stance)s", stance=label(STANCE_LABELS, row.stance)), grey=True, size=8)
    comment += _lines(row.comment)
    if row.proposed_wording:
        comment += _lines(_("Proposed wording:"), bold=True) + _lines(row.proposed_wording)
    author = _lines(row.author_text)
    if row.campaign_id is None:
        author += _lines(f"#{row.comment_ids[0]}", size=8)
    unit = [] if same_unit else _lines(row.unit, bold=True)
    text = [] if same_unit else _lines(row.unit_text, size=9)
    return [_lines(str(row.number)), unit, text, comment, author, _lines(row.decision), _lines(row.reasoning)]


def _table_rows(rows: list[TableRow]) -> str:
    """The table's rows as WordprocessingML: thousands of rows through python-docx's objects take minutes, since
    each add_row walks the whole table; written as XML, seconds. A unit's name and text are written once, merged
    down over the rows about it."""
    header = "".join(_cell(w, _lines(name, bold=True)) for w, name in zip(DOCX_WIDTHS_CM, column_names(), strict=True))
    out = [f'<w:tbl {_W}><w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>{header}</w:tr>']
    previous_unit = None
    for row in rows:
        same_unit = row.section_id == previous_unit
        previous_unit = row.section_id
        merged = {1: "continue" if same_unit else "restart", 2: "continue" if same_unit else "restart"}
        cells = _row_cells(row, same_unit)
        out.append(
            "<w:tr>" + "".join(_cell(w, cells[i], merged.get(i)) for i, w in enumerate(DOCX_WIDTHS_CM)) + "</w:tr>"
        )
    out.append("</w:tbl>")
    return "".join(out)


def to_docx(snapshot: SummarySnapshot, lang: str) -> bytes:
    """The summary table ("жиынтық кесте" / "сводная таблица") as a Word document, one row per comment group."""
    document = Document()
    page = document.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Cm(1.5))
    normal = document.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(0)
    title = title_of(snapshot, lang)
    document.core_properties.title = _("Summary table: %(title)s", title=title)
    document.core_properties.language = lang

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(_("Summary table of comments and proposals on the draft law")).bold = True
    heading.runs[0].font.size = Pt(13)
    name = document.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name.add_run(f"«{title}»").bold = True
    facts = document.add_paragraph()
    facts.alignment = WD_ALIGN_PARAGRAPH.CENTER
    facts.paragraph_format.space_after = Pt(8)
    facts.add_run(
        _(
            "Public consultation on Kenes. Summary No. %(number)d of version %(version)d, built on %(built)s.",
            number=snapshot.number,
            version=snapshot.version.number,
            built=local_datetime(snapshot.built_at),
        )
        + " "
        + status_text(snapshot)
    ).font.size = Pt(9)

    table = document.add_table(rows=0, cols=len(DOCX_WIDTHS_CM))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, DOCX_WIDTHS_CM, strict=True):
        column.width = Cm(width)
    table._tbl.extend(parse_xml(_table_rows(summary_table(snapshot, lang))))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
