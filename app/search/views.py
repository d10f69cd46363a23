"""The search page."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from app.extensions import db
from app.laws.access import PUBLIC_STATUSES, public_laws_condition
from app.laws.models import Law
from app.organisations.models import Agency
from app.search.backend import Filters
from app.search.documents import TYPES
from app.search.services import search as run_search
from app.web import request_page

bp = Blueprint("search", __name__, template_folder="templates")


def _date(name: str) -> datetime | None:
    try:
        return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def filters_from_request() -> Filters:
    """Read the filters from the query string; unknown values are ignored, never an error."""
    args = request.args
    return Filters(
        type=args.get("type") if args.get("type") in TYPES else None,
        law=(args.get("law") or None) and args["law"][:80],
        status=args.get("status") if args.get("status") in PUBLIC_STATUSES else None,
        agency=(args.get("agency") or None) and args["agency"][:64],
        lang=args.get("lang") if args.get("lang") in ("kk", "ru", "en") else None,
        lang_only=args.get("lang_only") in ("1", "true", "on"),
        date_from=_date("from"),
        date_to=_date("to"),
    )


@bp.get("/")
def index():
    """Search drafts, articles and comments in any of the three languages."""
    query = request.args.get("q", "")
    filters = filters_from_request()
    page = request_page()
    per_page = current_app.config["SEARCH_PER_PAGE"]
    results = run_search(query, filters, page, per_page) if query.strip() else None
    pages = 1
    if results and filters.type:
        # The totals are exact (app/search/services.py), so a page past the last is never offered.
        pages = max(1, -(-results.totals.get(filters.type, 0) // per_page))
    laws = db.session.execute(
        select(Law.slug, Law.title_kk, Law.title_ru, Law.title_en).where(public_laws_condition()).order_by(Law.slug)
    ).all()
    agencies = db.session.scalars(select(Agency).order_by(Agency.slug)).all()
    return render_template(
        "search/index.html",
        query=query,
        filters=filters,
        results=results,
        page=page,
        pages=pages,
        laws=laws,
        agencies=agencies,
        statuses=PUBLIC_STATUSES,
        args=request.args,
    )
