"""Readers see the agency's answer wherever they see the comment: section page, comment page, My comments, search."""

import re

import pytest
from flask_babel import force_locale

from app.answers import services
from app.answers.labels import DECISION_LABELS
from app.auth.models import User
from app.extensions import db
from app.laws.models import Law, Section

# Point 2 of article 11 in version 1 is point 2 of article 10 in version 2: "thirty days" became "fifteen".
V1_POINT = "article:11/point:2"
V2_POINT = "article:10/point:2"
REASONING = {
    "kk": "Шағымдарды қарау мерзімі он бес күнге дейін қысқартылды.",
    "ru": "Срок рассмотрения жалоб сокращён до пятнадцати дней.",
}
# The word of version 2 that is not in version 1, and the one it replaced, per language.
INSERTED = {"kk": "он бес", "ru": "пятнадцати"}
DELETED = {"kk": "отыз", "ru": "тридцати"}


@pytest.fixture
def editor(create_user, open_law):
    return create_user("editor", agency=open_law.agency)


@pytest.fixture
def v1_point(open_law):
    return next(s for s in open_law.versions[0].sections if s.key == V1_POINT)


@pytest.fixture
def changed_units(open_law):
    """{key: id} of the units of version 2 that changed from version 1."""
    return {c.section.key: c.section.id for c in services.changed_units(open_law, 1)}


@pytest.fixture
def answered(open_law, v1_point, changed_units, editor, create_user, create_comment):
    """A citizen's comment on version 1, partly accepted with reasoning in kk and ru, traced to the changed point."""
    # Loaded again at each call by id: a test may empty the session between two calls.
    ids = {Law: open_law.id, Section: v1_point.id, User: editor.id}

    def make(reasoning=REASONING, decision="partly_accepted", trace=V2_POINT, body="Мерзім тым ұзақ."):
        law, user = db.session.get(Law, ids[Law]), db.session.get(User, ids[User])
        point = db.session.get(Section, ids[Section])
        comment = create_comment(point, author=create_user(), body=body, stance="oppose")
        answer = services.answer_comments(law, [comment], user=user, decision=decision, reasoning=reasoning)
        if trace:
            services.trace_answer(answer, db.session.get(Section, changed_units[trace]), user=user)
        db.session.commit()
        return comment, answer

    return make


def _label(decision: str, lang: str) -> str:
    with force_locale(lang):
        return str(DECISION_LABELS[decision])


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _section_url(lang, comment) -> str:
    return f"/{lang}/laws/household-waste/sections/{comment.section_id}/"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_answer_is_shown_in_the_readers_language_on_every_page(lang, app, client, auth, answered):
    comment, _answer = answered()
    auth.login(comment.author, lang=lang)
    other = "ru" if lang == "kk" else "kk"
    pages = {
        "section": _page(client, _section_url(lang, comment)),
        "comment": _page(client, f"/{lang}/comments/{comment.id}/answer"),
        "mine": _page(client, f"/{lang}/my/comments"),
    }
    for name, html in pages.items():
        assert _label("partly_accepted", lang) in html, name
        assert REASONING[lang] in html, name
        assert REASONING[other] not in html, name
        assert f'class="answer-reasoning" lang="{lang}"' in html, name


