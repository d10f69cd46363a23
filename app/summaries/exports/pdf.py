"""The PDF report of a summary snapshot, drawn with fpdf2 (pure Python) in DejaVu Sans, which has the Kazakh letters.

Title page (law, version, snapshot, status, dates, content hash), then the introduction, the totals, the heat map of
the articles, the campaigns, and one block per article (and per other unit commented on outside articles): figures,
arguments for and against, themes, proposed wordings, the extractive summary (parts the agency edited are marked),
campaigns. Labels are in the export's language (call inside its locale); the law's headings are in that language where
the version has them. The charts are the pages' own SVG (app/summaries/charts.py), adapted to what fpdf2 draws.
"""

import logging

from flask_babel import gettext as _
from flask_babel import ngettext

from app.i18n import fallback_order, localized
from app.summaries.charts import heatmap_svg, stance_bar_svg
from app.summaries.document import snapshot_document, status_text, title_of
from app.summaries.exports.pdf_layout import EDITED, MUTED, Report, svg_height
from app.summaries.models import SummarySnapshot
from app.summaries.presenting import CHANNEL_NAMES, LANGUAGE_NAMES, STANCE_NAMES
from app.summaries.review import edit_key
from app.summaries.table import campaign_note
from app.template_helpers import heading_label, local_datetime

# Units that get a block of their own: articles, and what stands outside articles (preamble, a chapter's own comments).
INSIDE_ARTICLES = frozenset({"point", "subpoint"})
STANCE_ORDER = ("support", "oppose", "neutral", "amend")


def _stance_breakdown(by_stance: dict, num: int) -> str:
    return ngettext(
        "%(num)d comment: %(support)d for, %(oppose)d against, %(neutral)d neutral, %(amend)d proposing a wording",
        "%(num)d comments: %(support)d for, %(oppose)d against, %(neutral)d neutral, %(amend)d proposing a wording",
        num,
        support=by_stance.get("support", 0),
        oppose=by_stance.get("oppose", 0),
        neutral=by_stance.get("neutral", 0),
        amend=by_stance.get("amend", 0),
    )


def _authors(num: int) -> str:
    return ngettext("%(num)d author", "%(num)d authors", num)


def _unit_heading(section: dict, lang: str) -> str:
    number = (section.get("number") or "").rsplit(".", 1)[-1]
    name = heading_label(section["kind"], number, lang)
    titles = section.get("titles") or {}
    title = next((titles[code] for code in fallback_order(lang) if titles.get(code)), section.get("title") or "")
    return f"{name}. {title}" if title and title != name else name


def _unit_name(section: dict, by_id: dict[int, dict], lang: str) -> str:
    """Name the unit from its article down: "14-бап, 2-тармақ"."""
    chain = [section]
    while chain[-1]["kind"] in INSIDE_ARTICLES and chain[-1].get("parent_id") in by_id:
        chain.append(by_id[chain[-1]["parent_id"]])
    parts = [heading_label(s["kind"], (s.get("number") or "").rsplit(".", 1)[-1], lang) for s in reversed(chain)]
    return ", ".join([parts[0], *(p[:1].lower() + p[1:] for p in parts[1:])])


def _block_of(section: dict, by_id: dict[int, dict]) -> int:
    """The unit whose block shows this one's proposed wordings: its article (or itself outside articles)."""
    while section["kind"] in INSIDE_ARTICLES and section.get("parent_id") in by_id:
        section = by_id[section["parent_id"]]
    return section["id"]


def _has_block(section: dict) -> bool:
    if section["kind"] in INSIDE_ARTICLES:
        return False
    if section["kind"] in ("chapter", "section"):
        return bool(section.get("own_comments"))  # their other comments are their articles'
    return bool(section.get("comments"))


