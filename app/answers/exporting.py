"""Answers in the data outputs: the "answer" of a comment in the API and its CSV, and the "answers" of a summary.

Everything is read live: an answer given or corrected after a summary was submitted shows in that summary's
"answers", while the snapshot's stored data (and its content hash) stay what parliament received.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.answers.models import REASONING_LANGS, Answer, AnswerLink
from app.answers.services import Given, snapshot_themes, unit_spec
from app.comments.models import Comment
from app.extensions import db
from app.laws.models import Section
from app.moderation.models import Campaign, CommentFingerprint
from app.summaries.models import SummarySnapshot
from app.summaries.table import in_snapshot

# The answer's columns of the comments CSV, after the comment's own.
CSV_FIELDS = ["decision", "reasoning_kk", "reasoning_ru", "reasoning_en", "answered_at", "changed_in"]


def _iso(value: datetime | None) -> str | None:
    # The same form as the comment objects around the answer.
    return value.isoformat().replace("+00:00", "Z") if value else None


def answer_object(given: Given) -> dict:
    """A comment's answer as the open data gives it (call preload_units first for a batch of answers)."""
    answer = given.answer
    return {
        "decision": answer.decision,
        "reasoning": {lang: answer.reasoning(lang) or None for lang in REASONING_LANGS},
        "answered_at": _iso(given.answered_at),
        "corrected_at": _iso(answer.corrected_at),
        "changed_in": unit_spec(answer.changed_section) if answer.changed_section_id else None,
    }


def preload_units(answers: Iterable[Answer]) -> None:
    """Load the changed units of these answers, their versions and parents in one query, so that answer_object
    reads them from the session instead of asking per answer."""
    ids = {a.changed_section_id for a in answers if a.changed_section_id}
    if ids:
        # A point is named through its article: at most sub-point, point, article.
        parents = joinedload(Section.parent).joinedload(Section.parent)
        db.session.scalars(
            select(Section).where(Section.id.in_(ids)).options(joinedload(Section.version), parents)
        ).unique().all()


def answer_objects(givens: Mapping[int, Given]) -> dict[int, dict]:
    """{comment id: answer object} for the answers of a page of comments, with a constant number of queries."""
    preload_units(g.answer for g in givens.values())
    return {comment_id: answer_object(given) for comment_id, given in givens.items()}


def csv_cells(answer: dict | None) -> list[str | None]:
    """The CSV_FIELDS cells of a comment's answer object (empty when it has none)."""
    if answer is None:
        return [None] * len(CSV_FIELDS)
    reasoning = answer["reasoning"]
    return [
        answer["decision"],
        *(reasoning[lang] for lang in REASONING_LANGS),
        answer["answered_at"],
        answer["changed_in"],
    ]


def _snapshot_comments(snapshot: SummarySnapshot) -> list[tuple[int, int | None, Answer | None]]:
    """(comment id, campaign id, answer) of every comment the snapshot counts that is still published."""
    query = (
        select(Comment.id, Campaign.id, Answer)
        .join(Section, Section.id == Comment.section_id)
        .outerjoin(CommentFingerprint, CommentFingerprint.comment_id == Comment.id)
        # As the summary counts them: "similar" look-alikes are ordinary comments, only a campaign is one text ×N.
        .outerjoin(Campaign, (Campaign.id == CommentFingerprint.campaign_id) & (Campaign.kind == "campaign"))
        .outerjoin(AnswerLink, AnswerLink.comment_id == Comment.id)
        .outerjoin(Answer, Answer.id == AnswerLink.answer_id)
        .where(in_snapshot(snapshot))
        .order_by(Comment.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _covered(members: Mapping[str, set[int]] | Mapping[int, set[int]], reached: set[int]) -> list:
    """The groups (themes or campaigns) whose every still published comment this answer reaches."""
    return [key for key, ids in members.items() if ids and ids <= reached]


def answers_document(snapshot: SummarySnapshot) -> dict:
    """{"answers": [...]}: each answer that reaches comments of the snapshot, with those comments and the themes
    and campaigns of the snapshot it covers whole, read now (the snapshot itself is not touched)."""
    rows = _snapshot_comments(snapshot)
    published = {comment_id for comment_id, _campaign, _answer in rows}
    reached: dict[int, set[int]] = defaultdict(set)
    answers: dict[int, Answer] = {}
    by_campaign: dict[int, set[int]] = defaultdict(set)
    for comment_id, campaign_id, answer in rows:
        if campaign_id is not None:
            by_campaign[campaign_id].add(comment_id)
        if answer is not None:
            answers[answer.id] = answer
            reached[answer.id].add(comment_id)
    if not answers:
        return {"answers": []}
    themes = {theme_id: set(theme["comment_ids"]) & published for theme_id, theme in snapshot_themes(snapshot).items()}
    listed = [c["id"] for c in snapshot.data.get("campaigns", [])]
    campaigns = {campaign_id: by_campaign.get(campaign_id, set()) for campaign_id in listed}
    preload_units(answers.values())
    items = []
    for answer_id in sorted(answers):
        answer, ids = answers[answer_id], reached[answer_id]
        items.append(
            {
                "comment_ids": sorted(ids),
                "theme_ids": _covered(themes, ids),
                "campaign_ids": _covered(campaigns, ids),
                # When this answer was given; a comment's own answered_at is when it was first answered.
                **answer_object(Given(answer, answer.created_at)),
            }
        )
    return {"answers": items}
