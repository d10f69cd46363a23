"""Working days in Kazakhstan: when the drafting agency's answers are due after a consultation closes.

Answers are due ANSWER_WORKING_DAYS working days after the day the consultation closes (in DISPLAY_TIMEZONE):
the closing day itself does not count, Saturdays, Sundays and the days off listed in HOLIDAYS_FILE do not count.
An answer is on time when it is given on or before the due day.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

DEFAULT_HOLIDAYS_FILE = Path(__file__).parent / "data" / "holidays-kz.txt"


@lru_cache(maxsize=8)
def _read_holidays(path: str, _mtime: float) -> frozenset[date]:
    days = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        token = line.split("#", 1)[0].split(maxsplit=1)
        if not token:
            continue
        try:
            days.add(date.fromisoformat(token[0]))
        except ValueError:
            raise ValueError(f"{path}, line {number}: {token[0]!r} is not a date (YYYY-MM-DD)") from None
    return frozenset(days)


def holidays() -> frozenset[date]:
    """The days off of HOLIDAYS_FILE (read again when the operator changes the file)."""
    path = str(current_app.config.get("HOLIDAYS_FILE") or DEFAULT_HOLIDAYS_FILE)
    return _read_holidays(path, Path(path).stat().st_mtime)


def is_working_day(day: date, days_off: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in days_off


def add_working_days(start: date, count: int, days_off: frozenset[date]) -> date:
    """Return the day `count` working days after `start` (`start` itself not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day, days_off):
            count -= 1
    return day


def working_days_between(start: date, end: date, days_off: frozenset[date]) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start, days_off)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n), days_off))


def local_date(moment: datetime) -> date:
    """The calendar day of an instant where the agencies work."""
    return moment.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])).date()


def due_date(closes_at: datetime | None, days_off: frozenset[date] | None = None) -> date | None:
    """The last day answers to a consultation that closes at `closes_at` are on time; None without a closing time."""
    if closes_at is None:
        return None
    days_off = holidays() if days_off is None else days_off
    return add_working_days(local_date(closes_at), current_app.config["ANSWER_WORKING_DAYS"], days_off)
