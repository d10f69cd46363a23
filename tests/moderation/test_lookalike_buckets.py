"""A new copy of a campaign finds it through the buckets' groups: its work does not grow with the campaign."""

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.moderation import lookalikes
from app.moderation.models import Campaign, CommentFingerprint

TEXT = (
    "Мы против продления срока аренды пастбищ крупным хозяйствам без согласия жителей аула. Просим оставить "
    "прежний порядок распределения земель и провести сход граждан перед любым решением акимата."
)
LONER = "Статью о сроках рассмотрения обращений стоит дополнить требованием отвечать на языке обращения."


def _copy(n: int) -> str:
    return f"{TEXT} Подпись {n}."


def _work_of_one_more_copy(create_comment, article, author, n: int, monkeypatch) -> tuple[int, int, int, int | None]:
    """Post one more copy; return the statements it ran, SQLite's steps, the signatures compared and its group."""
    compared, statements, steps = [], [], []
    real = lookalikes.similarity
    monkeypatch.setattr(lookalikes, "similarity", lambda a, b: compared.append(1) or real(a, b))

    def count(_conn, cursor, *_args):
        statements.append(1)
        # SQLite calls this every 100 virtual-machine steps: the work done inside the database, reads included.
        cursor.connection.set_progress_handler(lambda: steps.append(1), 100)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        comment = create_comment(article, author=author, body=_copy(n), stance="oppose", state="pending")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        db.session.connection().connection.driver_connection.set_progress_handler(None, 0)
        monkeypatch.setattr(lookalikes, "similarity", real)
    group = db.session.scalar(select(CommentFingerprint.campaign_id).where(CommentFingerprint.comment_id == comment.id))
    return len(statements), len(steps), len(compared), group


def test_a_copy_of_a_large_campaign_costs_what_a_copy_of_a_small_one_does(
    app, create_comment, article, create_user, monkeypatch
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("counts SQLite's own steps")
    app.config.update(COMMENT_RATE_PER_MINUTE=1000, COMMENT_RATE_PER_DAY=1000)
    author = create_user()
    create_comment(article, author=author, body=LONER, stance="support", state="pending")
    for n in range(12):
        create_comment(article, author=author, body=_copy(n), stance="oppose", state="pending")
    small = _work_of_one_more_copy(create_comment, article, author, 100, monkeypatch)
    for n in range(12, 120):
        create_comment(article, author=author, body=_copy(n), stance="oppose", state="pending")
    large = _work_of_one_more_copy(create_comment, article, author, 200, monkeypatch)

    campaign = db.session.scalars(select(Campaign)).one()
    assert small[3] == large[3] == campaign.id  # both copies joined the one campaign
    assert campaign.size == 122
    # Reading every copy that shares a bucket made each copy's work grow with the campaign (1,500 copies: 10 ms
    # under SQLite's write lock); through the buckets' groups it stays put, ten times the copies or not.
    assert large[0] == small[0]
    assert large[1] < 1.5 * small[1]
    assert large[2] <= small[2] <= 2 * lookalikes.SAMPLE * 16
