"""Home, about and open-data pages."""

from flask import Blueprint, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.db import utcnow
from app.extensions import db
from app.laws.access import public_laws_condition
from app.laws.models import Law, LawStatus

bp = Blueprint("main", __name__, template_folder="templates")

HOME_OPEN_LIMIT = 12
HOME_RECENT_LIMIT = 6


@bp.get("/")
def index():
    """Show open consultations first, closing soonest at the top, then recently changed drafts."""
    now = utcnow()
    options = (selectinload(Law.agency),)
    open_laws = db.session.scalars(
        select(Law)
        .where(Law.status == LawStatus.OPEN, Law.closes_at > now)
        .options(*options)
        .order_by(Law.closes_at)
        .limit(HOME_OPEN_LIMIT)
    ).all()
    open_count = db.session.scalar(select(func.count(Law.id)).where(Law.status == LawStatus.OPEN, Law.closes_at > now))
    recent = db.session.scalars(
        select(Law)
        .where(public_laws_condition(), Law.id.not_in([law.id for law in open_laws]))
        .options(*options)
        .order_by(Law.updated_at.desc())
        .limit(HOME_RECENT_LIMIT)
    ).all()
    return render_template("main/index.html", open_laws=open_laws, open_count=open_count, recent=recent)


@bp.get("/about")
def about():
    """Explain what Kenes is and how a consultation works."""
    return render_template("main/about.html")


@bp.get("/open-data")
def api_docs():
    """Describe the open data API."""
    return render_template("main/api_docs.html")
