"""Charts of the Hearing State figures drawn on the server as SVG, in the manner of app/summaries/charts.py.

No JavaScript and no style= (CSP): presentation attributes only. Every figure is also written as text beside its
mark, decisions differ by pattern as well as by colour, and every label is escaped. The charts are 400 units wide
so that they stay readable on a 390 px phone screen.
"""

from flask_babel import force_locale, format_decimal, format_percent, gettext, ngettext
from markupsafe import Markup

from app.answers.figures import AgencyFigures, Figures
from app.answers.labels import DECISION_LABELS
from app.answers.models import DECISIONS
from app.i18n import localized
from app.summaries.charts import INK, MUTED, NO_COMMENTS_FILL, _e, _id, fill_patterns, pattern_fill

WIDTH = 400
NOTHING = "—"
# Okabe-Ito colours; rejected is also hatched and partly accepted dotted, so the bar reads without colour.
DECISION_FILLS = {
    "accepted": "#009E73",
    "partly_accepted": "#56B4E9",
    "rejected": "#D55E00",
    "not_applicable": "#999999",
}
ANSWERED_FILL, ON_TIME_FILL = "#0072B2", "#E69F00"
# Agencies chart: a name (wrapped), then one labelled bar per measure.
NAME_CHARS, LINE_H, ROW_H, GROUP_GAP = 46, 17, 20, 12
LABEL_W, VALUE_W = 118, 44


def percent(share: float | None) -> str:
    """A share (0..1) as a percentage in the reader's language; a dash when there was nothing to divide."""
    return NOTHING if share is None else format_percent(share)


def days(value: float | None) -> str:
    """A number of days in the reader's language; a dash when nothing was answered."""
    return NOTHING if value is None else format_decimal(value)


def _wrap(text: str, limit: int = NAME_CHARS) -> list[str]:
    """Split a name into lines of at most `limit` characters (SVG text does not wrap by itself)."""
    lines: list[str] = []
    for word in text.split():
        while len(word) > limit:
            lines.append(word[: limit - 1] + "-")
            word = word[limit - 1 :]
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def agencies_svg(ranked: list[AgencyFigures], lang: str) -> Markup:
    """Horizontal bars per agency, in rank order: the share of published comments answered, and answered on time."""
    with force_locale(lang):
        # Every text inside went through _e (escape), so the SVG is safe to mark.
        return Markup(_agencies(ranked, lang))  # noqa: S704  # nosec B704


def _measure_row(y: float, label: str, share: float | None, fill: str, detail: str) -> str:
    track = WIDTH - LABEL_W - VALUE_W
    # Nothing to divide: a dashed empty track and a muted dash, not a bar of 0 %.
    dashed = "" if share is not None else ' stroke-dasharray="3 3"'
    ink = INK if share is not None else MUTED
    out = [
        f'<g transform="translate(0 {y})"><title>{_e(detail)}</title>',
        f'<text x="0" y="13" font-size="12">{_e(label)}</text>',
        f'<rect x="{LABEL_W}" y="2" width="{track}" height="13" fill="{NO_COMMENTS_FILL}" stroke="#8A8A8A" '
        f'stroke-width="0.75"{dashed}/>',
    ]
    if share:
        out.append(f'<rect x="{LABEL_W}" y="2" width="{track * min(share, 1):.1f}" height="13" fill="{fill}"/>')
    out.append(
        f'<text x="{WIDTH}" y="13" text-anchor="end" font-weight="bold" fill="{ink}">{_e(percent(share))}</text></g>'
    )
    return "".join(out)


