"""The Hearing State figures: how much of what citizens said the drafting agencies answered, how, and how soon.

Recomputed from the rows on every request, never stored or edited. Per draft, for each agency (its public drafts)
and overall:

- received: every comment left on the draft, in any state; approved: the published ones (the rest are not answered);
- answered: published comments with an answer, given to them directly or to their group (theme, campaign, selection);
- by decision: answered comments by the decision of their answer;
- median days: calendar days from the day the consultation closed to the day a comment was first answered (an
  answer given before the close counts 0), over answered comments of drafts with a closing time;
- on time: published comments answered on or before the due day (app/answers/calendar.py); the share is of the
  published comments, so a comment never answered counts against it;
- traced: accepted or partly accepted comments whose answer is linked to the unit that changed because of it; the
  share is of those comments.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from sqlalchemy import func, select

from app.answers import calendar
from app.answers.models import DECISIONS, PROMISES_CHANGE, Answer, AnswerLink
from app.comments.models import Comment, CommentState
from app.extensions import db
from app.laws.access import public_laws_condition
from app.laws.models import Law
from app.organisations.models import Agency


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Figures:
    received: int = 0
    approved: int = 0
    answered: int = 0
    by_decision: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DECISIONS, 0))
    days: list[int] = field(default_factory=list)  # close → first answer, per answered comment
    on_time: int = 0
    promised: int = 0  # answered accepted or partly accepted
    traced: int = 0

    def add(self, other: "Figures") -> None:
        self.received += other.received
        self.approved += other.approved
        self.answered += other.answered
        for decision, count in other.by_decision.items():
            self.by_decision[decision] += count
        self.days.extend(other.days)
        self.on_time += other.on_time
        self.promised += other.promised
        self.traced += other.traced

    @property
    def answered_share(self) -> float | None:
        return _share(self.answered, self.approved)

    def decision_share(self, decision: str) -> float | None:
        return _share(self.by_decision[decision], self.answered)

    @property
    def median_days(self) -> float | None:
        return median(self.days) if self.days else None

    @property
    def on_time_share(self) -> float | None:
        return _share(self.on_time, self.approved)

    @property
    def traced_share(self) -> float | None:
        return _share(self.traced, self.promised)

    def as_dict(self) -> dict:
        """The figures as the API gives them (shares are 0..1, None when there is nothing to divide)."""
        return {
            "received": self.received,
            "approved": self.approved,
            "answered": self.answered,
            "answered_share": self.answered_share,
            "by_decision": dict(self.by_decision),
            "decision_shares": {d: self.decision_share(d) for d in DECISIONS},
            "median_days_to_answer": self.median_days,
            "answered_on_time": self.on_time,
            "answered_on_time_share": self.on_time_share,
            "accepted": self.promised,
            "traced_to_change": self.traced,
            "traced_share": self.traced_share,
        }


@dataclass
class LawFigures:
    law: Law
    due: date | None
    figures: Figures


@dataclass
class AgencyFigures:
    agency: Agency
    laws: list[LawFigures]
    figures: Figures


def law_figures(laws: list[Law]) -> dict[int, LawFigures]:
    """{law id: its figures} for these drafts, from two queries."""
    if not laws:
        return {}
    days_off = calendar.holidays()
    by_id = {law.id: law for law in laws}
    due = {law.id: calendar.due_date(law.closes_at, days_off) for law in laws}
    close_day = {law.id: calendar.local_date(law.closes_at) if law.closes_at else None for law in laws}
    result = {law.id: LawFigures(law, due[law.id], Figures()) for law in laws}
    received = db.session.execute(
        select(Comment.law_id, Comment.state, func.count())
        .where(Comment.law_id.in_(by_id))
        .group_by(Comment.law_id, Comment.state)
    )
    for law_id, state, count in received:
        result[law_id].figures.received += count
        if state == CommentState.APPROVED:
            result[law_id].figures.approved += count
    answered = db.session.execute(
        select(Comment.law_id, AnswerLink.answered_at, Answer.decision, Answer.changed_section_id)
        .join(AnswerLink, AnswerLink.comment_id == Comment.id)
        .join(Answer, Answer.id == AnswerLink.answer_id)
        .where(Comment.law_id.in_(by_id), Comment.state == CommentState.APPROVED)
    )
    for law_id, answered_at, decision, changed_section_id in answered:
        figures = result[law_id].figures
        figures.answered += 1
        figures.by_decision[decision] += 1
        day = calendar.local_date(answered_at)
        if close_day[law_id] is not None:
            figures.days.append(max(0, (day - close_day[law_id]).days))
        if due[law_id] is not None and day <= due[law_id]:
            figures.on_time += 1
        if decision in PROMISES_CHANGE:
            figures.promised += 1
            if changed_section_id is not None:
                figures.traced += 1
    return result


def public_laws() -> list[Law]:
    return list(db.session.scalars(select(Law).where(public_laws_condition()).order_by(Law.id)))


def figures_of_law(law: Law) -> LawFigures:
    return law_figures([law])[law.id]


def _rank_key(entry: AgencyFigures):
    figures = entry.figures
    return (
        -(figures.on_time_share or 0),
        -(figures.answered_share or 0),
        figures.median_days if figures.median_days is not None else float("inf"),
        entry.agency.id,
    )


def agency_figures() -> tuple[list[AgencyFigures], Figures]:
    """Every agency with a public draft, best first (most answered on time, then most answered, then soonest),
    and the figures of all public drafts together."""
    laws = public_laws()
    per_law = law_figures(laws)
    by_agency: dict[int, list[LawFigures]] = defaultdict(list)
    for law in laws:
        by_agency[law.agency_id].append(per_law[law.id])
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(by_agency)))}
    overall = Figures()
    ranked = []
    for agency_id, entries in by_agency.items():
        total = Figures()
        for entry in entries:
            total.add(entry.figures)
        overall.add(total)
        ranked.append(AgencyFigures(agencies[agency_id], entries, total))
    ranked.sort(key=_rank_key)
    return ranked, overall
