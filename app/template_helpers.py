"""Jinja filters and globals shared by every domain's templates."""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_timedelta, get_locale, ngettext
from flask_babel import lazy_gettext as _l

from app.db import utcnow

STATUS_LABELS = {
    "draft": _l("In preparation"),
    "open": _l("Open for comments"),
    "closed": _l("Consultation closed"),
    "summary_sent": _l("Summary sent to Parliament"),
    "adopted": _l("Adopted"),
    "withdrawn": _l("Withdrawn"),
}

KIND_LABELS = {
    "preamble": _l("Preamble"),
    "section": _l("Part"),
    "chapter": _l("Chapter"),
    "article": _l("Article"),
    "point": _l("Point"),
    "subpoint": _l("Sub-point"),
}

ROLE_LABELS = {
    "citizen": _l("Citizen"),
    "editor": _l("Editor"),
    "moderator": _l("Moderator"),
    "mp": _l("Member of Parliament"),
    "admin": _l("Administrator"),
}


# How a law's own text names its parts. This is content, not interface: Kazakh puts the number first
# ("5-бап"), Russian and English after the word, and the label follows the language of the text shown.
HEADING_FORMATS = {
    "kk": {"section": "{n}-бөлім", "chapter": "{n}-тарау", "article": "{n}-бап", "point": "{n}-тармақ",
           "subpoint": "{n}-тармақша", "preamble": "Кіріспе"},
    "ru": {"section": "Раздел {n}", "chapter": "Глава {n}", "article": "Статья {n}", "point": "Пункт {n}",
           "subpoint": "Подпункт {n}", "preamble": "Преамбула"},
    "en": {"section": "Part {n}", "chapter": "Chapter {n}", "article": "Article {n}", "point": "Point {n}",
           "subpoint": "Sub-point {n}", "preamble": "Preamble"},
}  # fmt: skip


def heading_label(kind: str, number: str, lang: str) -> str:
    """Name a part of a law the way a text in that language does: "5-бап", "Статья 5", "Article 5"."""
    formats = HEADING_FORMATS.get(lang, HEADING_FORMATS["en"])
    return formats.get(kind, "{n}").format(n=number)


def unit_name(section, lang: str) -> str:
    """Name a unit by its path from the article down ("10-бап, 2-тармақ"): a point alone does not say where it is."""
    parts = [part.split(":", 1) for part in section.key.split("/") if ":" in part]
    kinds = [kind for kind, _number in parts]
    if "article" in kinds:
        parts = parts[kinds.index("article") :]
    names = [heading_label(kind, number, lang) for kind, number in parts]
    if not names:
        return heading_label(section.kind, section.number, lang)
    # "Статья 14, пункт 2", as the summary table names units: only the first part keeps its capital.
    return ", ".join([names[0], *(name[:1].lower() + name[1:] for name in names[1:])])


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


# One date style per language on every page, e-mail and export, long enough to be unambiguous: the month in
# words, the full year, a 24-hour clock. Kazakh and Russian are CLDR's "long" dates; English is CLDR's US order
# ("November 27"), so it gets the day-first order used in Kazakhstan.
DATE_PATTERNS = {"kk": "y 'ж'. d MMMM", "ru": "d MMMM y 'г'.", "en": "d MMMM y"}
TIME_PATTERN = "HH:mm"


def _date_pattern() -> str:
    return DATE_PATTERNS.get(str(get_locale()), DATE_PATTERNS["en"])


def local_datetime(value: datetime | None, fmt: str | None = None) -> str:
    """Format a UTC datetime in the display time zone: "2026 ж. 27 қараша, 14:05", "27 ноября 2026 г., 14:05"."""
    # `fmt` is ignored: templates may still pass "short" or "long", and every page shows the same style.
    return format_datetime(value, f"{_date_pattern()}, {TIME_PATTERN}") if value else ""


def local_date(value: date | datetime | None, fmt: str | None = None) -> str:
    """Format a day (a UTC datetime is first moved to the display time zone): "27 ноября 2026 г."."""
    return format_date(value, _date_pattern()) if value else ""


