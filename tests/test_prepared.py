"""app.db.Prepared: a statement compiled once per dialect gives what SQLAlchemy's own execution gives."""

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, event, func, insert, select, update

from app.comments.models import Comment
from app.db import Prepared, read, utcnow, write
from app.extensions import db
from app.moderation.models import CommentScreening

RECENT = select(func.count(Comment.id), func.max(Comment.id)).where(
    Comment.author_id == bindparam("author_id"), Comment.created_at > bindparam("since")
)


def test_a_prepared_read_converts_its_parameters_as_core_does(create_comment, article):
    older = create_comment(article, body="Бірінші пікір: мерзімді ұзарту керек.")
    newer = create_comment(article, body="Екінші пікір: мерзімді ұзарту керек.", author=older.author)
    older.created_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    prepared = Prepared(RECENT)
    for since, expected in (
        (utcnow() - timedelta(hours=1), (1, newer.id)),
        (utcnow() - timedelta(days=1), (2, newer.id)),
    ):
        # A timezone-aware datetime goes through UTCDateTime as the column stores it: the same rows as Core's.
        params = {"author_id": older.author_id, "since": since}
        assert tuple(read(prepared, params).one()) == expected == tuple(db.session.execute(RECENT, params).one())
    assert tuple(read(prepared, {"author_id": older.author_id + 1000, "since": utcnow()}).one()) == (0, None)


def test_constants_of_the_statement_are_kept_and_a_missing_parameter_is_an_error(create_comment, article):
    comment = create_comment(article, body="Тұрақты мәндер сұрауда қалады: бап пен тармақ.")
    db.session.commit()
    # The 0 of "depth == 0" and the LIMIT are the statement's own values, not parameters.
    prepared = Prepared(
        select(Comment.id).where(Comment.depth == 0, Comment.author_id == bindparam("author_id")).limit(1)
    )
    assert read(prepared, {"author_id": comment.author_id}).scalar() == comment.id
    with pytest.raises(KeyError):
        read(prepared, {})


def test_a_list_of_values_is_refused_when_compiled(app):
    prepared = Prepared(select(Comment.id).where(Comment.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="list of values"):
        read(prepared, {"ids": [1, 2]})


def test_a_prepared_insert_writes_every_row_and_statement_events_still_fire(create_comment, article):
    comments = [create_comment(article, body=f"Скрининг жолы {n}: мерзімді ұзарту керек.") for n in range(3)]
    db.session.commit()
    columns = ["comment_id", "links", "profanity", "words", "iin", "phone", "email", "hints"]
    prepared = Prepared(insert(CommentScreening.__table__), columns=columns)
    rows = [
        {"comment_id": c.id, "links": n, "profanity": n == 1, "words": None, "iin": False, "phone": True,
         "email": False, "hints": "phone"}
        for n, c in enumerate(comments)
    ]  # fmt: skip
    db.session.execute(CommentScreening.__table__.delete())
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        write(prepared, rows)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    db.session.commit()
    assert len(seen) == 1 and seen[0].startswith("INSERT INTO comment_screenings")
    stored = db.session.scalars(select(CommentScreening).order_by(CommentScreening.comment_id)).all()
    assert [(s.comment_id, s.links, s.profanity, s.phone, s.hints) for s in stored] == [
        (c.id, n, n == 1, True, "phone") for n, c in enumerate(comments)
    ]


def test_a_prepared_statement_is_compiled_once_per_dialect(create_comment, article):
    comment = create_comment(article, body="Бір рет құрастырылған сұрау екі рет орындалады.")
    db.session.commit()
    prepared = Prepared(RECENT)
    params = {"author_id": comment.author_id, "since": utcnow() - timedelta(days=1)}
    read(prepared, params).one()
    (plan,) = prepared._plans.values()
    read(prepared, params).one()
    assert list(prepared._plans.values()) == [plan]


def test_a_column_default_the_statement_would_leave_out_is_refused(app):
    # comments.updated_at has an onupdate: SQLAlchemy works it out per execution, which a prepared UPDATE skips.
    prepared = Prepared(update(Comment).where(Comment.id == bindparam("id")).values(body_html=bindparam("html")))
    with pytest.raises(ValueError, match="every column that has a default"):
        write(prepared, {"id": 1, "html": "<p>x</p>"})


def test_a_named_parameter_is_always_given_even_one_built_with_a_value(create_comment, article):
    comment = create_comment(article, body="Атаулы параметр әр жолы беріледі: бап пен тармақ.")
    db.session.commit()
    prepared = Prepared(select(Comment.id).where(Comment.id == bindparam("id", value=-1)))
    assert read(prepared, {"id": comment.id}).scalar() == comment.id
    with pytest.raises(KeyError):
        read(prepared, {})


def test_an_insert_of_a_table_whose_default_only_the_database_knows_is_refused():
    """insert_new works defaults out in Python, as a flush would: a server-only default would be stored as NULL."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, text

    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("kind", String, server_default="x"))
    with pytest.raises(ValueError, match="t.kind"):
        Prepared.insert_into(table)
    table = Table("u", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer, default=text("1")))
    with pytest.raises(ValueError, match="u.n"):
        Prepared.insert_into(table)
    plain = Prepared.insert_into(Table("v", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer)))
    assert plain.columns == ["n"]
