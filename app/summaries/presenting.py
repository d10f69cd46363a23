"""What the summary pages (the agency's review, the MP's reading) show of a snapshot, prepared for the templates."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.laws.models import LANGS
from app.summaries import charts
from app.summaries.models import SummarySnapshot
from app.summaries.review import edit_key, original_text
from app.template_helpers import heading_label, local_date

LANGUAGE_NAMES = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}
CHANNEL_NAMES = {
    "web": _l("This site"),
    "portal": _l("Another portal"),
    "letter": _l("Letters"),
    "hearing": _l("Hearings"),
    "e-otinish": _l("e-Otinish"),
    "other": _l("Other channels"),
}
STANCE_NAMES = charts.STANCE_NAMES  # "For", "Against"...: short, as chart legends and tables use them
SUMMARY_LABELS = {
    "kk": _l("Summary of the comments in Kazakh"),
    "ru": _l("Summary of the comments in Russian"),
    "en": _l("Summary of the comments in English"),
}
# Points and sub-points are read in their article (the builder analyses them there); a chapter's or part's figures
# are its articles' added up, so it is shown on its own only for what was said about the chapter itself.
INSIDE_ARTICLES = frozenset({"point", "subpoint"})
GROUPING = frozenset({"chapter", "section"})


@dataclass
class Share:
    label: str
    count: int
    percent: int


@dataclass
class Summary:
    """A unit's summary in one language: the computed sentences, and the agency's text if it edited them."""

    lang: str
    key: str
    sentences: list[str]
    edited: str | None

    @property
    def original(self) -> str:
        return "\n".join(self.sentences)


@dataclass
class Unit:
    section: dict
    heading: str
    title: str
    stance_svg: Markup
    summaries: list[Summary] = field(default_factory=list)


@dataclass
class Document:
    snapshot: SummarySnapshot
    data: dict
    totals: dict
    stance_svg: Markup
    heatmap_wide: Markup
    heatmap_narrow: Markup
    languages: list[Share]
    channels: list[Share]
    units: list[Unit]  # units with comments of their own, in document order
    quiet_units: int  # units shown in the heat map that nobody commented on
    campaigns: list[dict]
    edited_parts: int


def shares(counts: dict, names: dict) -> list[Share]:
    """Counts with their label and percentage, largest first, zeros left out."""
    total = sum(counts.values()) or 1
    rows = [Share(str(names.get(key, key)), count, round(100 * count / total)) for key, count in counts.items()]
    return sorted((row for row in rows if row.count), key=lambda row: -row.count)


def unit_heading(section: dict, lang: str) -> str:
    """ "5-бап" / "Статья 5" / "Article 5" in the page's language, as law texts name their parts."""
    number = section.get("number") or ""
    if section.get("kind") == "preamble" or not number:
        return heading_label("preamble", "", lang)
    return heading_label(section.get("kind"), number, lang)


def summaries_of(section: dict, edits: dict, lang: str) -> list[Summary]:
    """The unit's summaries, the page's language first."""
    order = [lang] + [code for code in LANGS if code != lang]
    found = []
    for code in order:
        original = original_text(section, code)
        key = edit_key(section["id"], code)
        if original:
            found.append(Summary(code, key, original.split("\n"), edits.get(key)))
    return found


def document(snapshot: SummarySnapshot, lang: str) -> Document:
    """Everything a summary page shows, charts drawn."""
    data = snapshot.data
    edits = snapshot.edits or {}
    totals = data.get("totals") or {}
    units = []
    for section in data.get("sections") or []:
        if section.get("kind") in INSIDE_ARTICLES or not section.get("comments"):
            continue
        if section.get("kind") in GROUPING and not section.get("own_comments"):
            continue
        units.append(
            Unit(
                section=section,
                heading=unit_heading(section, lang),
                title=charts.unit_title(section, lang),
                stance_svg=charts.stance_bar_svg(section.get("by_stance") or {}, lang),
                summaries=summaries_of(section, edits, lang),
            )
        )
    return Document(
        snapshot=snapshot,
        data=data,
        totals=totals,
        stance_svg=charts.stance_bar_svg(totals.get("by_stance") or {}, lang),
        heatmap_wide=charts.heatmap_svg(data, lang, link_prefix="unit-"),
        heatmap_narrow=charts.heatmap_svg(data, lang, columns=3, link_prefix="unit-"),
        languages=shares(totals.get("by_language") or {}, LANGUAGE_NAMES),
        channels=shares(totals.get("by_channel") or {}, CHANNEL_NAMES),
        units=units,
        quiet_units=sum(1 for section in charts.heat_units(data) if not section.get("comments")),
        campaigns=data.get("campaigns") or [],
        edited_parts=len(edits),
    )


def stance_name(stance: str) -> str:
    return str(charts.STANCE_NAMES.get(stance) or stance)


def iso_date(value: str | None) -> str:
    """A date of the document (ISO text, UTC) in the reader's language and time zone."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return local_date(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


DOWNLOAD_ENDPOINT = "summary_downloads.download"
DOWNLOAD_FORMATS = {"pdf": "PDF", "docx": "DOCX (Word)", "csv": "CSV", "json": "JSON"}


def download_links(snapshot: SummarySnapshot) -> list[tuple[str, str, str]]:
    """(format, label, URL) of the snapshot's downloads, if the downloads are installed."""
    if DOWNLOAD_ENDPOINT not in current_app.view_functions:
        return []
    slug = snapshot.law.slug
    return [
        (fmt, label, url_for(DOWNLOAD_ENDPOINT, slug=slug, number=snapshot.number, fmt=fmt))
        for fmt, label in DOWNLOAD_FORMATS.items()
    ]


def page_context(snapshot: SummarySnapshot, lang: str) -> dict:
    """The template values every summary page needs."""
    return {
        "doc": document(snapshot, lang),
        "downloads": download_links(snapshot),
        "iso_date": iso_date,
        "stance_name": stance_name,
        "summary_labels": SUMMARY_LABELS,
    }
