"""The public Hearing State figures: agencies ranked by how they answer, with each draft's figures.

Public to everyone, and the same for everyone: only public drafts count, whoever is signed in (a draft in
preparation has no figures page, even for its own agency). Recomputed from the rows on every request.
"""

from flask import Blueprint, current_app, render_template

from app.answers import figure_charts
from app.answers.figures import LawFigures, agency_figures, figures_of_law
from app.answers.labels import DECISION_LABELS
from app.i18n import current_lang
from app.laws.access import get_law_or_404
from app.laws.models import Law
from app.parliament.services import latest_submitted

bp = Blueprint("figures", __name__, template_folder="templates")

bp.add_app_template_filter(figure_charts.percent, "figure_percent")
bp.add_app_template_filter(figure_charts.days, "figure_days")


@bp.app_template_global()
def hearing_figures(law: Law) -> LawFigures | None:
    """The figures of a public draft for the line on its page; None for a draft in preparation."""
    return figures_of_law(law) if law.is_public else None


@bp.get("/")
def index():
    """Rank the drafting agencies by how they answer comments, each with its public drafts' figures."""
    ranked, overall = agency_figures()
    lang = current_lang()
    return render_template(
        "answers/figures.html",
        ranked=ranked,
        overall=overall,
        summaries=latest_submitted([entry.law.id for agency in ranked for entry in agency.laws]),
        chart=figure_charts.agencies_svg(ranked, lang) if ranked else None,
        working_days=current_app.config["ANSWER_WORKING_DAYS"],
        decision_labels=DECISION_LABELS,
    )


@bp.get("/<slug>")
def law(slug: str):
    """Show one public draft's figures: its decisions, how soon and how often its agency answered."""
    # Anonymous visibility on purpose: the figures are public, so a draft in preparation has none for anyone.
    entry = figures_of_law(get_law_or_404(slug, None))
    return render_template(
        "answers/figures_law.html",
        law=entry.law,
        entry=entry,
        chart=figure_charts.decisions_svg(entry.figures, current_lang()),
        summary=latest_submitted([entry.law.id]).get(entry.law.id),
        working_days=current_app.config["ANSWER_WORKING_DAYS"],
        decision_labels=DECISION_LABELS,
    )
