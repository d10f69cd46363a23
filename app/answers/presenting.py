"""How readers see an answer: the unit of a later version it changed, and that unit's words before and after."""

from collections.abc import Iterable
from dataclasses import dataclass

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.answers import services
from app.answers.labels import DECISION_LABELS
from app.answers.models import Answer
from app.extensions import db
from app.i18n import fallback_order
from app.laws.diffs import word_diff
from app.laws.models import LawVersion, Section
from app.template_helpers import unit_name


@dataclass
class Change:
    """The unit an answer changed, in the version it changed in; with the word diff when it was asked for."""

    version: LawVersion
    section: Section
    unit: str  # "10-бап, 2-тармақ"
    before: Section | None = None
    ops: list[tuple[str, str]] | None = None
    text_lang: str | None = None  # the language the diff is told in
    fallback: bool = False  # the diff is not in the reader's language

    @property
    def before_number(self) -> int | None:
        return self.before.version.number if self.before else None


def _before(section: Section) -> Section | None:
    """The same unit in the newest version before the one it changed in."""
    return db.session.scalar(
        select(Section)
        .join(LawVersion, LawVersion.id == Section.version_id)
        .where(
            LawVersion.law_id == section.version.law_id,
            LawVersion.number < section.version.number,
            Section.identity_id == section.identity_id,
        )
        .options(contains_eager(Section.version))
        .order_by(LawVersion.number.desc())
        .limit(1)
    )


def _diff_lang(lang: str, *sections: Section) -> str | None:
    """The reader's language if every section has text in it, else the first language they all have."""
    for code in fallback_order(lang):
        if all(section.text(code) for section in sections):
            return code
    return None


def change_of(answer: Answer, lang: str, diff: bool = True) -> Change | None:
    """What an answer changed in the text, in the reader's language; None when it is traced to no unit."""
    section = answer.changed_section
    if section is None:
        return None
    change = Change(section.version, section, unit_name(section, lang))
    if not diff:
        return change
    change.before = _before(section)
    if change.before is None:
        # The unit is new in its version: all of its text was inserted.
        change.text_lang = _diff_lang(lang, section)
        change.ops = [("insert", section.text(change.text_lang))] if change.text_lang else None
    else:
        change.text_lang = _diff_lang(lang, change.before, section)
        if change.text_lang:
            change.ops = word_diff(change.before.text(change.text_lang), section.text(change.text_lang))
    change.fallback = change.text_lang is not None and change.text_lang != lang
    return change


def answer_change(answer: Answer, lang: str, diff: bool = False) -> Change | None:
    """change_of for templates, computed once per request: answers reach many comments of one page."""
    cache = g.setdefault("answer_changes", {})
    key = (answer.id, answer.changed_section_id, lang, diff)
    if key not in cache:
        cache[key] = change_of(answer, lang, diff)
    return cache[key]


def answers_for_template(comment_ids: Iterable[int]) -> dict[int, services.Given]:
    """{comment id: its answer}, with the changed units and their versions loaded: two queries for any page."""
    given = services.answers_for(comment_ids)
    traced = {item.answer.changed_section_id for item in given.values() if item.answer.changed_section_id}
    if traced:
        sections = db.session.scalars(
            select(Section).where(Section.id.in_(traced)).options(joinedload(Section.version))
        )
        by_id = {section.id: section for section in sections}
        for item in given.values():
            if item.answer.changed_section_id in by_id:
                set_committed_value(item.answer, "changed_section", by_id[item.answer.changed_section_id])
    return given


def decision_label(decision: str) -> str:
    return str(DECISION_LABELS.get(decision, decision))
