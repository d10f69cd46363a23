"""Answers from the agency's own spreadsheet: `flask answers import` and the upload on the answers page.

A table (CSV in UTF-8, or XLSX) has one row per answer: the comments it answers (`ref`, `comment_id`, `theme` or
`campaign`, exactly one), `decision`, `reasoning_kk`, `reasoning_ru`, `reasoning_en` and optionally `changed_in`
("2:5.1"). Every row is checked first on one draft; one bad row and nothing is written, every bad row is listed by
its line. A row that the draft's answers already say is left alone, so importing the same file again changes nothing.
Nothing here commits: the command or the view commits once.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time

import openpyxl
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from app.answers.models import DECISIONS, PROMISES_CHANGE, REASONING_LANGS, Scope
from app.answers.services import (
    AnswerError,
    Said,
    answer_comments,
    answers_for,
    campaign_comments,
    changed_units,
    check_answerable,
    check_can_answer,
    check_said,
    comments_version,
    correct_answer,
    find_unit,
    latest_snapshot,
    linked_comments,
    selected_comments,
    theme_comments,
    trace_answer,
)
from app.comments.models import Comment, CommentState
from app.errors import UserError
from app.extensions import db
from app.laws.models import Law, Section
from app.summaries.models import SummarySnapshot

ID_COLUMNS = ("ref", "comment_id", "theme", "campaign")
COLUMNS = (*ID_COLUMNS, "decision", *(f"reasoning_{lang}" for lang in REASONING_LANGS), "changed_in")
# Rows answered per file: a bigger table is a wrong file (or should be split), not a day's decisions.
MAX_ROWS = 10_000
MAX_ID = 2**31 - 1  # ids are 32-bit columns: a longer number would overflow inside the driver
MAX_SCOPE_REF = 64  # Answer.scope_ref
UNREADABLE_XLSX = _l("The file is not a readable XLSX workbook: save it again as .xlsx or as CSV.")


class AnswerImportError(UserError):
    """The file as a whole cannot be read (size, encoding, format, header); the message is for the editor."""


# --- reading --------------------------------------------------------------------------------------------------


def _cell(value) -> str:
    """An XLSX cell as the editor typed it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a comment number typed into a number cell comes back as 12.0
    if isinstance(value, time):
        # Excel reads a changed_in of "2:5" as the time 02:05: give back what was typed.
        return f"{value.hour}:{value.minute}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    # A damaged workbook fails anywhere inside openpyxl (zip, XML, styles), while opening or while reading rows:
    # the editor needs one clear answer, not a server error.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:
        raise AnswerImportError(UNREADABLE_XLSX) from None
    try:
        # min_row=1: rows are numbered as the spreadsheet numbers them, empty ones included.
        rows = enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        while True:
            try:
                number, values = next(rows)
            except StopIteration:
                return
            except Exception:
                raise AnswerImportError(UNREADABLE_XLSX) from None
            yield number, [_cell(value) for value in values]
    finally:
        book.close()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnswerImportError(_l("The file is not in UTF-8: save it as «CSV UTF-8» and try again.")) from None
    text = text.replace("\x00", "")  # PostgreSQL cannot store NUL, and no one types it
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Russian or Kazakh save CSV with semicolons; tabs come from copy and paste.
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for record in reader:
            # A quoted field may span lines: a row is reported at the line where it starts.
            start, line = line + 1, reader.line_num
            yield start, record
    except csv.Error:
        raise AnswerImportError(_l("Line %(line)d is not valid CSV."), line=reader.line_num) from None


