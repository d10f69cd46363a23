"""Comments that reached the agency through other channels (letters, hearings, e-Otinish, other portals).

`flask comments import FILE` reads them from CSV or JSONL. `prepare_import` reads and checks every row and writes
nothing; `import_comments` then stores the good rows the way the web form does (`new_comment`, then
`announce_comment`: language detection, screening, campaign fingerprints, search queue, moderation), in batches and
without the per-user rate limits. Nothing here commits: the command commits once, so a file goes in whole or not at all.

Each row's `ref` (the sender's registration number) is unique per draft. A row whose ref is already imported with
the same author and text is the same comment and is skipped, so running a file again adds nothing; a ref already
used by a different comment is a bad row.

Imported authors have no account: one `User` with `external=True` per draft and name (normalised), an address
in the reserved .invalid domain that never receives mail, a password hash no password matches, never a login.
"""

import hashlib
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.comments.import_files import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportFileError,
    parse_received_at,
    read_records,
)
from app.comments.models import CHANNELS, STANCES, Channel, Comment, Stance
from app.comments.services import LANGS, MAX_BODY, MAX_WORDING, announce_comment, clean_text, new_comment
from app.db import utcnow
from app.extensions import db
from app.laws.models import Law, LawStatus, LawVersion, Section
from app.laws.numbering import sections_by_number_path

logger = logging.getLogger(__name__)

# "web" is this site's own form: an imported comment names the channel it really came through.
IMPORT_CHANNELS = tuple(channel for channel in CHANNELS if channel != Channel.WEB)
MAX_REF = 64  # Comment.ref
MAX_NAME = 80  # User.display_name
# Clocks differ a little between the sender's system and ours; more than this ahead is a wrong date.
CLOCK_SKEW = timedelta(minutes=10)
# What a row's `section` names: chapters share their numbers with articles, so only these are cited.
CITABLE_KINDS = ("article", "point", "subpoint")
EXTERNAL_DOMAIN = "import.invalid"  # RFC 2606: .invalid is never delivered
# Comments inserted per statement: one INSERT for many rows, then each is announced (screening, campaigns, search).
BATCH = 200

_SPACES = re.compile(r"\s+")


@dataclass
class ImportRow:
    """A checked row, ready to be written."""

    line: int
    ref: str
    law: Law
    section: Section
    lang: str | None
    stance: str
    body: str
    wording: str | None
    author: str  # as written (spaces collapsed): the display name
    author_key: str  # normalised: the same key is the same author on one draft
    channel: str
    received_at: datetime


@dataclass
class ImportPlan:
    """What a file holds: rows to write, rows already imported, bad rows with why."""

    rows: list[ImportRow] = field(default_factory=list)
    existing: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    total: int = 0


@dataclass
class ImportReport:
    """What an import did: comments added, rows skipped as already imported, bad rows (line, why)."""

    added: int
    skipped_existing: int
    bad: list[tuple[int, str]]
    checked: int = 0  # good new rows: what a dry run or a --skip-bad run adds


# --- checking -----------------------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """The key under which a name is one author: Unicode-normalised, case-folded, spaces collapsed, ё as е."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold().replace("ё", "е")


def external_email(law_id: int, author_key: str) -> str:
    """The address of an imported author: per draft and name, in a domain that never receives mail."""
    digest = hashlib.sha256(author_key.encode()).hexdigest()[:20]
    return f"imported-{law_id}-{digest}@{EXTERNAL_DOMAIN}"


def client_token(ref: str) -> str:
    """The idempotency token of an imported comment: derived from its ref, so a second write of it is refused."""
    return "import:" + hashlib.sha256(ref.encode()).hexdigest()[:40]