def _title_page(pdf: Report, snapshot: SummarySnapshot, document: dict, lang: str) -> None:
    law = snapshot.law
    pdf.add_page()
    pdf.paragraph(_("Kenes: public consultation on draft laws"), size=9, colour=MUTED, gap=14)
    pdf.paragraph(_("Summary of the public consultation"), size=13, colour=MUTED, gap=3)
    pdf.paragraph(title_of(snapshot, lang), size=19, bold=True, gap=8)
    version = snapshot.version
    totals = document["totals"]
    agency = localized(law.agency, "name", lang)[0] if law.agency else ""
    committee = localized(law.committee, "name", lang)[0] if law.committee else ""
    content_hash = snapshot.content_hash
    pdf.facts(
        [
            (_("Drafting agency"), agency or "—"),
            (_("Committee"), committee or "—"),
            (
                _("Version"),
                _(
                    "%(number)d, published %(date)s",
                    number=version.number,
                    date=local_datetime(version.published_at),
                ),
            ),
            (_("Summary No."), str(snapshot.number)),
            (_("Status"), status_text(snapshot)),
            (_("Built"), local_datetime(snapshot.built_at)),
            (_("Submitted"), local_datetime(snapshot.submitted_at) if snapshot.submitted_at else "—"),
            (
                _("Comments"),
                f"{totals['comments']} · {_authors(totals['authors'])}",
            ),
            (
                _("Content hash (SHA-256)"),
                f"{content_hash[:32]}\n{content_hash[32:]}" if content_hash else _("set when submitted"),
            ),
        ]
    )
    if content_hash:
        pdf.paragraph(
            _(
                "The content hash is the SHA-256 of the summary's data, introduction and edits as submitted "
                "(canonical JSON). The open-data API publishes the same document, so anyone can check it."
            ),
            size=8.5,
            colour=MUTED,
        )
    else:
        pdf.ln(4)
        pdf.set_draw_color(*EDITED)
        pdf.set_line_width(0.6)
        top = pdf.get_y()
        pdf.paragraph(
            _("Working copy. This summary has not been submitted to parliament and may still change."),
            bold=True,
            indent=4,
            gap=0,
        )
        pdf.line(pdf.l_margin + 1, top, pdf.l_margin + 1, pdf.get_y())
        pdf.set_line_width(0.2)


def _totals(pdf: Report, document: dict, lang: str) -> None:
    totals = document["totals"]
    pdf.heading(_("Totals"))
    pdf.paragraph(_stance_breakdown(totals["by_stance"], totals["comments"]) + "; " + _authors(totals["authors"]))
    pdf.svg(str(stance_bar_svg(totals["by_stance"], lang)), width=min(pdf.width, 130))
    comments = totals["comments"]
    by_stance, by_language, by_channel = totals["by_stance"], totals["by_language"], totals["by_channel"]
    pdf.figures(_("Stance"), [(str(STANCE_NAMES[k]), by_stance.get(k, 0)) for k in STANCE_ORDER], comments)
    pdf.figures(_("Language"), [(str(LANGUAGE_NAMES[k]), by_language.get(k, 0)) for k in LANGUAGE_NAMES], comments)
    channels = [(str(CHANNEL_NAMES.get(k, k)), count) for k, count in by_channel.items() if count or k == "web"]
    pdf.figures(_("Channel"), channels, comments)


def _heat_map(pdf: Report, document: dict, lang: str) -> None:
    svg = str(heatmap_svg(document, lang))
    # The heading, its note and the map on one page.
    if pdf.will_page_break(svg_height(svg, pdf.width) + 30):
        pdf.add_page()
    pdf.heading(_("Comments by article"))
    pdf.paragraph(
        _("Each cell is an article: the number of its comments, and the balance of those for and against it."),
        size=9,
        colour=MUTED,
    )
    pdf.svg(svg, width=pdf.width)


def _campaign_line(campaign: dict) -> tuple[str, str]:
    return f"«{campaign['excerpt']}»", campaign_note(campaign["size"], campaign["authors"])


def _campaigns(pdf: Report, document: dict, by_number: dict[str, dict], lang: str) -> None:
    campaigns = document.get("campaigns") or []
    pdf.heading(_("Campaigns"))
    if not campaigns:
        pdf.paragraph(_("No campaigns of near-identical comments were found."))
        return
    pdf.paragraph(
        _("Near-identical comments posted by many people count in every figure, and are shown once."),
        size=9,
        colour=MUTED,
    )
    for campaign in campaigns:
        excerpt, note = _campaign_line(campaign)
        where = by_number.get(campaign.get("section_number") or "")
        place = _unit_heading(where, lang).split(". ")[0] if where else campaign.get("section_number") or ""
        pdf.bullet(excerpt, f"{note} · {place}")


def _summary(pdf: Report, section: dict, edits: dict[str, str], lang: str) -> None:
    summary = section.get("summary") or {}
    edited = {code: edits.get(edit_key(section["id"], code)) for code in fallback_order(lang)}
    languages = [code for code in fallback_order(lang) if summary.get(code) or edited[code]]
    if not languages:
        return
    pdf.heading(_("Summary of the comments"), level=2)
    names = {"kk": _("Comments in Kazakh"), "ru": _("Comments in Russian"), "en": _("Comments in English")}
    for code in languages:
        pdf.paragraph(names[code], size=8.5, colour=MUTED, gap=0.5)
        if edited[code]:
            pdf.edited(edited[code], _("Edited by the drafting agency"))
            continue
        for sentence in summary[code]:
            pdf.bullet(sentence)