def test_the_reasoning_falls_back_to_the_language_given_and_says_so(app, client, answered):
    comment, _answer = answered(reasoning={"ru": REASONING["ru"]}, decision="rejected", trace=None)
    html = _page(client, f"/kk/comments/{comment.id}/answer")
    assert REASONING["ru"] in html
    assert 'class="answer-reasoning" lang="ru"' in html
    note = re.compile(r'<p class="hint">[^<]*Русский[^<]*</p>')
    assert note.search(html), "the page names the language the answer is shown in"
    assert not note.search(_page(client, f"/ru/comments/{comment.id}/answer"))


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_traced_answer_shows_the_word_diff_of_the_changed_unit(lang, app, client, auth, answered):
    comment, _answer = answered()
    auth.login(comment.author, lang=lang)
    inserted = re.compile(r"<ins><span[^>]*>[^<]*</span>[^<]*" + INSERTED[lang])
    deleted = re.compile(r"<del><span[^>]*>[^<]*</span>[^<]*" + DELETED[lang])
    unit = {"kk": "10-бап, 2-тармақ", "ru": "Статья 10, пункт 2"}[lang]
    for url in (f"/{lang}/comments/{comment.id}/answer", f"/{lang}/my/comments"):
        html = _page(client, url)
        assert inserted.search(html), url
        assert deleted.search(html), url
        assert unit in html, url
        assert f"/{lang}/laws/household-waste/diff/1/2/" in html, url
    section = _page(client, _section_url(lang, comment))
    assert unit in section
    assert "answer-diff" not in section, "the section page names the change and links to it, without the diff"
    assert f'href="/{lang}/comments/{comment.id}/answer"' in section


def test_an_unanswered_comment_still_says_the_answer_is_not_yet_given(app, client, auth, v1_point, create_comment):
    comment = create_comment(v1_point)
    auth.login(comment.author)
    assert "Official answer: not yet given" in _page(client, "/en/my/comments")
    assert 'class="answer"' not in _page(client, _section_url("en", comment))
    response = client.get(f"/en/comments/{comment.id}/answer")
    assert response.status_code == 302 and response.location.endswith(f"/en/comments/{comment.id}")


def test_a_reply_shows_its_own_answer(app, client, open_law, v1_point, editor, create_comment, answered):
    parent, _answer = answered(trace=None)
    reply = create_comment(v1_point, parent=parent, body="Келісемін.", stance="neutral")
    services.answer_comments(open_law, [reply], user=editor, decision="not_applicable", reasoning={})
    db.session.commit()
    html = _page(client, _section_url("en", parent))
    reply_html = html.split(f'id="c{reply.id}"', 1)[1]
    assert "decision-not_applicable" in reply_html
    assert "decision-partly_accepted" in html.split(f'id="c{reply.id}"', 1)[0]


def test_a_corrected_answer_shows_the_new_wording_and_when_it_was_corrected(app, client, editor, answered):
    comment, answer = answered(trace=None)
    services.correct_answer(answer, user=editor, decision="accepted", reasoning={"ru": "Принято полностью."})
    db.session.commit()
    html = _page(client, f"/en/comments/{comment.id}/answer")
    assert "Принято полностью." in html and REASONING["ru"] not in html
    assert "Corrected on" in html
    assert "decision-accepted" in html


def test_the_section_page_queries_do_not_grow_with_answered_comments(
    app, client, answered, changed_units, count_queries
):
    def section_queries(answered_count: int) -> int:
        db.session.expunge_all()  # the test's identity map would otherwise hide a query per comment
        with count_queries() as statements:
            html = _page(client, url)
        assert html.count('class="answer"') == answered_count
        # Transaction statements depend on what ran before, not on the page.
        return sum(1 for statement in statements if statement.lstrip().upper().startswith("SELECT"))

    url = _section_url("en", answered()[0])
    one = section_queries(1)
    # Traced to different units, so no loaded unit stands in for another's.
    for key in changed_units:
        answered(trace=key)
    assert section_queries(1 + len(changed_units)) == one


def test_search_results_show_the_decision_of_an_answered_comment(app, client, answered, create_comment, v1_point):
    answered(body="Контейнерлерді сұрыптау керек, шағым мерзімі ұзақ.", trace=None)
    create_comment(v1_point, body="Контейнерлерді жиі тазалау керек.")
    html = _page(client, "/en/search/?q=Контейнерлерді&type=comment")
    results = html.split('<ol class="search-results">', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li>.*?</li>", results, flags=re.S)
    assert len(items) == 2
    badged = [item for item in items if "decision-partly_accepted" in item]
    assert len(badged) == 1 and "сұрыптау" in badged[0]
