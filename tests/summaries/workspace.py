"""Helpers for the review and parliament tests: a commented draft with a committee, its snapshots, a submission."""

from app.extensions import db
from app.summaries.review import submit_snapshot
from app.summaries.services import create_snapshot
from tests.summaries import corpus
from tests.summaries.loading import insert_comments, make_authors


def comment_on(law, n: int = 80, seed: int = 3) -> None:
    """Approved generated comments (kk/ru/en) on the law's latest version; committed."""
    insert_comments(law, law.latest_version, list(corpus.generate(n, seed=seed)), make_authors(max(n // 2, 5)))
    db.session.commit()


def build(law, user=None):
    """A new snapshot of the law's latest version (status 'built'), built in the foreground; committed."""
    snapshot = create_snapshot(law, law.latest_version, user)
    db.session.commit()
    return snapshot


def submit(snapshot, user=None):
    """Close the consultation and submit the snapshot to the law's committee; committed."""
    law = snapshot.law
    if law.status == "open":
        law.status = "closed"
    submit_snapshot(snapshot, user)
    db.session.commit()
    return snapshot