def _section_block(pdf: Report, section: dict, wordings: list[tuple[str, dict]], edits: dict, lang: str) -> None:
    pdf.heading(_unit_heading(section, lang), level=1)
    kind = section["kind"]
    rolled_up = kind in ("chapter", "section")
    if rolled_up:
        pdf.paragraph(
            ngettext(
                "%(num)d comment on this part itself, not on its articles",
                "%(num)d comments on this part itself, not on its articles",
                section.get("own_comments", 0),
            ),
            size=9.5,
            colour=MUTED,
        )
    else:
        pdf.paragraph(
            _stance_breakdown(section.get("by_stance") or {}, section.get("comments", 0))
            + "; "
            + _authors(section.get("authors", 0)),
            size=9.5,
            colour=MUTED,
        )
    arguments = section.get("arguments") or {}
    if not rolled_up:
        for side, title in (("for", _("Arguments for")), ("against", _("Arguments against"))):
            if arguments.get(side):
                pdf.heading(title, level=2)
                for argument in arguments[side]:
                    note = ""
                    if argument.get("size", 1) > 1:
                        note = campaign_note(argument["size"], argument["authors"])
                    pdf.bullet(f"«{argument['excerpt']}»", note)
    themes = section.get("themes") or []
    if themes:
        pdf.heading(_("Themes"), level=2)
        for theme in themes:
            pdf.bullet(theme["label"], _stance_breakdown(theme.get("by_stance") or {}, theme["size"]))
    if wordings:
        pdf.heading(_("Proposed wordings"), level=2)
        for where, wording in wordings:
            note = ngettext(
                "%(where)s · proposed %(num)d time", "%(where)s · proposed %(num)d times", wording["count"], where=where
            )
            pdf.bullet(wording["text"], note)
    _summary(pdf, section, edits, lang)
    campaigns = section.get("campaigns") or []
    if campaigns and not rolled_up:
        pdf.heading(_("Campaigns"), level=2)
        for campaign in campaigns:
            pdf.bullet(*_campaign_line(campaign))


def to_pdf(snapshot: SummarySnapshot, lang: str) -> bytes:
    """The snapshot's report as PDF bytes, with labels in the current locale and the law's text in `lang`."""
    # fontTools reports every table it subsets at INFO: a page of log lines per download.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    document = snapshot_document(snapshot)
    title = title_of(snapshot, lang)
    short = title if len(title) <= 90 else title[:88].rsplit(" ", 1)[0] + "…"
    running = _("%(title)s · summary No. %(number)d", title=short, number=snapshot.number)
    if not snapshot.is_submitted:
        running += " · " + _("working copy, not submitted")
    footer = _("Kenes · summary No. %(number)d", number=snapshot.number)
    if snapshot.content_hash:
        footer += f" · SHA-256 {snapshot.content_hash[:16]}…"
    pdf = Report(running, footer)
    pdf.set_lang(lang)
    pdf.set_title(title)
    pdf.set_subject(_("Summary of the public consultation"))
    pdf.set_creator("Kenes")
    pdf.set_author(localized(snapshot.law.agency, "name", lang)[0] if snapshot.law.agency else "Kenes")
    pdf.set_creation_date(snapshot.submitted_at or snapshot.built_at)

    _title_page(pdf, snapshot, document, lang)
    pdf.add_page()
    pdf.heading(_("Introduction"))
    if document.get("introduction"):
        pdf.paragraph(document["introduction"])
    else:
        pdf.paragraph(_("The drafting agency wrote no introduction."), colour=MUTED)
    _totals(pdf, document, lang)
    _heat_map(pdf, document, lang)

    sections = document.get("sections") or []
    by_id = {s["id"]: s for s in sections}
    by_number = {s["number"]: s for s in sections if s["kind"] == "article"}
    _campaigns(pdf, document, by_number, lang)

    wordings: dict[int, list[tuple[str, dict]]] = {}
    for section in sections:
        for wording in section.get("proposed_wordings") or []:
            wordings.setdefault(_block_of(section, by_id), []).append((_unit_name(section, by_id, lang), wording))
    edits = document.get("edits") or {}
    blocks = [s for s in sections if _has_block(s)]
    pdf.add_page()
    pdf.heading(_("Comments, article by article"))
    if not blocks:
        pdf.paragraph(_("No comments were published on this version."))
    for section in blocks:
        _section_block(pdf, section, wordings.get(section["id"], []), edits, lang)
    quiet = [s for s in sections if s["kind"] == "article" and not s.get("comments")]
    if quiet:
        pdf.heading(_("Articles without comments"), level=1)
        pdf.paragraph(", ".join(s["number"] for s in quiet))
    return bytes(pdf.output())
