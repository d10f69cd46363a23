"""What answers add to other domains' documents when they are read: the summary table's decisions, the summary's
answers. Nothing is stored in the snapshot; a submitted summary stays as parliament received it."""

from collections import Counter

from flask_babel import gettext as _

from app.answers.exporting import answers_document
from app.answers.labels import DECISION_LABELS
from app.answers.models import DECISIONS
from app.answers.services import answers_for
from app.comments.labels import label
from app.i18n import fallback_order
from app.summaries.models import SummarySnapshot
from app.summaries.signals import summary_document_read, summary_table_made
from app.summaries.table import TableRow


def fill_summary_table(snapshot: SummarySnapshot, *, rows: list[TableRow], lang: str, **_extra) -> None:
    """Write the agency's decision and reasoning into the rows, reading every row's answers in one query."""
    given = answers_for(cid for row in rows for cid in row.comment_ids)
    order = list(fallback_order(lang))
    for row in rows:
        answers = [given[cid].answer if cid in given else None for cid in row.comment_ids]
        distinct = {a.id: a for a in answers if a is not None}
        if not distinct:
            continue
        if len(distinct) == 1 and None not in answers:
            (answer,) = distinct.values()
            row.decision = label(DECISION_LABELS, answer.decision)
            row.reasoning = answer.reasoning_in(order)[0]
            continue
        # Members of a campaign answered apart: how many got which decision, and what each answer said.
        counts = Counter(a.decision if a is not None else None for a in answers)
        parts = [
            _("%(decision)s ×%(num)d", decision=label(DECISION_LABELS, d), num=counts[d])
            for d in DECISIONS
            if counts[d]
        ]
        if counts[None]:
            parts.append(_("%(decision)s ×%(num)d", decision=_("Not answered yet"), num=counts[None]))
        row.decision = "; ".join(parts)
        reached = Counter(a.id for a in answers if a is not None)
        lines = []
        for answer in sorted(distinct.values(), key=lambda a: (DECISIONS.index(a.decision), a.id)):
            reasoning = answer.reasoning_in(order)[0]
            if reasoning:
                decision = label(DECISION_LABELS, answer.decision)
                lines.append(
                    _(
                        "%(decision)s ×%(num)d: %(reasoning)s",
                        decision=decision,
                        num=reached[answer.id],
                        reasoning=reasoning,
                    )
                )
        row.reasoning = "\n".join(lines)


def add_summary_answers(snapshot: SummarySnapshot, *, document: dict, **_extra) -> None:
    """Add the answers given so far to a summary's published document (read now, never stored)."""
    document.update(answers_document(snapshot))


def connect() -> None:
    """Subscribe to the summaries' signals; connecting again changes nothing."""
    summary_table_made.connect(fill_summary_table, weak=False)
    summary_document_read.connect(add_summary_answers, weak=False)
