"""The drafting agency's answering pages: the list to answer with the days left, one comment, a selection, a theme,
a campaign, corrections; and who may use them."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.answers import services
from app.answers.models import Answer, AnswerLink, AnswerRevision
from app.db import utcnow
from app.extensions import db
from app.moderation.models import Campaign
from app.notifications.models import Notification
from app.summaries.models import SummarySnapshot
from tests.summaries.corpus import GeneratedComment
from tests.summaries.loading import insert_comments, make_authors


@pytest.fixture
def editor(create_user, open_law, auth):
    """An editor of the open draft's agency, logged in."""
    user = create_user("editor", agency=open_law.agency)
    auth.login(user)
    return user


def page(law, path: str = "", lang: str = "en") -> str:
    return f"/{lang}/answers/{law.slug}/{path}"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def html_of(response) -> str:
    return response.get_data(as_text=True)


def test_an_editor_answers_one_comment_and_the_workspace_lists_it_as_answered(
    client, open_law, article, editor, create_comment
):
    comment = create_comment(
        article, body="Сократите срок вывоза до трёх дней.", stance="amend", proposed_wording="Три дня."
    )
    html = html_of(client.get(page(open_law, f"comments/{comment.id}")))
    assert "Сократите срок вывоза до трёх дней." in html and "Три дня." in html and "Answer this comment" in html

    response = client.post(
        page(open_law, f"comments/{comment.id}"),
        data={"decision": "accepted", "reasoning_ru": "Учтём в следующей редакции."},
        follow_redirects=True,
    )
    html = html_of(response)
    assert "Answer given to 1 comment." in html and "Correct the answer" in html and "Учтём в следующей" in html

    workspace = html_of(client.get(page(open_law)))
    assert "Every published comment is answered." in workspace
    assert "<dt>Answered</dt><dd>1</dd>" in workspace and "<dt>Unanswered</dt><dd>0</dd>" in workspace
    answered = html_of(client.get(page(open_law) + "?show=answered"))
    assert "Сократите срок вывоза" in answered and "Accepted" in answered
    assert f"comments/{comment.id}" in answered


@pytest.mark.parametrize("decision", ["rejected", "partly_accepted"])
def test_a_refusal_without_reasoning_is_refused_with_the_message_and_no_answer(
    client, open_law, article, editor, create_comment, decision
):
    comment = create_comment(article)
    response = client.post(page(open_law, f"comments/{comment.id}"), data={"decision": decision, "reasoning_kk": "   "})
    assert response.status_code == 200
    assert "needs the reasoning" in html_of(response)
    assert count(Answer) == 0 and count(AnswerLink) == 0


def test_a_missing_decision_is_refused_with_a_message(client, open_law, article, editor, create_comment):
    comment = create_comment(article)
    response = client.post(page(open_law, f"comments/{comment.id}"), data={"reasoning_ru": "Без решения."})
    assert "Choose a decision." in html_of(response)
    # What was typed is shown again, not lost.
    assert "Без решения." in html_of(response)
    assert count(Answer) == 0


@pytest.fixture
def other_draft(create_law_from, create_agency):
    """A public draft of another agency, open for comments."""
    law = create_law_from([("ru", "air-quality.ru.txt")], slug="air-quality", agency=create_agency())
    law.opens_at, law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=10)
    db.session.commit()
    return law


def _routes(law, comment_id: int, campaign_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", page(law)),
        ("GET", page(law, "groups")),
        ("GET", page(law, f"comments/{comment_id}")),
        ("POST", page(law, f"comments/{comment_id}")),
        ("POST", page(law, "selection")),
        ("POST", page(law, "themes/s1-t1")),
        ("POST", page(law, f"campaigns/{campaign_id}")),
    ]


@pytest.fixture
def routes(open_law, article, create_comment):
    comment = create_comment(article)
    campaign = Campaign(law_id=open_law.id, kind="campaign", size=2)
    db.session.add(campaign)
    db.session.commit()
    return _routes(open_law, comment.id, campaign.id)


POSTED = {"decision": "accepted", "comment_ids": "1", "snapshot": "1"}


