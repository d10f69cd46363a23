"""Charts of a summary snapshot drawn on the server as SVG: the same markup on pages and in the PDF, no JavaScript.

Pure functions of the snapshot document (app/summaries/builder.py). Every chart is readable without colour: figures
are written as text, balance as "+12 / −30", stances also by pattern. Only SVG presentation attributes (CSP forbids
style=); every label is escaped; each mark has a <title> for screen readers and hover.
"""

import hashlib
import json

from flask_babel import force_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

STANCE_ORDER = ("support", "oppose", "neutral", "amend")
# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies); patterns carry the same meaning.
STANCE_FILLS = {"support": "#0072B2", "oppose": "#D55E00", "neutral": "#999999", "amend": "#009E73"}
MINUS = "\u2212"
# Short names: they label chart legends, where space is tight.
STANCE_NAMES = {"support": _l("For"), "oppose": _l("Against"), "neutral": _l("Neutral"), "amend": _l("New wording")}

# Heat map: one cell per article, coloured by the share of "for" among for + against.
CELL_W, CELL_H, GAP = 92, 64, 6
COLUMNS = 7
# (upper bound of the share of "for", fill, text colour, legend label key)
BALANCE_BINS = (
    (0.2, "#A63A10", "#FFFFFF", "mostly_against"),
    (0.4, "#EDA27E", "#1A1A1A", "against"),
    (0.6, "#E4E4E4", "#1A1A1A", "divided"),
    (0.8, "#93BEE3", "#1A1A1A", "for"),
    (1.01, "#155A8A", "#FFFFFF", "mostly_for"),
)
NO_BALANCE_FILL = "#FFFFFF"  # comments, but none for or against
NO_COMMENTS_FILL = "#F5F5F5"
INK = "#1A1A1A"
MUTED = "#555555"


def _legend_labels() -> dict[str, str]:
    return {
        "mostly_against": gettext("mostly against"),
        "against": gettext("more against"),
        "divided": gettext("divided"),
        "for": gettext("more for"),
        "mostly_for": gettext("mostly for"),
        "none": gettext("neither for nor against"),
        "empty": gettext("no comments"),
    }


def _id(kind: str, *parts) -> str:
    # Ids of patterns must be unique per page; the same inputs give the same (identical) definitions.
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode(), usedforsecurity=False)
    return f"kenes-{kind}-{digest.hexdigest()[:10]}"


def _e(value) -> str:
    return str(escape(value))


def _balance(support: int, oppose: int) -> str:
    return f"+{support} / {MINUS}{oppose}"


def _bin(support: int, oppose: int, comments: int) -> tuple[str, str, str]:
    """(fill, text colour, legend key) of a cell."""
    if not comments:
        return NO_COMMENTS_FILL, MUTED, "empty"
    if not support + oppose:
        return NO_BALANCE_FILL, INK, "none"
    share = support / (support + oppose)
    for upper, fill, ink, key in BALANCE_BINS:
        if share < upper:
            return fill, ink, key
    return BALANCE_BINS[-1][1], BALANCE_BINS[-1][2], BALANCE_BINS[-1][3]


def heat_units(data: dict) -> list[dict]:
    """The units a heat map shows: the articles, or (a draft without articles) every listed unit."""
    sections = data.get("sections") or []
    articles = [s for s in sections if s.get("kind") == "article"]
    return articles or [s for s in sections if s.get("kind") not in ("chapter", "section")] or sections


def unit_label(section: dict) -> str:
    """'Art. 5' for an article, the bare number otherwise (the preamble has none)."""
    number = section.get("number") or ""
    if section.get("kind") == "article" and number:
        return gettext("Art. %(number)s", number=number)
    return number or gettext("Preamble")


def unit_title(section: dict, lang: str) -> str:
    return (section.get("titles") or {}).get(lang) or section.get("title") or ""


def _cell_title(section: dict, lang: str) -> str:
    stance = section.get("by_stance") or {}
    heading = unit_label(section)
    title = unit_title(section, lang)
    comments = section.get("comments", 0)
    figures = ngettext(
        "%(num)d comment: %(support)d for, %(oppose)d against, %(neutral)d neutral, %(amend)d proposing a wording",
        "%(num)d comments: %(support)d for, %(oppose)d against, %(neutral)d neutral, %(amend)d proposing a wording",
        comments,
        support=stance.get("support", 0),
        oppose=stance.get("oppose", 0),
        neutral=stance.get("neutral", 0),
        amend=stance.get("amend", 0),
    )
    return f"{heading}. {title} — {figures}" if title else f"{heading} — {figures}"


