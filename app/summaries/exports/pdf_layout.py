"""The page layout of the PDF report: DejaVu Sans (it has the Kazakh letters), headings with bookmarks, bullets, tables
of facts and figures, text the agency edited, and the charts' SVG adapted to what fpdf2 draws."""

import io
import re
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import ResourceAccessPolicy, XPos, YPos

FONTS = Path(__file__).resolve().parents[1] / "fonts"
FONT = "DejaVu"
INK = (26, 26, 26)
MUTED = (85, 85, 85)
RULE = (170, 170, 170)
EDITED = (0, 114, 178)  # the bar beside text the agency edited (the word "edited" says it too)
LINE = 5.0  # mm per line of body text at 10 pt
# fpdf2 draws SVG without <pattern> fills: the stance bar's hatched and dotted fills become their plain colours.
PATTERN_COLOURS = {"oppose": "#D55E00", "amend": "#009E73"}
_PATTERN_FILL = re.compile(r'fill="url\(#[^)]*-(oppose|amend)\)"')
_UNDRAWN = re.compile(r"<title>.*?</title>|<defs>.*?</defs>", re.DOTALL)
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')
_FONT_SIZE = re.compile(r'font-size="(\d+(?:\.\d+)?)"')
# DejaVu Sans is wider than the browser fonts the charts were laid out for: smaller type keeps labels in their cells.
SVG_TYPE_SCALE = 0.85


def _svg_for_pdf(svg: str) -> bytes:
    """Adapt a chart's SVG to fpdf2: our font, plain fills for patterns, no <title>/<defs> (it cannot draw them)."""
    svg = _UNDRAWN.sub("", svg)
    svg = _PATTERN_FILL.sub(lambda m: f'fill="{PATTERN_COLOURS[m.group(1)]}"', svg)
    svg = _FONT_SIZE.sub(lambda m: f'font-size="{float(m.group(1)) * SVG_TYPE_SCALE:.1f}"', svg)
    return svg.replace("<svg ", f'<svg font-family="{FONT}" ', 1).encode("utf-8")


def svg_height(svg: str, width: float) -> float:
    """The height a chart takes when drawn `width` wide (from its root's width and height)."""
    size = _SVG_SIZE.search(svg)
    return width * float(size.group(2)) / float(size.group(1)) if size else 0.0


class Report(FPDF):
    """An A4 page in DejaVu Sans with a running head and a numbered footer, and the few blocks a report is made of."""

    def __init__(self, running_head: str, footer: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.running_head = running_head
        self.footer_text = footer
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=16)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=7.5)
        self.set_text_color(*MUTED)
        self.set_y(9)
        self.cell(0, 4, self.running_head, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(18)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def footer(self):
        self.set_y(-11)
        self.set_font(FONT, size=7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 4, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(*INK)

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def paragraph(self, text: str, size: float = 10, bold: bool = False, colour=INK, indent: float = 0, gap: float = 1):
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.width - indent, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(gap)

    def heading(self, text: str, level: int = 0):
        size = (15, 12.5, 10.5)[level]
        # Never a heading alone at the foot of a page.
        if self.will_page_break((28, 22, 14)[level]):
            self.add_page()
        if level < 2:
            self.start_section(text, level=level)
        self.ln((4, 3, 1.5)[level])
        self.paragraph(text, size=size, bold=True, gap=(2.5, 1.5, 0.5)[level])
        if level == 0:
            self.set_draw_color(*RULE)
            self.line(self.l_margin, self.get_y() - 1, self.w - self.r_margin, self.get_y() - 1)
            self.ln(2)

    def bullet(self, text: str, note: str = "", indent: float = 3):
        self.set_font(FONT, size=10)
        self.set_x(self.l_margin + indent)
        self.cell(4, LINE, "•")
        self.multi_cell(self.width - indent - 4, LINE, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if note:
            self.paragraph(note, size=8.5, colour=MUTED, indent=indent + 4, gap=0)
        self.ln(1)

    def edited(self, text: str, mark: str):
        """Text the agency wrote in place of the computed one, with a bar beside it and the word saying so."""
        top, page = self.get_y(), self.page_no()
        self.paragraph(mark, size=8.5, bold=True, colour=EDITED, indent=5, gap=0)
        self.paragraph(text, indent=5, gap=0)
        if self.page_no() == page:
            self.set_draw_color(*EDITED)
            self.set_line_width(0.8)
            self.line(self.l_margin + 1.5, top, self.l_margin + 1.5, self.get_y())
            self.set_line_width(0.2)
        self.ln(1.5)

    def facts(self, rows: list[tuple[str, str]], label_width: float = 48):
        self.set_font(FONT, size=10)
        with self.table(
            col_widths=(label_width, self.width - label_width),
            first_row_as_headings=False,
            borders_layout="HORIZONTAL_LINES",
            line_height=LINE,
            text_align=("LEFT", "LEFT"),
            padding=(1.2, 1.5),
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(label)
                row.cell(value)
        self.ln(2)

    def figures(self, heading: str, rows: list[tuple[str, int]], total: int):
        self.set_font(FONT, size=9.5)
        with self.table(
            col_widths=(self.width - 60, 30, 30),
            borders_layout="SINGLE_TOP_LINE",
            line_height=4.6,
            text_align=("LEFT", "RIGHT", "RIGHT"),
            padding=(0.8, 1.5),
        ) as table:
            head = table.row()
            for text in (heading, _("Comments"), _("Share")):
                head.cell(text)
            for label, count in rows:
                row = table.row()
                row.cell(label)
                row.cell(f"{count:,}".replace(",", "\u00a0"))
                row.cell(f"{round(100 * count / total) if total else 0}%")
        self.ln(3)

    def svg(self, svg: str, width: float):
        if self.will_page_break(svg_height(svg, width)):
            self.add_page()
        image = io.BytesIO(_svg_for_pdf(svg))
        self.set_x(self.l_margin)
        self.image(image, w=width, resource_access_policy=ResourceAccessPolicy.NONE)
        self.ln(2)