def _ask(client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post(url, data=POSTED)


def test_an_editor_of_another_agency_gets_403_on_every_page_and_post(client, auth, create_user, other_draft, routes):
    auth.login(create_user("editor", agency=other_draft.agency))
    assert [(method, url, _ask(client, method, url).status_code) for method, url in routes] == [
        (method, url, 403) for method, url in routes
    ]
    assert count(Answer) == 0


@pytest.mark.parametrize("role", ["moderator", "mp", "citizen"])
def test_moderators_mps_and_citizens_get_403(client, auth, create_user, create_committee, routes, role):
    extra = {"committee": create_committee()} if role == "mp" else {}
    auth.login(create_user(role, **extra))
    assert {_ask(client, method, url).status_code for method, url in routes} == {403}


def test_anonymous_visitors_are_sent_to_log_in(client, routes):
    for method, url in routes:
        response = _ask(client, method, url)
        assert response.status_code == 302 and "/auth/login" in response.location


def test_a_draft_in_preparation_is_not_answered_and_its_page_has_no_link(
    client, auth, create_user, create_law_from, create_agency
):
    agency = create_agency()
    draft = create_law_from([("ru", "air-quality.ru.txt")], status="draft", agency=agency, slug="air-draft")
    auth.login(create_user("editor", agency=agency))
    assert client.get(page(draft)).status_code == 403
    assert client.post(page(draft, "selection"), data=POSTED).status_code == 403
    assert "Answers to comments" not in html_of(client.get(f"/en/editor/laws/{draft.slug}/"))


def test_the_manage_page_of_a_public_draft_links_to_the_answers(client, open_law, editor):
    html = html_of(client.get(f"/en/editor/laws/{open_law.slug}/"))
    assert f'href="/en/answers/{open_law.slug}/"' in html and "Answers to comments" in html


def test_a_comment_that_is_not_a_published_comment_of_the_draft_is_404(
    client, open_law, article, editor, create_comment, other_draft
):
    pending = create_comment(article, state="pending")
    elsewhere = create_comment(next(s for s in other_draft.latest_version.sections if s.kind == "article"))
    assert client.get(page(open_law, f"comments/{pending.id}")).status_code == 404
    assert client.get(page(open_law, f"comments/{elsewhere.id}")).status_code == 404
    assert client.get(page(open_law, "comments/999999")).status_code == 404


def test_the_workspace_lists_unanswered_comments_oldest_first_with_the_days_left(
    client, open_law, article, editor, create_comment
):
    now = utcnow()
    newest = create_comment(article, body="Самый новый отзыв.")
    oldest = create_comment(article, body="Самый старый отзыв.")
    middle = create_comment(article, body="Письмо из середины.")
    # When the comment reached the agency counts: a letter typed in today was received days ago.
    oldest.received_at = now - timedelta(days=5)
    middle.received_at = now - timedelta(days=3)
    open_law.opens_at = now - timedelta(days=20)
    open_law.closes_at = now  # due ANSWER_WORKING_DAYS working days after today, so exactly that many are left
    db.session.commit()

    html = html_of(client.get(page(open_law)))
    positions = [html.index(text) for text in ("Самый старый", "Письмо из середины", "Самый новый")]
    assert positions == sorted(positions)
    assert "10 working days left." in html
    assert "10 working days after the consultation closes" in html
    assert re.search(r"<dt>Published comments</dt><dd>3</dd>", html)
    assert re.search(r"<dt>Unanswered</dt><dd>3</dd>", html)
    assert newest.id and 'name="comment_ids"' in html


def test_the_workspace_says_when_answers_are_overdue_or_have_no_due_day(
    client, open_law, article, editor, create_comment
):
    create_comment(article)
    open_law.opens_at, open_law.closes_at = utcnow() - timedelta(days=90), utcnow() - timedelta(days=60)
    db.session.commit()
    assert re.search(r"Overdue by \d+ working days\.", html_of(client.get(page(open_law))))
    open_law.closes_at = None
    db.session.commit()
    assert "The consultation has no closing date" in html_of(client.get(page(open_law)))


def test_the_workspace_pages_through_the_comments(client, app, open_law, article, editor, create_comment):
    app.config["ANSWERS_PER_PAGE"] = 2
    for n in range(3):
        create_comment(article, body=f"Отзыв номер {n}.")
    first, second = html_of(client.get(page(open_law))), html_of(client.get(page(open_law) + "?page=2"))
    assert "Отзыв номер 0." in first and "Отзыв номер 2." not in first
    assert "Отзыв номер 2." in second and "Отзыв номер 0." not in second


def test_a_selection_of_three_answers_the_three(client, open_law, article, editor, create_comment):
    chosen = [create_comment(article, body=f"Выбранный {n}.") for n in range(3)]
    left = create_comment(article, body="Оставленный.")
    response = client.post(
        page(open_law, "selection"),
        data={"comment_ids": [str(c.id) for c in chosen], "decision": "not_applicable"},
        follow_redirects=True,
    )
    html = html_of(response)
    assert "Answer given to 3 comments." in html and "Оставленный." in html and "Выбранный" not in html
    given = services.answers_for([c.id for c in [*chosen, left]])
    assert set(given) == {c.id for c in chosen} and len({g.answer.id for g in given.values()}) == 1
    assert next(iter(given.values())).answer.scope == "selection"


def test_a_selection_with_a_comment_of_another_draft_is_refused_and_writes_nothing(
    client, open_law, article, editor, create_comment, other_draft
):
    mine = create_comment(article)
    theirs = create_comment(next(s for s in other_draft.latest_version.sections if s.kind == "article"))
    response = client.post(
        page(open_law, "selection"),
        data={"comment_ids": [str(mine.id), str(theirs.id)], "decision": "accepted"},
        follow_redirects=True,
    )
    assert f"Comment {theirs.id} is not on this draft." in html_of(response)
    assert count(Answer) == 0 and count(AnswerLink) == 0 and count(Notification, Notification.kind == "answered") == 0


@pytest.mark.parametrize(
    ("ids", "message"),
    [([], "Choose at least one comment to answer."), (["12x"], "The selection is not valid")],
)
def test_an_empty_or_forged_selection_is_refused(client, open_law, editor, ids, message):
    response = client.post(
        page(open_law, "selection"), data={"comment_ids": ids, "decision": "accepted"}, follow_redirects=True
    )
    assert message in html_of(response)
    assert count(Answer) == 0


def test_a_correction_keeps_what_the_answer_said_and_the_page_says_corrected_on(
    client, open_law, article, editor, create_comment
):
    comments = [create_comment(article, body=f"Отзыв {n}.") for n in range(2)]
    services.answer_comments(
        open_law, comments, user=editor, decision="accepted", reasoning={"ru": "Примем."}, scope="selection"
    )
    db.session.commit()
    url = page(open_law, f"comments/{comments[0].id}")
    before = html_of(client.get(url))
    assert "This answer covers 2 comments; a correction changes it for all of them." in before
    assert 'value="accepted" required checked' in before and "Примем." in before  # the form starts from the answer
    assert "corrected on" not in before

    html = html_of(
        client.post(
            url, data={"decision": "rejected", "reasoning_ru": "Срок установлен законом."}, follow_redirects=True
        )
    )
    assert "The answer is corrected" in html and "corrected on" in html
    assert "What the answer said before" in html and "Примем." in html and "Срок установлен законом." in html
    revision = db.session.scalar(select(AnswerRevision))
    assert revision.decision == "accepted" and revision.reasoning_ru == "Примем."
    # The other comment of the group has the corrected answer too.
    assert services.answers_for([comments[1].id])[comments[1].id].answer.decision == "rejected"


def test_posting_the_same_answer_again_changes_nothing(client, open_law, article, editor, create_comment):
    comment = create_comment(article)
    url = page(open_law, f"comments/{comment.id}")
    client.post(url, data={"decision": "accepted"})
    html = html_of(client.post(url, data={"decision": "accepted"}, follow_redirects=True))
    assert "Nothing changed" in html and count(AnswerRevision) == 0


def _snapshot(law, comment_ids: list[int]) -> SummarySnapshot:
    theme = {
        "id": "s1-t1",
        "label": "срок вывоза",
        "size": len(comment_ids),
        "by_stance": {"support": len(comment_ids), "oppose": 0, "neutral": 0, "amend": 0},
        "lang": "ru",
        "comment_ids": comment_ids,
    }
    section = {"id": 1, "kind": "article", "number": "10", "title": "Обязанности операторов", "themes": [theme]}
    snapshot = SummarySnapshot(law_id=law.id, version_id=law.latest_version.id, number=1, data={"sections": [section]})
    db.session.add(snapshot)
    db.session.commit()
    return snapshot


def test_a_theme_of_the_latest_summary_is_answered_with_one_form(client, open_law, article, editor, create_comment):
    assert "Build a summary first: its themes are answered here." in html_of(client.get(page(open_law, "groups")))
    comments = [create_comment(article, body=f"О сроке {n}.") for n in range(2)]
    outside = create_comment(article, body="Вне темы.")
    snapshot = _snapshot(open_law, [c.id for c in comments])
    html = html_of(client.get(page(open_law, "groups")))
    assert "срок вывоза" in html and "Article 10" in html and "0 of 2 answered" in html

    response = client.post(
        page(open_law, "themes/s1-t1"),
        data={"decision": "partly_accepted", "reasoning_kk": "Ішінара ескерілді.", "snapshot": "1"},
        follow_redirects=True,
    )
    assert "Answer given to 2 comments." in html_of(response) and "2 of 2 answered" in html_of(response)
    answer = db.session.scalar(select(Answer))
    assert (answer.scope, answer.scope_ref, answer.snapshot_id) == ("theme", "s1-t1", snapshot.id)
    assert set(services.answers_for([c.id for c in [*comments, outside]])) == {c.id for c in comments}


def test_an_unknown_theme_or_summary_is_refused(client, open_law, article, editor, create_comment):
    _snapshot(open_law, [create_comment(article).id])
    html = html_of(client.post(page(open_law, "themes/s9-t9"), data={"decision": "accepted"}, follow_redirects=True))
    assert "has no theme s9-t9" in html
    html = html_of(
        client.post(
            page(open_law, "themes/s1-t1"), data={"decision": "accepted", "snapshot": "7"}, follow_redirects=True
        )
    )
    assert "This summary no longer exists" in html
    assert count(Answer) == 0


def test_a_campaign_of_300_is_answered_with_one_post_and_each_author_is_told_once(client, open_law, editor):
    campaign = Campaign(law_id=open_law.id, kind="campaign", size=300)
    db.session.add(campaign)
    db.session.flush()
    authors = make_authors(300, external_share=0)
    text = GeneratedComment("campaign", "10", "ru", "oppose", "Против переноса сроков вывоза отходов.")
    ids = insert_comments(
        open_law, open_law.latest_version, [text] * 300, authors, distinct_authors=True,
        campaign_of=dict.fromkeys(range(300), campaign.id),
    )  # fmt: skip
    db.session.commit()

    html = html_of(client.get(page(open_law, "groups")))
    assert "One text ×300" in html and "300 distinct authors" in html and "0 of 300 answered" in html

    response = client.post(
        page(open_law, f"campaigns/{campaign.id}"),
        data={"decision": "rejected", "reasoning_ru": "Сроки установлены законом."},
        follow_redirects=True,
    )
    assert "Answer given to 300 comments." in html_of(response) and "300 of 300 answered" in html_of(response)
    assert count(Answer) == 1
    answer = db.session.scalar(select(Answer))
    assert (answer.scope, answer.scope_ref) == ("campaign", str(campaign.id))
    links = db.session.scalars(select(AnswerLink)).all()
    assert sorted(link.comment_id for link in links) == sorted(ids) and {link.answer_id for link in links} == {
        answer.id
    }
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "answered")).all()
    assert sorted(told) == sorted(authors)


def test_a_similar_group_is_not_listed_nor_answered_as_a_campaign(client, open_law, article, editor, create_comment):
    similar = Campaign(law_id=open_law.id, kind="similar", size=2)
    db.session.add(similar)
    db.session.commit()
    assert "This draft has no campaign with published comments." in html_of(client.get(page(open_law, "groups")))
    html = html_of(
        client.post(page(open_law, f"campaigns/{similar.id}"), data={"decision": "accepted"}, follow_redirects=True)
    )
    assert f"This draft has no campaign no. {similar.id}." in html and count(Answer) == 0


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_pages_render_in_kazakh_and_russian(client, open_law, article, editor, create_comment, lang):
    comment = create_comment(article)
    services.answer_comments(open_law, [comment], user=editor, decision="rejected", reasoning={"kk": "Себебі бар."})
    db.session.commit()
    _snapshot(open_law, [comment.id])
    for path in ("", "?show=answered", "groups", f"comments/{comment.id}"):
        response = client.get(page(open_law, path, lang=lang))
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in html_of(response)
