"""Reading a file of comments from other channels: CSV (comma, semicolon or tab) or JSON Lines, in UTF-8.

Yields each row with the line it starts on, so that the operator is told where a bad row is, and reads the
dates senders write.
"""

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from app.errors import UserError

REQUIRED_COLUMNS = ("ref", "law", "section", "stance", "body", "author", "channel", "received_at")
OPTIONAL_COLUMNS = ("version", "language", "proposed")


class ImportFileError(UserError):
    """The file as a whole cannot be read (encoding, format, missing columns); the message is for the operator."""


def _text(value) -> str:
    """A field as text: JSON numbers and booleans as written, null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"The file is not UTF-8 (byte {error.start}): save it as UTF-8 and try again.") from None


def _is_jsonl(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return True
    if suffix in (".csv", ".tsv", ".txt"):
        return False
    return text.lstrip()[:1] == "{"


def _read_csv(text: str) -> Iterator[tuple[int, dict[str, str] | str]]:
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Russian or Kazakh save CSV with semicolons; tabs come from copy and paste.
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    columns = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            f"The header line has no column {', '.join(missing)} (it has: {', '.join(filter(None, columns))})."
        )
    line = reader.line_num
    try:
        for record in reader:
            # A quoted field may span lines: a record is reported at the line where it starts.
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(columns):
                yield start, f"{len(record)} fields, but the header names {len(columns)}"
                continue
            yield start, {name: value for name, value in zip(columns, record, strict=False) if name}
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num}: not valid CSV ({error}).") from None


def _read_jsonl(text: str) -> Iterator[tuple[int, dict[str, str] | str]]:
    if text.lstrip().startswith("["):
        raise ImportFileError("The file is one JSON array: write one JSON object per line (JSON Lines) instead.")
    # Split on newlines only: str.splitlines() would also break at U+2028, which JSON allows inside strings.
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as error:
            yield number, f"not valid JSON ({error.msg} at column {error.colno})"
            continue
        if not isinstance(item, dict):
            yield number, "not a JSON object"
            continue
        yield number, {str(key).strip().lower(): _text(value) for key, value in item.items()}


def read_records(path: Path) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Yield (line number, the row's fields) or (line number, why the line is unreadable), for CSV or JSONL."""
    text = _decode(Path(path).read_bytes())
    return _read_jsonl(text) if _is_jsonl(Path(path), text) else _read_csv(text)


_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_received_at(value: str, zone: ZoneInfo) -> datetime:
    """Read a date or a date and time: ISO 8601 or dd.mm.yyyy [hh:mm]; without an offset, local (Almaty) time."""
    value = value.strip()
    match = _DOTTED_DATE.fullmatch(value)
    if match:
        day, month, year, hour, minute, second = (int(part) if part else 0 for part in match.groups())
        moment = datetime(year, month, day, hour, minute, second)
    elif len(value) == 10:
        moment = datetime.combine(date.fromisoformat(value), time())
    else:
        moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment
