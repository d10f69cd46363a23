"""The drafting agency's side: build from the draft's page, follow the progress, edit the prose, submit it."""

import hashlib
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.laws.services import LawError, change_status
from app.mail import outbox
from app.notifications.models import Notification
from app.summaries import jobs
from app.summaries.forms import edit_field_name
from app.summaries.models import SummaryBuild, SummarySnapshot
from app.summaries.review import content_hash, edit_snapshot, editable_parts, hash_matches, submit_snapshot
from app.summaries.services import SummaryError
from tests.summaries.workspace import build, comment_on, submit


@pytest.fixture
def w(discussion_law, create_committee, create_user, auth):
    """The discussion draft with a committee and comments, its agency's editor (logged in) and two MPs."""
    committee = create_committee()
    law = discussion_law
    law.committee = committee
    db.session.commit()
    comment_on(law)
    editor = create_user(role="editor", agency_id=law.agency_id)
    auth.login(editor)
    return SimpleNamespace(
        law=law,
        committee=committee,
        editor=editor,
        mp_ru=create_user(role="mp", committee_id=committee.id, locale="ru"),
        mp_kk=create_user(role="mp", committee_id=committee.id, locale="kk"),
        other_mp=create_user(role="mp", committee_id=create_committee().id),
    )


def review_url(law, number: int) -> str:
    return f"/en/summaries/laws/{law.slug}/{number}/"


def test_the_draft_page_starts_a_build_whose_progress_page_lands_on_the_snapshot(client, w):
    page = client.get(f"/en/editor/laws/{w.law.slug}/").get_data(as_text=True)
    assert "Summaries" in page and "Build a new summary" in page and "No summaries of this draft yet." in page

    response = client.post(f"/en/summaries/laws/{w.law.slug}/builds")
    assert response.status_code == 302
    build_id = int(response.location.split("/builds/")[1].split("/")[0])
    assert response.location.endswith(f"/en/summaries/builds/{build_id}/progress")
    # Nothing of the test's own holds the write lock the build needs (see tests/browser/conftest.py).
    assert jobs.wait(build_id, timeout=60)

    response = client.get(f"/en/summaries/builds/{build_id}/progress")
    assert response.status_code == 302 and response.location.endswith(review_url(w.law, 1))
    html = client.get(response.location).get_data(as_text=True)
    assert 'class="chart heatmap"' in html and "Not sent yet" in html
    assert "Summary no. 1" in client.get(f"/en/editor/laws/{w.law.slug}/").get_data(as_text=True)


def test_the_progress_page_polls_with_a_script_and_reloads_itself_without_one(client, w):
    build_id = jobs.request_build(w.law, w.law.latest_version, w.editor, start=False).id
    db.session.commit()
    html = client.get(f"/en/summaries/builds/{build_id}/progress").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert 'src="/static/js/summary-build.js"' in html
    assert f'data-status-url="/en/summaries/builds/{build_id}"' in html
    assert "<progress" in html and "Waiting to start" in html
    assert "<script>" not in html and "style=" not in html


def test_a_second_build_while_one_runs_follows_the_running_one(client, w):
    running = jobs.request_build(w.law, w.law.latest_version, w.editor, start=False)
    db.session.commit()
    response = client.post(f"/en/summaries/laws/{w.law.slug}/builds")
    assert response.location.endswith(f"/builds/{running.id}/progress")
    assert db.session.scalar(select(func.count()).select_from(SummaryBuild)) == 1


