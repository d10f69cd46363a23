"""The trace pages: an editor links an accepted answer to the unit of the next version that changed because of it."""

import pytest
from sqlalchemy import func, select

from app.answers import services
from app.answers.models import Answer, AnswerRevision
from app.extensions import db
from app.notifications.models import Notification


@pytest.fixture
def editor(create_user, open_law):
    return create_user("editor", agency=open_law.agency)


@pytest.fixture
def v1(open_law):
    return {s.key: s for s in open_law.versions[0].sections}


@pytest.fixture
def v2(open_law):
    return {s.key: s for s in open_law.versions[1].sections}


@pytest.fixture
def comment(create_comment, v1):
    """A comment on point 2 of article 11 of version 1: version 2 made it point 2 of article 10 and changed it."""
    return create_comment(v1["article:11/point:2"], body="Тридцать дней на жалобу слишком долго.", stance="oppose")


@pytest.fixture
def accepted(open_law, editor, comment):
    answer = services.answer_comments(
        open_law, [comment], user=editor, decision="accepted", reasoning={"ru": "Срок сокращён до пятнадцати дней."}
    )
    db.session.commit()
    return answer


def _url(lang: str, answer: Answer | None = None) -> str:
    base = f"/{lang}/answers/household-waste/trace"
    return f"{base}/{answer.id}" if answer else base


def _answered(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.kind == "answered")
    )


def test_the_trace_page_lists_an_accepted_answer_as_not_linked_yet(client, auth, editor, accepted, comment):
    auth.login(editor)
    page = client.get(_url("en")).get_data(as_text=True)
    assert "Not linked yet" in page and "Not linked to a change yet" in page
    assert "Срок сокращён до пятнадцати дней." in page and "1 comment" in page
    assert f"/en/answers/household-waste/comments/{comment.id}" in page
    assert _url("en", accepted) in page


def test_a_rejected_answer_is_not_listed_and_an_empty_draft_says_so(client, auth, editor, open_law, create_comment, v1):
    services.answer_comments(
        open_law, [create_comment(v1["article:6"])], user=editor, decision="rejected", reasoning={"ru": "Нет."}
    )
    db.session.commit()
    auth.login(editor)
    page = client.get(_url("en")).get_data(as_text=True)
    assert "This draft has no accepted or partly accepted answer yet." in page
    assert "Нет." not in page


def test_a_draft_with_one_version_asks_for_the_next_version(client, auth, create_law_from, create_user):
    law = create_law_from([("ru", "waste.v1.ru.txt")], slug="household-waste")
    auth.login(create_user("editor", agency=law.agency))
    page = client.get(_url("en")).get_data(as_text=True)
    assert "Publish the next version of the draft first" in page


def test_the_answer_page_offers_the_changed_units_with_their_diff_the_commented_one_first(
    client, auth, editor, accepted, v2
):
    auth.login(editor, lang="ru")
    response = client.get(_url("ru", accepted))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Тридцать дней на жалобу слишком долго." in page
    assert "<del>тридцати</del><ins>пятнадцати</ins>" in page
    assert "Статья 10, пункт 2" in page
    point, article_6 = v2["article:10/point:2"], v2["article:6"]
    assert f'value="{point.id}"' in page and f'value="{article_6.id}"' in page
    assert page.index(f'value="{point.id}"') < page.index(f'value="{article_6.id}"')
    # Units that did not change are not offered.
    assert f'value="{v2["article:9"].id}"' not in page