def _is_xlsx(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, str] | str]]:
    """Return (line, the row's fields) or (line, why the row is unreadable) for each non-empty row of the table."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(data) > limit:
        raise AnswerImportError(_l("The file is too large: at most %(size)d KB."), size=limit // 1024)
    rows = _xlsx_rows(data) if _is_xlsx(data, filename) else _csv_rows(data)
    header = next(rows, None)
    if header is None or not any(name.strip() for name in header[1]):
        raise AnswerImportError(_l("The file is empty: its first row must name the columns."))
    columns = [name.strip().lower() for name in header[1]]
    if "decision" not in columns or not any(name in columns for name in ID_COLUMNS):
        raise AnswerImportError(
            _l("Row 1 needs the column decision and one of ref, comment_id, theme, campaign; it has: %(columns)s."),
            columns=", ".join(filter(None, columns)),
        )
    records: list[tuple[int, dict[str, str] | str]] = []
    for line, values in rows:
        if not any(value.strip() for value in values):
            continue
        if len(records) == MAX_ROWS:
            raise AnswerImportError(_l("The file has more than %(max)d rows: split it."), max=MAX_ROWS)
        if any(value.strip() for value in values[len(columns) :]):
            records.append((line, _("The row has more cells than the first row has column names.")))
            continue
        records.append((line, {name: value for name, value in zip(columns, values, strict=False) if name in COLUMNS}))
    return records


# --- checking -------------------------------------------------------------------------------------------------


@dataclass
class AnswerRow:
    """A checked row: what it answers, what it says, the unit that changed because of it."""

    line: int
    kind: str  # ref, comment_id, theme or campaign
    written: str  # the identifier as written in the table
    said: Said
    comments: list[Comment]
    unit: Section | None
    snapshot: SummarySnapshot | None


def _shown(value: str) -> str:
    """A cell quoted in a message: a whole paragraph in the wrong column would bury the message."""
    return value if len(value) <= 40 else value[:40] + "…"


def _number(value: str) -> int | None:
    return int(value) if value.isdecimal() and len(value) <= 10 and int(value) <= MAX_ID else None


class _Checker:
    """Checks rows on one draft, remembering which comment each row answers and the units that changed."""

    def __init__(self, law: Law, snapshot: SummarySnapshot | None):
        self.law = law
        self.snapshot = snapshot
        self.lines: dict[int, int] = {}  # comment id: the line that answers it
        self.changed: dict[int, set[int]] = {}  # version number: ids of the units changed after it

    def comments(self, kind: str, value: str) -> list[Comment]:
        if kind == "ref":
            comment = db.session.scalar(select(Comment).where(Comment.law_id == self.law.id, Comment.ref == value))
            if comment is None:
                raise AnswerError(_l("There is no comment with ref %(ref)s on this draft."), ref=_shown(value))
            return check_answerable(self.law, [comment])
        number = _number(value)
        if kind == "comment_id":
            if number is None:
                raise AnswerError(_l("comment_id must be a comment number, not «%(value)s»."), value=_shown(value))
            return selected_comments(self.law, [number])
        if kind == "campaign":
            if number is None:
                raise AnswerError(_l("campaign must be a campaign number, not «%(value)s»."), value=_shown(value))
            found = campaign_comments(self.law, number)
        else:
            if self.snapshot is None:
                raise AnswerError(_l("This draft has no summary yet, so a row cannot name a theme."))
            found = theme_comments(self.law, self.snapshot, value)
        if not found:
            raise AnswerError(_l("%(name)s has no published comment to answer."), name=_shown(value))
        return found

    def unit(self, spec: str, said: Said, comments: list[Comment]) -> Section | None:
        if not spec:
            return None
        if said.decision not in PROMISES_CHANGE:
            raise AnswerError(_l("Only an accepted or partly accepted answer is linked to a change in the text."))
        section = find_unit(self.law, spec)
        after = comments_version(comments)
        if after not in self.changed:
            self.changed[after] = {candidate.section.id for candidate in changed_units(self.law, after)}
        if section.id not in self.changed[after]:
            raise AnswerError(
                _l("That unit did not change in a version published after the comment: choose one the diff offers.")
            )
        return section

    def check(self, line: int, fields: dict[str, str]) -> tuple[AnswerRow | None, list[str]]:
        """Return the checked row, or None and every problem of the row."""
        problems: list[str] = []
        given = [(name, fields[name].strip()) for name in ID_COLUMNS if fields.get(name, "").strip()]
        comments: list[Comment] = []
        if len(given) != 1:
            problems.append(_("Give exactly one of ref, comment_id, theme or campaign."))
        else:
            try:
                comments = self.comments(*given[0])
            except AnswerError as error:
                problems.append(str(error))
        said = None
        decision = fields.get("decision", "").strip().lower()
        if decision not in DECISIONS:
            problems.append(
                _(
                    "The decision must be accepted, partly_accepted, rejected or not_applicable, not «%(value)s».",
                    value=_shown(decision),
                )
            )
        else:
            try:
                said = check_said(decision, {lang: fields.get(f"reasoning_{lang}") for lang in REASONING_LANGS})
            except AnswerError as error:
                problems.append(str(error))
        unit = None
        if said is not None and comments:
            try:
                unit = self.unit(fields.get("changed_in", "").strip(), said, comments)
            except AnswerError as error:
                problems.append(str(error))
        for comment in comments:
            first = self.lines.setdefault(comment.id, line)
            if first != line:
                problems.append(_("Comment %(id)d is also answered on line %(line)d.", id=comment.id, line=first))
                break
        if problems or said is None:
            return None, problems
        kind, written = given[0]
        snapshot = self.snapshot if kind == "theme" else None
        return AnswerRow(line, kind, written, said, comments, unit, snapshot), []


def check_rows(
    law: Law, records: Iterable[tuple[int, dict[str, str] | str]], snapshot: SummarySnapshot | None
) -> tuple[list[AnswerRow], list[tuple[int, str]]]:
    """Check every row on this draft; return the good rows and (line, why) for each problem; write nothing."""
    checker = _Checker(law, snapshot)
    rows: list[AnswerRow] = []
    errors: list[tuple[int, str]] = []
    for line, fields in records:
        if isinstance(fields, str):
            errors.append((line, fields))
            continue
        row, problems = checker.check(line, fields)
        errors += [(line, problem) for problem in problems]
        if row is not None:
            rows.append(row)
    return rows, errors


# --- writing --------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did: answers given, answers corrected, rows already answered so, comments reached; or errors."""

    given: int = 0
    corrected: int = 0
    unchanged: int = 0
    reached: int = 0  # comments whose answer is new or corrected
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        """The outcome in the current language, for the flash message and the command."""
        return " ".join(
            (
                ngettext("%(num)d answer given.", "%(num)d answers given.", self.given),
                ngettext("%(num)d answer corrected.", "%(num)d answers corrected.", self.corrected),
                ngettext("%(num)d row unchanged.", "%(num)d rows unchanged.", self.unchanged),
                ngettext("%(num)d comment reached.", "%(num)d comments reached.", self.reached),
            )
        )