# Babel's unit sizes (babel.dates.TIMEDELTA_UNITS), largest first.
TIME_UNITS = (
    ("year", 3600 * 24 * 365),
    ("month", 3600 * 24 * 30),
    ("week", 3600 * 24 * 7),
    ("day", 3600 * 24),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
)
# A length of time inside a sentence ("ожидает уже 1 секунду", "ещё 21 день"). Babel's format_timedelta gives the
# nominative ("1 секунда"), and Russian puts a duration in the accusative, so each unit is a plural string of its own.
TIME_PHRASES = {
    "year": lambda n: ngettext("%(num)d year", "%(num)d years", n),
    "month": lambda n: ngettext("%(num)d month", "%(num)d months", n),
    "week": lambda n: ngettext("%(num)d week", "%(num)d weeks", n),
    "day": lambda n: ngettext("%(num)d day", "%(num)d days", n),
    "hour": lambda n: ngettext("%(num)d hour", "%(num)d hours", n),
    "minute": lambda n: ngettext("%(num)d minute", "%(num)d minutes", n),
    "second": lambda n: ngettext("%(num)d second", "%(num)d seconds", n),
}


def _length_of_time(delta: timedelta) -> str:
    """Say a length of time in its largest whole unit, rounded as Babel's format_timedelta rounds."""
    seconds = abs(delta.total_seconds())
    unit, size = next(((unit, size) for unit, size in TIME_UNITS if seconds >= size), TIME_UNITS[-1])
    return TIME_PHRASES[unit](max(1, round(seconds / size)))


def time_until(value: datetime | None) -> str:
    """Say how long until a moment, as a sentence takes it ("3 days", "1 минуту"); empty if it has passed."""
    if value is None:
        return ""
    delta = value - utcnow()
    if delta.total_seconds() <= 0:
        return ""
    return _length_of_time(delta)


def duration(value: timedelta | None, standalone: bool = False) -> str:
    """Say how long a timedelta is: inside a sentence ("ожидает 1 минуту"), or `standalone` ("1 минута")."""
    if value is None:
        return ""
    return format_timedelta(value, threshold=1.0) if standalone else _length_of_time(value)


def _current_url(changes: dict, lang: str | None = None) -> str:
    """Return the current page's URL in `lang` (default: the page's own) with some query arguments changed.

    The path comes from the route's own arguments and the query string is encoded here: handing the request's
    arguments to url_for would let `?endpoint=` or `?_method=` break it (a 500), `?_external=1&_scheme=...`
    make links absolute from the Host header, and a `?lang=` filter switch the interface language.
    """
    values = dict(request.view_args or {})
    if lang:
        values["lang"] = lang
    path = url_for(request.endpoint, **values)
    query = [(key, value) for key, value in request.args.items(multi=True) if key not in changes]
    query += [(key, value) for key, value in changes.items() if value is not None]
    return f"{path}?{urlencode(query)}" if query else path


def url_for_lang(lang: str) -> str:
    """Return the current page's URL in another language (same page, same query string)."""
    if request.endpoint is None or request.url_rule is None or "lang" not in request.url_rule.arguments:
        return url_for("main.index", lang=lang)
    return _current_url({}, lang=lang)


def page_url(page: int) -> str:
    """Return the current URL with another page number, keeping the filters."""
    return _current_url({"page": page})


def current_url(**changes) -> str:
    """Return the current URL with these query arguments replaced (None drops one), keeping the others."""
    return _current_url(changes)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        status_label=status_label,
        kind_label=kind_label,
        role_label=role_label,
        local_datetime=local_datetime,
        local_date=local_date,
        time_until=time_until,
        duration=duration,
    )
    app.jinja_env.globals.update(
        url_for_lang=url_for_lang,
        page_url=page_url,
        current_url=current_url,
        heading_label=heading_label,
        unit_name=unit_name,
    )