class _Checker:
    """Checks rows one by one, caching drafts, versions and their sections."""

    def __init__(self, now: datetime):
        self.now = now
        self.zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
        self.laws: dict[str, Law | None] = {}
        self.sections: dict[int, dict[str, Section]] = {}
        self.refs: dict[tuple[int, str], int] = {}

    def law(self, slug: str) -> Law | None:
        if slug not in self.laws:
            self.laws[slug] = db.session.scalar(select(Law).where(Law.slug == slug).options(selectinload(Law.versions)))
        return self.laws[slug]

    def section_map(self, version: LawVersion) -> dict[str, Section]:
        if version.id not in self.sections:
            sections = db.session.scalars(select(Section).where(Section.version_id == version.id)).all()
            self.sections[version.id] = sections_by_number_path(sections, kinds=CITABLE_KINDS)
        return self.sections[version.id]

    def law_problem(self, law: Law) -> str | None:
        if not law.is_public:
            return f"draft '{law.slug}' is still in preparation, not open for comments"
        if law.status != LawStatus.OPEN:
            return f"draft '{law.slug}' is not open for comments (status: {law.status})"
        if law.opens_at is None or law.closes_at is None or law.opens_at > self.now:
            return f"the consultation on '{law.slug}' has not opened"
        return None

    def check(self, line: int, fields: dict[str, str]) -> ImportRow | str:
        """Return the checked row, or every problem of the row in one message."""
        get = {name: fields.get(name, "").strip() for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
        problems: list[str] = []
        ref = get["ref"]
        if not ref:
            problems.append("ref is empty")
        elif len(ref) > MAX_REF:
            problems.append(f"ref is longer than {MAX_REF} characters")

        law = section = None
        if not get["law"]:
            problems.append("law is empty")
        else:
            law = self.law(get["law"])
            if law is None:
                problems.append(f"no draft law '{get['law']}'")
            elif (problem := self.law_problem(law)) is not None:
                problems.append(problem)
                law = None
        if law is not None:
            version = None
            if not get["version"]:
                version = law.latest_version
            elif get["version"].isdigit():
                version = law.version(int(get["version"]))
            if version is None:
                problems.append(f"'{law.slug}' has no version '{get['version']}'")
            else:
                path = get["section"].removesuffix(".").replace(" ", "")
                section = self.section_map(version).get(path) if path else None
                if section is None:
                    where = f"'{law.slug}' version {version.number}"
                    problems.append(f"no article, point or sub-point '{get['section']}' in {where}")

        lang = get["language"].lower() or None
        if lang is not None and lang not in LANGS:
            problems.append(f"language must be kk, ru, en or empty, not '{get['language']}'")
        stance = get["stance"].lower()
        if stance not in STANCES:
            problems.append(f"stance must be one of {', '.join(STANCES)}, not '{get['stance']}'")
        body = clean_text(fields.get("body", ""))
        if not body:
            problems.append("body is empty")
        elif len(body) > MAX_BODY:
            problems.append(f"body is longer than {MAX_BODY} characters")
        wording = clean_text(fields.get("proposed", "")) or None
        if stance == Stance.AMEND:
            if wording is None:
                problems.append("stance amend needs the proposed wording")
            elif len(wording) > MAX_WORDING:
                problems.append(f"proposed wording is longer than {MAX_WORDING} characters")
        else:
            wording = None  # as on the web form: only a new-wording comment carries one
        author = _SPACES.sub(" ", get["author"]).strip()
        if not author:
            problems.append("author is empty")
        elif len(author) > MAX_NAME:
            problems.append(f"author is longer than {MAX_NAME} characters")
        channel = get["channel"].lower()
        if channel not in IMPORT_CHANNELS:
            problems.append(f"channel must be one of {', '.join(IMPORT_CHANNELS)}, not '{get['channel']}'")

        received_at = None
        if not get["received_at"]:
            problems.append("received_at is empty")
        else:
            try:
                received_at = parse_received_at(get["received_at"], self.zone)
            except ValueError:
                problems.append(f"received_at '{get['received_at']}' is not a date (use 2026-03-05 or 05.03.2026)")
            else:
                if received_at > self.now + CLOCK_SKEW:
                    problems.append(f"received_at {get['received_at']} is in the future")
                elif law is not None and law.closes_at is not None and received_at >= law.closes_at:
                    problems.append(f"received_at {get['received_at']} is after the consultation closed")

        if law is not None and ref:
            first = self.refs.setdefault((law.id, ref), line)
            if first != line:
                problems.append(f"ref '{ref}' is also on line {first}")
        if problems:
            return "; ".join(problems)
        return ImportRow(
            line=line, ref=ref, law=law, section=section, lang=lang, stance=stance, body=body, wording=wording,
            author=author, author_key=normalise_name(author), channel=channel, received_at=received_at,
        )  # fmt: skip


def _already_imported(rows: list[ImportRow]) -> dict[int, Comment]:
    """Return {line: stored comment} for the rows whose ref the draft already has."""
    found: dict[int, Comment] = {}
    by_law: dict[int, dict[str, ImportRow]] = {}
    for row in rows:
        by_law.setdefault(row.law.id, {})[row.ref] = row
    for law_id, refs in by_law.items():
        keys = list(refs)
        for start in range(0, len(keys), 500):
            comments = db.session.scalars(
                select(Comment)
                .where(Comment.law_id == law_id, Comment.ref.in_(keys[start : start + 500]))
                .options(selectinload(Comment.author))
            )
            for comment in comments:
                found[refs[comment.ref].line] = comment
    return found


def _same_comment(row: ImportRow, comment: Comment) -> bool:
    # A moderator may have published it with personal data masked: the sender's text is then in original_body.
    return (
        normalise_name(comment.author.display_name) == row.author_key
        and (comment.original_body or comment.body) == row.body
    )


def prepare_import(records: Iterable[tuple[int, dict[str, str] | str]], now: datetime | None = None) -> ImportPlan:
    """Check every row and return what would be written, what is already there and what is wrong; write nothing."""
    checker = _Checker(now or utcnow())
    plan = ImportPlan()
    checked: list[ImportRow] = []
    for line, fields in records:
        plan.total += 1
        result = fields if isinstance(fields, str) else checker.check(line, fields)
        if isinstance(result, str):
            plan.bad.append((line, result))
        else:
            checked.append(result)
    stored = _already_imported(checked)
    for row in checked:
        comment = stored.get(row.line)
        if comment is None:
            plan.rows.append(row)
        elif _same_comment(row, comment):
            plan.existing += 1
        else:
            plan.bad.append((row.line, f"ref '{row.ref}' is already used by another comment (#{comment.id})"))
    plan.bad.sort()
    return plan


# --- writing ------------------------------------------------------------------------------------------------


def _unusable_password_hash() -> str:
    # Not an argon2 hash, so verify_password answers False for every password; random, so no two are alike.
    return f"!imported:{secrets.token_hex(16)}"


class _Authors:
    """The external users of the drafts in a file, by draft and normalised name; the missing ones created at once."""

    def __init__(self, rows: list[ImportRow]):
        names = {external_email(row.law.id, row.author_key): row.author for row in reversed(rows)}
        emails = sorted(names)
        self.users: dict[str, User] = {}
        for start in range(0, len(emails), 500):
            for user in db.session.scalars(select(User).where(User.email.in_(emails[start : start + 500]))):
                if not user.external:
                    # Registration refuses .invalid addresses; anything else here was made by hand. Never attach
                    # letters to an account that can sign in.
                    raise ImportFileError(f"{user.email} belongs to an account that is not an imported author.")
                self.users[user.email] = user
        now = utcnow()
        new = [
            User(
                email=email,
                display_name=names[email],  # as the name is first written in the file
                password_hash=_unusable_password_hash(),
                role=Role.CITIZEN.value,
                locale=current_app.config["DEFAULT_LANGUAGE"],
                external=True,
                # Nothing should ever ask them to confirm an address they do not have.
                email_confirmed_at=now,
            )
            for email in emails
            if email not in self.users
        ]
        db.session.add_all(new)
        db.session.flush()
        self.users.update((user.email, user) for user in new)
        self.created = len(new)

    def get(self, row: ImportRow) -> User:
        return self.users[external_email(row.law.id, row.author_key)]


def _store(batch: list[Comment]) -> int:
    """Insert a batch of new comments in one statement, then announce each as the web form does; empty the batch."""
    db.session.add_all(batch)
    db.session.flush()
    for comment in batch:
        announce_comment(comment)
    count = len(batch)
    batch.clear()
    return count


def import_comments(
    path: Path,
    *,
    skip_bad: bool = False,
    dry_run: bool = False,
    progress: Callable[[list[ImportRow]], AbstractContextManager[Iterable[ImportRow]]] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import a CSV or JSONL file of comments: all good rows, or none when a row is bad (unless skip_bad).

    Writes (flushes) nothing on a dry run or when bad rows stop the import; `progress` wraps the rows being
    written (a progress bar). Raises ImportFileError when the file as a whole cannot be read.
    """
    plan = prepare_import(read_records(path), now=now)
    if dry_run or (plan.bad and not skip_bad):
        return ImportReport(added=0, skipped_existing=plan.existing, bad=plan.bad, checked=len(plan.rows))
    authors = _Authors(plan.rows)
    added = 0
    batch: list[Comment] = []
    with progress(plan.rows) if progress else nullcontext(plan.rows) as rows:
        for row in rows:
            batch.append(
                new_comment(
                    law=row.law,
                    section=row.section,
                    author=authors.get(row),
                    stance=row.stance,
                    body=row.body,
                    wording=row.wording,
                    lang=row.lang,
                    client_token=client_token(row.ref),
                    channel=row.channel,
                    ref=row.ref,
                    received_at=row.received_at,
                )  # fmt: skip
            )
            if len(batch) == BATCH:
                added += _store(batch)
        added += _store(batch)
    logger.info(
        "Imported %d comments from %s (%d new authors, %d rows already imported)",
        added, path, authors.created, plan.existing,
    )  # fmt: skip
    return ImportReport(added=added, skipped_existing=plan.existing, bad=plan.bad, checked=len(plan.rows))