def heatmap_svg(data: dict, lang: str, columns: int = COLUMNS, link_prefix: str | None = None) -> Markup:
    """A grid of the articles: number of comments, a bar for volume, "+for / −against" and a fill for the balance.

    With link_prefix, each commented cell links to "#<link_prefix><section id>" (where the page details the unit).
    """
    with force_locale(lang):
        # Every text inside went through _e (escape), so the SVG is safe to mark.
        return Markup(_heatmap(data, lang, columns, link_prefix))  # noqa: S704  # nosec B704


def _heatmap(data: dict, lang: str, columns: int, link_prefix: str | None) -> str:
    units = heat_units(data)
    labels = _legend_labels()
    most = max((u.get("comments", 0) for u in units), default=0)
    columns = max(1, min(columns, len(units) or 1))
    rows = -(-len(units) // columns) if units else 0
    grid_w = columns * CELL_W + (columns - 1) * GAP
    width = max(grid_w, 330)
    wide = width >= 640
    bins = [key for *_bounds, key in BALANCE_BINS][::-1]
    # Swatch rows of the legend (on a narrow chart the two cells without a balance get a row each: longer labels).
    per_row = 3 if wide else 2
    keys = [*bins, "none", "empty"] if wide else bins
    legend_rows = [keys[i : i + per_row] for i in range(0, len(keys), per_row)]
    if not wide:
        legend_rows += [["none"], ["empty"]]
    legend_top = rows * (CELL_H + GAP) + 10
    swatch_top = 2 * 18 + 8
    height = legend_top + swatch_top + len(legend_rows) * 22 + 4
    title = gettext("Comments by article: volume and balance of for and against")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-size="13" fill="{INK}">',
        f"<title>{_e(title)}</title>",
    ]
    if not units:
        nothing = gettext("This draft has no articles.")
        out.append(f'<text x="0" y="20">{_e(nothing)}</text></svg>')
        return "".join(out)
    for index, unit in enumerate(units):
        x = (index % columns) * (CELL_W + GAP)
        y = (index // columns) * (CELL_H + GAP)
        stance = unit.get("by_stance") or {}
        support, oppose = stance.get("support", 0), stance.get("oppose", 0)
        comments = unit.get("comments", 0)
        fill, ink, _key = _bin(support, oppose, comments)
        bar = max(1, round((CELL_W - 12) * comments / most)) if most and comments else 0
        dashed = ' stroke-dasharray="3 3"' if not comments else ""
        link = link_prefix is not None and comments
        if link:
            out.append(f'<a href="#{_e(link_prefix)}{int(unit["id"])}">')
        out.append(
            f'<g class="cell" transform="translate({x} {y})"><title>{_e(_cell_title(unit, lang))}</title>'
            f'<rect width="{CELL_W}" height="{CELL_H}" rx="3" fill="{fill}" stroke="#8A8A8A"{dashed}/>'
            f'<text x="6" y="17" font-weight="bold" fill="{ink}">{_e(unit_label(unit))}</text>'
            f'<text x="{CELL_W - 6}" y="17" text-anchor="end" font-size="15" font-weight="bold" '
            f'fill="{ink}">{comments}</text>'
            f'<text x="6" y="38" fill="{ink}">{_e(_balance(support, oppose))}</text>'
        )
        if bar:
            out.append(
                f'<rect x="6" y="{CELL_H - 15}" width="{CELL_W - 12}" height="7" fill="none" stroke="{ink}" '
                f'stroke-width="0.75"/><rect x="6" y="{CELL_H - 15}" width="{bar}" height="7" fill="{ink}"/>'
            )
        out.append("</g></a>" if link else "</g>")
    # Legend: what a cell says, then the fills. (Babel reads no gettext() inside an f-string: these stay outside.)
    explain_cell = gettext("Art. 5 — the article; 42 — comments on it")
    explain_figures = gettext("+12 / −30 — for / against; bar — volume")
    out.append(
        f'<g class="legend" transform="translate(0 {legend_top})" font-size="12">'
        f'<text x="0" y="12">{_e(explain_cell)}</text><text x="0" y="30">{_e(explain_figures)}</text>'
    )
    fills = {key: fill for _upper, fill, _ink, key in BALANCE_BINS}
    fills["none"], fills["empty"] = NO_BALANCE_FILL, NO_COMMENTS_FILL
    slot = width // per_row
    for row, row_keys in enumerate(legend_rows):
        for index, key in enumerate(row_keys):
            lx, ly = index * slot, swatch_top + row * 22
            dashed = ' stroke-dasharray="3 3"' if key == "empty" else ""
            out.append(
                f'<rect x="{lx}" y="{ly}" width="16" height="14" fill="{fills[key]}" stroke="#8A8A8A"{dashed}/>'
                f'<text x="{lx + 22}" y="{ly + 12}">{_e(labels[key])}</text>'
            )
    out.append("</g></svg>")
    return "".join(out)


def fill_patterns(prefix: str, fills: dict[str, str], hatched: str, dotted: str) -> str:
    """SVG patterns so that two fills also differ without colour: `hatched` striped, `dotted` with dots."""
    return (
        "<defs>"
        f'<pattern id="{prefix}-{hatched}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{fills[hatched]}"/>'
        f'<rect width="2" height="6" fill="#FFFFFF"/></pattern>'
        f'<pattern id="{prefix}-{dotted}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{fills[dotted]}"/><circle cx="3" cy="3" r="1.3" fill="#FFFFFF"/></pattern>'
        "</defs>"
    )


def pattern_fill(prefix: str, key: str, fills: dict[str, str], patterned: tuple[str, ...]) -> str:
    """The fill of one bar part: a pattern of fill_patterns for the patterned keys, else the plain colour."""
    return f"url(#{prefix}-{key})" if key in patterned else fills[key]


def _patterns(prefix: str) -> str:
    """Fills that also differ without colour: solid for, hatched against, light solid neutral, dotted wording."""
    return fill_patterns(prefix, STANCE_FILLS, "oppose", "amend")


def _stance_fill(prefix: str, stance: str) -> str:
    return pattern_fill(prefix, stance, STANCE_FILLS, ("oppose", "amend"))


def stance_bar_svg(by_stance: dict, lang: str) -> Markup:
    """One bar split by stance (for, against, neutral, wording), with a legend giving each count and share."""
    with force_locale(lang):
        # Every text inside went through _e (escape), so the SVG is safe to mark.
        return Markup(_stance_bar(by_stance or {}, lang))  # noqa: S704  # nosec B704


def _stance_bar(by_stance: dict, lang: str) -> str:
    width, bar_h = 400, 20
    total = sum(by_stance.get(s, 0) for s in STANCE_ORDER)
    prefix = _id("stance", by_stance, lang)
    height = bar_h + 8 + 2 * 22
    title = ngettext("Stances of %(num)d comment", "Stances of %(num)d comments", total)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart stance-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-size="13" fill="{INK}">',
        f"<title>{_e(title)}</title>",
        _patterns(prefix),
    ]
    if not total:
        nothing = gettext("no comments")
        out.append(
            f'<rect width="{width}" height="{bar_h}" fill="{NO_COMMENTS_FILL}" stroke="#8A8A8A" '
            f'stroke-dasharray="3 3"/><text x="8" y="15" fill="{MUTED}">{_e(nothing)}</text></svg>'
        )
        return "".join(out)
    x = 0.0
    shares = {}
    for stance in STANCE_ORDER:
        count = by_stance.get(stance, 0)
        shares[stance] = round(100 * count / total)
        if not count:
            continue
        w = width * count / total
        label = _stance_label(stance, count, shares[stance])
        out.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}" fill="{_stance_fill(prefix, stance)}" '
            f'stroke="#FFFFFF" stroke-width="1"><title>{_e(label)}</title></rect>'
        )
        x += w
    slot = width // 2
    for index, stance in enumerate(STANCE_ORDER):
        lx = (index % 2) * slot
        ly = bar_h + 8 + (index // 2) * 22
        count = by_stance.get(stance, 0)
        out.append(
            f'<rect x="{lx}" y="{ly}" width="16" height="14" fill="{_stance_fill(prefix, stance)}"/>'
            f'<text x="{lx + 22}" y="{ly + 12}">{_e(_stance_label(stance, count, shares[stance]))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _stance_label(stance: str, count: int, percent: int) -> str:
    return gettext("%(stance)s: %(count)d (%(percent)d%%)", stance=STANCE_NAMES[stance], count=count, percent=percent)