def _agencies(ranked: list[AgencyFigures], lang: str) -> str:
    answered_label, on_time_label = gettext("Answered"), gettext("By the deadline")
    blocks, y = [], 0
    for rank, entry in enumerate(ranked, start=1):
        figures = entry.figures
        name = localized(entry.agency, "name", lang)[0] or entry.agency.slug
        lines = _wrap(gettext("%(rank)d. %(agency)s", rank=rank, agency=name))
        block = [f'<g class="agency" transform="translate(0 {y})">']
        for index, line in enumerate(lines):
            block.append(f'<text x="0" y="{13 + index * LINE_H}" font-weight="bold">{_e(line)}</text>')
        top = len(lines) * LINE_H + 2
        answered = ngettext(
            "%(agency)s: %(answered)d of %(num)d published comment answered",
            "%(agency)s: %(answered)d of %(num)d published comments answered",
            figures.approved,
            agency=name,
            answered=figures.answered,
        )
        on_time = ngettext(
            "%(agency)s: %(on_time)d of %(num)d published comment answered by the deadline",
            "%(agency)s: %(on_time)d of %(num)d published comments answered by the deadline",
            figures.approved,
            agency=name,
            on_time=figures.on_time,
        )
        block.append(_measure_row(top, answered_label, figures.answered_share, ANSWERED_FILL, answered))
        block.append(_measure_row(top + ROW_H, on_time_label, figures.on_time_share, ON_TIME_FILL, on_time))
        block.append("</g>")
        blocks.append("".join(block))
        y += top + 2 * ROW_H + GROUP_GAP
    height = max(y - GROUP_GAP, 20)
    title = gettext("Share of published comments answered, and answered by the deadline, per agency")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart figures-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" font-size="13" fill="{INK}"><title>{_e(title)}</title>'
    )
    return head + "".join(blocks) + "</svg>"


def _patterns(prefix: str) -> str:
    return fill_patterns(prefix, DECISION_FILLS, "rejected", "partly_accepted")


def _decision_fill(prefix: str, decision: str) -> str:
    return pattern_fill(prefix, decision, DECISION_FILLS, ("rejected", "partly_accepted"))


def _decision_label(figures: Figures, decision: str) -> str:
    return gettext(
        "%(decision)s: %(count)d (%(share)s)",
        decision=DECISION_LABELS[decision],
        count=figures.by_decision[decision],
        share=percent(figures.decision_share(decision)),
    )


def decisions_svg(figures: Figures, lang: str) -> Markup:
    """One bar of the answered comments split by decision, with a legend giving each count and share."""
    with force_locale(lang):
        # Every text inside went through _e (escape), so the SVG is safe to mark.
        return Markup(_decisions(figures, lang))  # noqa: S704  # nosec B704


def _decisions(figures: Figures, lang: str) -> str:
    bar_h, legend_row = 20, 22
    prefix = _id("decisions", figures.by_decision, lang)
    height = bar_h + 8 + len(DECISIONS) * legend_row
    title = ngettext(
        "Decisions on %(num)d answered comment", "Decisions on %(num)d answered comments", figures.answered
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart decisions-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" font-size="13" fill="{INK}">',
        f"<title>{_e(title)}</title>",
        _patterns(prefix),
    ]
    if not figures.answered:
        nothing = gettext("no answers yet")
        out.append(
            f'<rect width="{WIDTH}" height="{bar_h}" fill="{NO_COMMENTS_FILL}" stroke="#8A8A8A" '
            f'stroke-dasharray="3 3"/><text x="8" y="15" fill="{MUTED}">{_e(nothing)}</text>'
        )
    x = 0.0
    for decision in DECISIONS:
        count = figures.by_decision[decision]
        if not count or not figures.answered:
            continue
        w = WIDTH * count / figures.answered
        out.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}" fill="{_decision_fill(prefix, decision)}" '
            f'stroke="#FFFFFF" stroke-width="1"><title>{_e(_decision_label(figures, decision))}</title></rect>'
        )
        x += w
    for index, decision in enumerate(DECISIONS):
        ly = bar_h + 8 + index * legend_row
        out.append(
            f'<rect x="0" y="{ly}" width="16" height="14" fill="{_decision_fill(prefix, decision)}"/>'
            f'<text x="22" y="{ly + 12}">{_e(_decision_label(figures, decision))}</text>'
        )
    out.append("</svg>")
    return "".join(out)
