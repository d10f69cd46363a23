"""Draft-law services: create a draft and change its titles, committee, status and consultation window.

Services flush but never commit: the view or CLI command that calls them commits once.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import utcnow
from app.errors import UserError
from app.extensions import db
from app.laws.models import ACTION_ONLY_STATUSES, LANGS, STATUS_TRANSITIONS, Agency, Committee, Law, LawStatus
from app.laws.signals import law_changed, law_status_changed

logger = logging.getLogger(__name__)


class LawError(UserError):
    """A problem the user can fix; `message` is translated when shown."""


# --- slugs ---------------------------------------------------------------------------------------------

_TRANSLIT = str.maketrans(
    {
        "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o",
        "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "h",
        "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
        "ю": "yu", "я": "ya",
    }
)  # fmt: skip
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 60


def slugify(text: str) -> str:
    """Turn a title in any of our languages into a Latin URL slug."""
    latin = text.lower().translate(_TRANSLIT)
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    slug = slug[:MAX_SLUG].rstrip("-")
    return slug or "draft"


def unique_slug(base: str) -> str:
    """Return base, or base-2, base-3 ... whichever is free."""
    existing = set(db.session.scalars(select(Law.slug).where(Law.slug.like(f"{base}%"))))
    if base not in existing:
        return base
    n = 2
    while f"{base}-{n}" in existing:
        n += 1
    return f"{base}-{n}"


# --- creating drafts -----------------------------------------------------------------------------------


def create_law(
    *,
    agency: Agency,
    created_by,
    titles: dict[str, str],
    committee: Committee | None = None,
    slug: str | None = None,
    descriptions: dict[str, str] | None = None,
) -> Law:
    """Create a draft law (status draft, no versions yet)."""
    if not any(titles.values()):
        raise LawError(_l("The draft needs a title."))
    if slug:
        if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
            raise LawError(_l("The address may contain only Latin letters, digits and hyphens."))
        if db.session.scalar(select(Law.id).where(Law.slug == slug)):
            raise LawError(_l("A draft with the address %(slug)s already exists."), slug=slug)
    else:
        first_title = next(titles[code] for code in ("en", "ru", "kk") if titles.get(code)) if titles else ""
        slug = unique_slug(slugify(first_title))
    law = Law(slug=slug, agency=agency, committee=committee, created_by=created_by)
    for code in LANGS:
        setattr(law, f"title_{code}", (titles.get(code) or "").strip()[:500] or None)
        setattr(law, f"description_{code}", ((descriptions or {}).get(code) or "").strip() or None)
    db.session.add(law)
    db.session.flush()
    logger.info("Created draft law %s", law.slug)
    return law


# --- status and consultation window --------------------------------------------------------------------


def change_status(law: Law, new_status: str, *, now: datetime | None = None) -> Law:
    """Move a law to the next status, checking the allowed transitions and the consultation window."""
    if new_status in ACTION_ONLY_STATUSES:
        raise LawError(_l("A draft is marked as sent to Parliament by submitting its summary to the committee."))
    if new_status not in STATUS_TRANSITIONS.get(law.status, ()):
        raise LawError(_l("This status change is not allowed."))
    if new_status == "open":
        if not law.versions:
            raise LawError(_l("Publish the text before opening the consultation."))
        if law.opens_at is None or law.closes_at is None:
            raise LawError(_l("Set when the consultation opens and closes first."))
        if law.closes_at <= (now or utcnow()):
            raise LawError(_l("The consultation window has already ended; set a later closing date."))
    moment = now or utcnow()
    if new_status == "closed" and law.closes_at is not None and law.closes_at > moment:
        # Closed early: the consultation ended now, and answers fall due counting from today, not the planned date.
        if law.opens_at is None or law.opens_at < moment:
            law.closes_at = moment
    _set_status(law, new_status)
    return law


def record_summary_sent(law: Law) -> Law:
    """Mark the draft as having its summary sent to Parliament: only submitting a summary calls this."""
    if law.status == LawStatus.SUMMARY_SENT:
        return law  # a later summary, sent after an earlier one
    if LawStatus.SUMMARY_SENT not in STATUS_TRANSITIONS.get(law.status, ()):
        raise LawError(_l("A summary can be sent to Parliament only after the consultation has closed."))
    _set_status(law, LawStatus.SUMMARY_SENT.value)
    return law


def _set_status(law: Law, new_status: str) -> None:
    old_status = law.status
    law.status = new_status
    db.session.flush()
    logger.info("Law %s is now %s", law.slug, new_status)
    law_changed.send(law)
    law_status_changed.send(law, old=old_status, new=new_status)


def set_window(law: Law, opens_at: datetime | None, closes_at: datetime | None) -> Law:
    """Set the consultation window (UTC)."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise LawError(_l("The consultation must close after it opens."))
    law.opens_at, law.closes_at = opens_at, closes_at
    db.session.flush()
    law_changed.send(law)
    return law


def update_law(law: Law, *, titles: dict[str, str], descriptions: dict[str, str], committee: Committee | None) -> Law:
    """Change a law's titles, descriptions and responsible committee."""
    if not any((titles.get(code) or "").strip() for code in LANGS):
        raise LawError(_l("The draft needs a title."))
    for code in LANGS:
        setattr(law, f"title_{code}", (titles.get(code) or "").strip()[:500] or None)
        setattr(law, f"description_{code}", (descriptions.get(code) or "").strip() or None)
    law.committee = committee
    db.session.flush()
    law_changed.send(law)
    return law