def _shared_answer(row: AnswerRow):
    """The answer every comment of the row has, if it is one answer and it reaches no other published comment."""
    given = answers_for(comment.id for comment in row.comments)
    answers = {item.answer.id: item.answer for item in given.values()}
    if len(given) != len(row.comments) or len(answers) != 1:
        return None
    answer = next(iter(answers.values()))
    # Correcting an answer shared with comments the row does not name would change what those authors were told.
    reached = {c.id for c in linked_comments(answer) if c.state == CommentState.APPROVED}
    return answer if reached == {c.id for c in row.comments} else None


def _apply(law: Law, row: AnswerRow, user) -> str:
    answer = _shared_answer(row)
    if answer is None:
        answer_comments(
            law, row.comments, user=user, decision=row.said.decision, reasoning=row.said.reasoning,
            scope=Scope.IMPORT.value, scope_ref=row.written[:MAX_SCOPE_REF], snapshot=row.snapshot,
            changed_section=row.unit,
        )  # fmt: skip
        return "given"
    corrected = correct_answer(answer, user=user, decision=row.said.decision, reasoning=row.said.reasoning)
    traced = trace_answer(answer, row.unit, user=user)
    return "corrected" if corrected or traced else "unchanged"


def apply_rows(law: Law, rows: list[AnswerRow], *, user) -> ImportResult:
    """Give, correct or leave each checked row's answer; flush, never commit."""
    result = ImportResult()
    for row in rows:
        outcome = _apply(law, row, user)
        setattr(result, outcome, getattr(result, outcome) + 1)
        if outcome != "unchanged":
            result.reached += len(row.comments)
    return result


def import_answers(
    law: Law, data: bytes, filename: str, *, user, snapshot: SummarySnapshot | None = None
) -> ImportResult:
    """Answer the rows of a table on this draft: all of them, or none when a row is bad (`errors` says which)."""
    # Refusals raise: AnswerError (403) for a user who may not answer the draft, AnswerImportError for the file.
    check_can_answer(law, user)
    records = read_table(data, filename)
    rows, errors = check_rows(law, records, snapshot or latest_snapshot(law))
    if errors:
        return ImportResult(errors=errors)
    return apply_rows(law, rows, user=user)
