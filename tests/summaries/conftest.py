"""Fixtures for summaries: the demo draft (34 articles, kk/ru/en), generated consultations, plain-SQL figures."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.db import utcnow
from app.extensions import db
from app.laws.models import Section
from tests.summaries import corpus
from tests.summaries.loading import insert_comments, make_authors


@pytest.fixture
def discussion_law(create_law_from):
    """The demo draft "On public discussion of draft regulatory legal acts", open now, in kk, ru and en."""
    law = create_law_from(
        [("kk", "public-discussion.kk.txt"), ("ru", "public-discussion.ru.txt"), ("en", "public-discussion.en.txt")],
        slug="public-discussion",
    )
    law.opens_at, law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=10)
    db.session.commit()
    return law


@pytest.fixture
def consultation(discussion_law):
    """A generated consultation on the discussion draft: approved comments with topics, plus comments that must
    not count (pending, rejected, hidden, withdrawn). Returns (law, generated approved comments, their ids)."""

    def factory(n: int = 600, seed: int = 5, noise: float = 0.1):
        law, version = discussion_law, discussion_law.latest_version
        authors = make_authors(max(n // 2, 10))
        generated = list(corpus.generate(n, seed=seed, noise=noise))
        ids = insert_comments(law, version, generated, authors, seed=seed)
        for offset, state in enumerate(("pending", "rejected", "hidden", "withdrawn")):
            others = list(corpus.generate(25, seed=seed + 100 + offset))
            insert_comments(law, version, others, authors, state=state, seed=seed + offset)
        db.session.commit()
        return law, generated, ids

    return factory


def descendants(section_id: int) -> list[int]:
    """The section and everything under it, by a recursive query (not the builder's walk)."""
    rows = db.session.execute(
        text(
            "WITH RECURSIVE sub(id) AS (SELECT CAST(:sid AS INTEGER) UNION ALL "
            "SELECT s.id FROM sections s JOIN sub ON s.parent_id = sub.id) SELECT id FROM sub"
        ),
        {"sid": section_id},
    )
    return [row[0] for row in rows]


def sql_figures(version_id: int, section_id: int | None = None) -> dict:
    """Counts of approved comments on a version (or on one section with everything under it), by plain SQL."""
    where = "c.state = 'approved' AND s.version_id = :v"
    params: dict = {"v": version_id}
    if section_id is not None:
        ids = descendants(section_id)
        where += f" AND c.section_id IN ({', '.join(str(int(i)) for i in ids)})"
    query = (
        "SELECT c.stance, c.lang, c.channel, c.author_id FROM comments c JOIN sections s ON s.id = c.section_id "
        f"WHERE {where}"
    )
    rows = db.session.execute(text(query), params).all()
    return {
        "comments": len(rows),
        "authors": len({r[3] for r in rows}),
        "by_stance": Counter(r[0] for r in rows),
        "by_language": Counter(r[1] for r in rows),
        "by_channel": Counter(r[2] for r in rows),
        "own": db.session.execute(
            text("SELECT count(*) FROM comments WHERE state = 'approved' AND section_id = :sid"), {"sid": section_id}
        ).scalar()
        if section_id is not None
        else None,
    }


def sql_campaigns(version_id: int) -> dict[int, tuple[int, int]]:
    """{campaign id: (approved members on the version, distinct authors)} for campaigns of two or more, by SQL."""
    rows = db.session.execute(
        text(
            "SELECT f.campaign_id, count(*), count(DISTINCT c.author_id) FROM comments c "
            "JOIN comment_fingerprints f ON f.comment_id = c.id JOIN sections s ON s.id = c.section_id "
            "WHERE c.state = 'approved' AND s.version_id = :v AND f.campaign_id IS NOT NULL "
            "GROUP BY f.campaign_id HAVING count(*) > 1"
        ),
        {"v": version_id},
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def assert_figures_match_sql(data: dict, version_id: int) -> int:
    """Every figure of the document against plain SQL; return how many units were checked."""

    def same(figures: dict, expected: dict) -> None:
        assert figures["comments"] == expected["comments"]
        assert figures["authors"] == expected["authors"]
        for key in ("by_stance", "by_language", "by_channel"):
            assert {k: v for k, v in figures[key].items() if v} == dict(expected[key]), key

    same(data["totals"], sql_figures(version_id))
    for section in data["sections"]:
        expected = sql_figures(version_id, section["id"])
        same(section, expected)
        assert section["own_comments"] == expected["own"]
    listed = {s["id"] for s in data["sections"]}
    structural = set(
        db.session.scalars(
            select(Section.id).where(Section.version_id == version_id, Section.kind.in_(("chapter", "article")))
        )
    )
    assert structural <= listed
    expected_campaigns = sql_campaigns(version_id)
    assert {c["id"]: (c["size"], c["authors"]) for c in data["campaigns"]} == expected_campaigns
    return len(data["sections"])