def test_linking_the_answer_records_the_change_and_tells_the_author(client, auth, editor, accepted, comment, v2):
    point = v2["article:10/point:2"]
    auth.login(editor)
    before = _answered(comment.author)
    response = client.post(_url("en", accepted), data={"section_id": point.id, "link": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(_url("en"))
    page = client.get(_url("en")).get_data(as_text=True)
    assert "The answer is linked to the change in version 2: Article 10, point 2." in page
    assert "Changed in version 2: Article 10, point 2" in page
    db.session.expire_all()
    answer = db.session.get(Answer, accepted.id)
    assert answer.changed_section_id == point.id and answer.traced_at is not None
    assert _answered(comment.author) == before + 1


@pytest.mark.parametrize("key", ["v2:article:9", "v1:article:11/point:2"])
def test_a_unit_that_did_not_change_after_the_comment_is_refused(client, auth, editor, accepted, comment, v1, v2, key):
    version, _colon, unit = key.partition(":")
    section = (v1 if version == "v1" else v2)[unit]
    auth.login(editor)
    before = _answered(comment.author)
    response = client.post(_url("en", accepted), data={"section_id": section.id, "link": "1"}, follow_redirects=True)
    assert "That unit did not change in a version published after the comment" in response.get_data(as_text=True)
    db.session.expire_all()
    answer = db.session.get(Answer, accepted.id)
    assert answer.changed_section_id is None and answer.traced_at is None
    assert _answered(comment.author) == before


@pytest.mark.parametrize("section_id", ["", "abc", "99999999999999999999"])
def test_no_unit_or_a_bad_one_is_refused_without_an_error_page(client, auth, editor, accepted, section_id):
    auth.login(editor)
    response = client.post(_url("en", accepted), data={"section_id": section_id, "link": "1"}, follow_redirects=True)
    assert response.status_code == 200
    assert db.session.get(Answer, accepted.id).changed_section_id is None


def test_a_rejected_answer_cannot_be_linked(client, auth, editor, open_law, create_comment, v1, v2):
    rejected = services.answer_comments(
        open_law,
        [create_comment(v1["article:11/point:2"])],
        user=editor,
        decision="rejected",
        reasoning={"ru": "Срок оставлен прежним."},
    )
    db.session.commit()
    auth.login(editor)
    page = client.get(_url("en", rejected)).get_data(as_text=True)
    assert "Only an accepted or partly accepted answer is linked to a change in the text." in page
    assert 'name="link"' not in page
    point = v2["article:10/point:2"]
    response = client.post(_url("en", rejected), data={"section_id": point.id, "link": "1"}, follow_redirects=True)
    assert "Only an accepted or partly accepted answer" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Answer, rejected.id).changed_section_id is None


def test_removing_the_link_keeps_what_it_was_as_a_revision(client, auth, editor, accepted, v2):
    point = v2["article:10/point:2"]
    services.trace_answer(accepted, point, user=editor)
    db.session.commit()
    auth.login(editor)
    assert "Remove the link" in client.get(_url("en", accepted)).get_data(as_text=True)
    response = client.post(_url("en", accepted), data={"unlink": "1"}, follow_redirects=True)
    assert "The link to the change was removed." in response.get_data(as_text=True)
    db.session.expire_all()
    answer = db.session.get(Answer, accepted.id)
    assert answer.changed_section_id is None and answer.traced_at is None
    revisions = db.session.scalars(select(AnswerRevision).where(AnswerRevision.answer_id == answer.id)).all()
    assert [r.changed_section_id for r in revisions] == [point.id]


@pytest.mark.parametrize("who", ["other_editor", "moderator", "mp"])
def test_only_editors_of_the_drafting_agency_use_the_trace_pages(
    client, auth, create_user, create_agency, accepted, v2, who
):
    user = create_user("editor", agency=create_agency()) if who == "other_editor" else create_user(who)
    auth.login(user)
    assert client.get(_url("en")).status_code == 403
    assert client.get(_url("en", accepted)).status_code == 403
    point = v2["article:10/point:2"]
    assert client.post(_url("en", accepted), data={"section_id": point.id, "link": "1"}).status_code == 403
    assert db.session.get(Answer, accepted.id).changed_section_id is None


def test_an_answer_of_another_draft_is_not_found(client, auth, create_law_from, create_user, editor, accepted):
    other = create_law_from([("ru", "waste.v1.ru.txt")], slug="other-draft", agency=editor.agency)
    auth.login(editor)
    assert client.get(f"/en/answers/{other.slug}/trace/{accepted.id}").status_code == 404
    assert client.get(f"/en/answers/household-waste/trace/{2**40}").status_code == 404


def test_the_list_is_paginated(app, client, auth, editor, open_law, create_comment, v1):
    for key in ("article:6", "article:4"):
        services.answer_comments(open_law, [create_comment(v1[key])], user=editor, decision="accepted", reasoning={})
    db.session.commit()
    app.config["ANSWERS_PER_PAGE"] = 1
    auth.login(editor)
    page = client.get(_url("en")).get_data(as_text=True)
    assert page.count('class="card trace-row"') == 1 and "Page 1 of 2" in page


def test_on_a_big_draft_the_other_units_are_shown_a_page_at_a_time_but_the_linked_one_always(
    app, client, auth, editor, accepted, v2
):
    article_4, article_6 = v2["article:4/subpoint:5"], v2["article:6"]
    app.config["ANSWERS_PER_PAGE"] = 1
    auth.login(editor)
    page = client.get(_url("en", accepted)).get_data(as_text=True)
    assert f'value="{article_4.id}"' in page and f'value="{article_6.id}"' not in page
    assert "Show 1 more changed unit" in page
    assert f'value="{article_6.id}"' in client.get(_url("en", accepted) + "?all=1").get_data(as_text=True)
    services.trace_answer(accepted, article_6, user=editor)
    db.session.commit()
    assert f'value="{article_6.id}" checked' in client.get(_url("en", accepted)).get_data(as_text=True)


@pytest.mark.parametrize(("lang", "unit"), [("kk", "10-бап, 2-тармақ"), ("ru", "Статья 10, пункт 2")])
def test_the_pages_render_in_kazakh_and_russian(client, auth, editor, accepted, v2, lang, unit):
    services.trace_answer(accepted, v2["article:10/point:2"], user=editor)
    db.session.commit()
    auth.login(editor, lang=lang)
    listing = client.get(_url(lang))
    assert listing.status_code == 200 and unit in listing.get_data(as_text=True)
    page = client.get(_url(lang, accepted))
    assert page.status_code == 200 and unit in page.get_data(as_text=True)
