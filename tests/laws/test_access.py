"""Who sees a draft: the SQL condition and the model predicate give the same answer for every user and status."""

from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.laws.access import PUBLIC_STATUSES, public_laws_condition, visible_laws_condition
from app.laws.models import STATUS_VALUES, Law


def test_visible_laws_condition_agrees_with_is_visible_to(create_agency, create_user):
    own, other = create_agency(), create_agency()
    for agency in (own, other):
        for status in STATUS_VALUES:
            db.session.add(Law(slug=f"{agency.slug}-{status}", agency=agency, status=status))
    db.session.commit()
    laws = db.session.scalars(select(Law)).all()
    users = {
        "anonymous": AnonymousUserMixin(),
        "citizen": create_user(),
        "moderator": create_user(role="moderator"),
        "editor": create_user(role="editor", agency=own),
        "suspended editor": create_user(role="editor", agency=own, suspended_at=utcnow(), suspension_reason="x"),
        "admin": create_user(role="admin"),
        "suspended admin": create_user(role="admin", suspended_at=utcnow(), suspension_reason="x"),
    }
    public = {law.slug for law in laws if law.status != "draft"}
    expected_drafts = {"editor": {f"{own.slug}-draft"}, "admin": {f"{own.slug}-draft", f"{other.slug}-draft"}}
    for name, user in users.items():
        in_sql = set(db.session.scalars(select(Law.slug).where(visible_laws_condition(user))))
        in_python = {law.slug for law in laws if law.is_visible_to(user)}
        assert in_sql == in_python == public | expected_drafts.get(name, set()), name


def test_public_means_everything_but_drafts(create_agency):
    agency = create_agency()
    for status in STATUS_VALUES:
        db.session.add(Law(slug=f"law-{status}", agency=agency, status=status))
    db.session.commit()
    shown = db.session.scalars(select(Law.status).where(public_laws_condition())).all()
    assert sorted(shown) == sorted(PUBLIC_STATUSES) == sorted(set(STATUS_VALUES) - {"draft"})