def test_the_editor_edits_prose_never_figures_and_readers_see_what_was_edited(client, w):
    snapshot = build(w.law, w.editor)
    data_before = json.dumps(snapshot.data, sort_keys=True)
    part = editable_parts(snapshot.data)[0]
    html = client.get(review_url(w.law, 1)).get_data(as_text=True)
    assert f'name="{edit_field_name(part.key)}"' in html
    assert 'name="totals' not in html and 'name="comments' not in html  # no figure is a field

    response = client.post(
        review_url(w.law, 1),
        data={
            "introduction": "Мы получили много откликов.",
            edit_field_name(part.key): "Авторы просят продлить сроки обсуждения.",
            # Figures are not fields: whatever is posted under their names is ignored.
            "totals": "{}",
            "comments": "0",
            f"edit-{part.section['id']}-comments": "0",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    snapshot = db.session.get(SummarySnapshot, snapshot.id)
    assert json.dumps(snapshot.data, sort_keys=True) == data_before
    assert snapshot.introduction == "Мы получили много откликов."
    assert snapshot.edits == {part.key: "Авторы просят продлить сроки обсуждения."}

    submit(snapshot, w.editor)
    html = client.get(review_url(w.law, 1)).get_data(as_text=True)
    assert "Edited by the drafting agency" in html
    assert "Авторы просят продлить сроки обсуждения." in html
    assert "Show the computed sentences" in html and part.original.split("\n")[0] in html


def test_an_empty_or_unchanged_text_keeps_the_computed_sentences(w):
    snapshot = build(w.law)
    first, second = editable_parts(snapshot.data)[:2]
    edit_snapshot(snapshot, introduction="", texts={first.key: "Своими словами.", second.key: second.original})
    assert snapshot.edits == {first.key: "Своими словами."} and snapshot.introduction is None
    edit_snapshot(snapshot, introduction=None, texts={first.key: "  "})
    assert snapshot.edits == {}
    edit_snapshot(snapshot, introduction=None, texts={"999999/summary/kk": "Чужой ключ", "1/comments": "0"})
    assert snapshot.edits == {}


def test_too_long_texts_are_refused(w):
    snapshot = build(w.law)
    part = editable_parts(snapshot.data)[0]
    with pytest.raises(SummaryError):
        edit_snapshot(snapshot, introduction=None, texts={part.key: "слово " * 2000})
    with pytest.raises(SummaryError):
        edit_snapshot(snapshot, introduction="а" * 20_001, texts={})


def test_submission_needs_a_committee_and_a_closed_consultation(client, w):
    snapshot = build(w.law)
    url = f"/en/summaries/laws/{w.law.slug}/1/submit"
    html = client.post(url, data={"confirm": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "only after the consultation has closed" in html
    assert client.get(review_url(w.law, 1)).get_data(as_text=True).count("only after the consultation has closed")

    w.law.status, w.law.committee = "closed", None
    db.session.commit()
    html = client.post(url, data={"confirm": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "Choose the responsible committee of the draft first" in html

    w.law.committee = w.committee
    db.session.commit()
    html = client.post(url, data={}, follow_redirects=True).get_data(as_text=True)
    assert "Confirm that you have reviewed the summary." in html
    db.session.expire_all()
    assert db.session.get(SummarySnapshot, snapshot.id).status == "built"
    assert w.law.status == "closed"


def test_submitting_freezes_hashes_sends_the_draft_and_notifies_the_committee(client, w):
    snapshot = build(w.law)
    edit_snapshot(snapshot, introduction="Введение", texts={})
    w.law.status = "closed"
    db.session.commit()
    outbox().clear()

    response = client.post(f"/en/summaries/laws/{w.law.slug}/1/submit", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    snapshot = db.session.get(SummarySnapshot, snapshot.id)
    assert snapshot.status == "submitted" and snapshot.data["status"] == "submitted"
    assert snapshot.submitted_at and snapshot.submitted_by_id == w.editor.id
    assert snapshot.committee_id == w.committee.id
    canonical = json.dumps(
        {"data": snapshot.data, "introduction": "Введение", "edits": {}},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    assert snapshot.content_hash == hashlib.sha256(canonical).hexdigest() and hash_matches(snapshot)
    assert w.law.status == "summary_sent"

    notified = db.session.scalars(select(Notification).where(Notification.kind == "summary_submitted")).all()
    assert {n.user_id for n in notified} == {w.mp_ru.id, w.mp_kk.id}  # not the MP of another committee
    assert all(n.snapshot_id == snapshot.id for n in notified)
    mails = {m.to: m for m in outbox()}
    assert set(mails) == {w.mp_ru.email, w.mp_kk.email}
    assert f"/ru/parliament/laws/{w.law.slug}/summaries/1/" in mails[w.mp_ru.email].body
    assert f"/kk/parliament/laws/{w.law.slug}/summaries/1/" in mails[w.mp_kk.email].body

    html = client.get(review_url(w.law, 1)).get_data(as_text=True)
    assert snapshot.content_hash in html and "can no longer be changed" in html and "<textarea" not in html


def test_a_later_build_is_a_new_snapshot_and_may_be_sent_too(w):
    first = submit(build(w.law))
    frozen = (json.dumps(first.data, sort_keys=True), first.content_hash)
    second = build(w.law)
    assert (first.number, second.number) == (1, 2) and second.status == "built"
    submit(second)
    db.session.expire_all()
    assert (json.dumps(first.data, sort_keys=True), first.content_hash) == frozen
    assert w.law.status == "summary_sent" and second.status == "submitted"


def test_summary_sent_is_never_set_directly(client, w):
    w.law.status = "closed"
    db.session.commit()
    with pytest.raises(LawError):
        change_status(w.law, "summary_sent")
    db.session.rollback()
    html = client.get(f"/en/editor/laws/{w.law.slug}/").get_data(as_text=True)
    assert 'value="summary_sent"' not in html
    html = client.post(f"/en/editor/laws/{w.law.slug}/status", data={"status": "summary_sent"}, follow_redirects=True)
    assert "by submitting its summary" in html.get_data(as_text=True)
    db.session.expire_all()
    assert w.law.status == "closed"


def test_summary_pages_are_for_the_drafting_agency(client, w, create_user, create_agency, auth):
    build(w.law)
    build_id = jobs.request_build(w.law, w.law.latest_version, None, start=False).id
    db.session.commit()
    urls = [
        review_url(w.law, 1),
        f"/en/summaries/laws/{w.law.slug}/",
        f"/en/summaries/builds/{build_id}/progress",
    ]
    auth.logout()
    auth.login(create_user(role="editor", agency_id=create_agency().id))
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    auth.logout()
    auth.login(w.mp_ru)
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    assert client.get(f"/en/summaries/laws/{w.law.slug}/9/").status_code == 403  # not their draft at all


def test_content_hash_depends_on_every_part():
    data = {"a": 1, "b": ["қ", "ы"]}
    base = content_hash(data, "intro", {"1/summary/kk": "x"})
    assert base == content_hash({"b": ["қ", "ы"], "a": 1}, "intro", {"1/summary/kk": "x"})  # key order is no matter
    assert base != content_hash(data, "intro ", {"1/summary/kk": "x"})
    assert base != content_hash(data, "intro", {"1/summary/kk": "y"})
    assert base != content_hash({**data, "a": 2}, "intro", {"1/summary/kk": "x"})


def test_submit_refuses_what_cannot_be_sent(w):
    snapshot = build(w.law)
    with pytest.raises(SummaryError):
        submit_snapshot(snapshot, None)  # still open
