"""What a comment's life puts in the index queue: nothing while it waits for moderation, itself once published."""

import uuid

from sqlalchemy import func, select

from app.comments.services import approve_comment, post_comment
from app.extensions import db
from app.search.models import SearchQueueEntry


def queued_for(comment) -> int:
    rows = select(func.count()).select_from(SearchQueueEntry).where(SearchQueueEntry.doc_id == f"comment:{comment.id}")
    return db.session.scalar(rows)


def post(article, author):
    return post_comment(
        author=author, section=article, body="Срок надо продлить.", stance="support", client_token=uuid.uuid4().hex
    ).comment


def test_a_comment_waiting_for_moderation_queues_nothing_until_it_is_published(app, article, create_user):
    app.config["PREMODERATION"] = True
    comment = post(article, create_user())
    # Not searchable yet: the index has nothing to add, nor to remove.
    assert comment.state == "pending" and queued_for(comment) == 0
    approve_comment(comment)
    assert queued_for(comment) == 1


def test_a_comment_published_at_once_is_queued_once(app, article, create_user):
    app.config["PREMODERATION"] = False
    assert queued_for(post(article, create_user())) == 1
