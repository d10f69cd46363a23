"""Public pages kept between writes (app/caching.py): shared only between visitors, fresh after every change."""

import pytest

from app.extensions import db
from app.laws.importing import publish_version
from tests.conftest import AuthActions, demo_text


@pytest.fixture(autouse=True)
def _page_cache(app_config):
    # TestConfig turns the page cache off for the rest of the suite.
    app_config["PAGE_CACHE_SECONDS"] = 60


def section_url(article) -> str:
    return f"/en/laws/{article.version.law.slug}/sections/{article.id}/"


def signed_in(app, user):
    browser = app.test_client()
    assert AuthActions(browser).login(user).status_code == 302
    return browser


def post_comment(browser, article, body: str):
    data = {"stance": "support", "body": body, "client_token": body[:60], "lang": "auto"}
    response = browser.post(section_url(article) + "comments", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]


def test_a_visitor_repeating_a_page_costs_no_query_and_a_proxy_may_keep_it(client, article, count_queries):
    url = section_url(article)
    first = client.get(url)
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    with count_queries() as statements:
        again = client.get(url)
    assert statements == []
    assert again.get_data() == first.get_data()
    assert again.cache_control.public and again.cache_control.max_age is not None
    assert "Cookie" in again.headers["Vary"]
    assert client.get(url, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_a_signed_in_reader_never_gets_a_page_kept_for_someone_else(app, client, article, create_user):
    url = section_url(article)
    readers = [create_user(display_name="Айгүл Сәрсенова"), create_user(display_name="Берік Омаров")]
    browsers = [signed_in(app, reader) for reader in readers]
    assert "Log in" in client.get(url).get_data(as_text=True)  # the visitors' copy is kept now
    for n, (reader, browser) in enumerate(zip(readers, browsers, strict=True)):
        page = browser.get(url)
        html = page.get_data(as_text=True)
        assert reader.display_name in html and 'name="csrf_token"' in html
        assert all(other.display_name not in html for other in readers[:n])
        assert page.headers["Cache-Control"] == "private, no-store" and "ETag" not in page.headers
    html = client.get(url).get_data(as_text=True)
    assert all(reader.display_name not in html for reader in readers)
    assert 'name="csrf_token"' not in html


def test_the_api_is_shared_too_but_not_with_a_session(app, client, article, create_comment, create_user):
    create_comment(article, body="Срок обжалования надо продлить.")
    url = f"/api/v1/sections/{article.id}/comments"
    public = client.get(url)
    assert public.json["total"] == 1 and public.cache_control.public and public.headers.get("ETag")
    private = signed_in(app, create_user()).get(url)
    assert private.json["total"] == 1 and private.headers["Cache-Control"] == "private, no-store"


def test_a_new_comment_shows_on_the_next_request(app, client, article, create_user):
    app.config["PREMODERATION"] = False
    url, api = section_url(article), f"/api/v1/sections/{article.id}/comments"
    assert "No published comments on this part yet." in client.get(url).get_data(as_text=True)
    assert client.get(api).json["total"] == 0
    post_comment(signed_in(app, create_user()), article, "Тридцать дней на жалобу, а не пятнадцать.")
    assert "Тридцать дней на жалобу, а не пятнадцать." in client.get(url).get_data(as_text=True)
    assert client.get(api).json["total"] == 1


def test_a_moderation_decision_shows_on_the_next_request(app, client, article, create_user, count_queries):
    url = section_url(article)
    author, moderator = signed_in(app, create_user()), signed_in(app, create_user(role="moderator"))
    client.get(url)
    post_comment(author, article, "Пусть оператор отвечает письменно.")
    # Awaiting a moderator, it is on no visitor's page: the kept page still serves them, without a query.
    with count_queries() as statements:
        assert "Пусть оператор отвечает письменно." not in client.get(url).get_data(as_text=True)
    assert statements == []
    comment_id = db.session.execute(db.text("SELECT id, version FROM comments")).one()
    decide = f"/en/moderation/comments/{comment_id[0]}/decide"
    assert moderator.post(decide, data={"action": "approve", "version": comment_id[1]}).status_code == 302
    assert "Пусть оператор отвечает письменно." in client.get(url).get_data(as_text=True)
    version = db.session.execute(db.text("SELECT version FROM comments")).scalar()
    hide = {"action": "hide", "reason": "personal_data", "version": version}
    assert moderator.post(decide, data=hide).status_code == 302
    assert "Пусть оператор отвечает письменно." not in client.get(url).get_data(as_text=True)


def test_a_new_version_shows_on_the_next_request(client, waste_law):
    url = f"/en/laws/{waste_law.slug}/"
    assert "Version 2 of 2" in client.get(url).get_data(as_text=True)
    publish_version(waste_law, lang="ru", text=demo_text("waste.v2.ru.txt"), filename="waste.v3.ru.txt")
    db.session.commit()
    assert "Version 3 of 3" in client.get(url).get_data(as_text=True)


def test_a_dead_cache_serves_every_page_and_logs_its_traceback_once_a_minute(client, article, monkeypatch, caplog):
    """Redis gone: pages are rendered as without a cache, and the log is not one traceback per request."""
    from app import caching

    class Dead:
        def get(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

        set = get

    monkeypatch.setattr(caching, "cache", Dead())
    monkeypatch.setattr(caching, "_pages", lambda: Dead())
    monkeypatch.setattr(caching, "_last_logged", [0.0])
    url = section_url(article)
    with caplog.at_level("DEBUG", logger="app.caching"):
        pages = [client.get(url) for _ in range(5)]
    assert all(page.status_code == 200 and "Log in" in page.get_data(as_text=True) for page in pages)
    errors = [record for record in caplog.records if record.name == "app.caching" and record.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].exc_info


def test_sending_mail_and_starting_a_command_keep_the_visitors_pages(app, client, article, count_queries):
    """The worker sweeps the outbox every 30 s and the scheduler starts two commands a minute: neither is a change."""
    from app import caching, outbox
    from app.mail import queue_mail

    url = section_url(article)
    client.get(url)
    queue_mail("reader@example.kz", "Тест", "…")
    db.session.commit()  # an outbox row: this commit is a write, pages are rendered again after it
    client.get(url)
    stamp = caching.cache.get(caching.GENERATION_KEY)
    outbox.send_due()  # claims and marks rows in its own sessions
    runner = app.test_cli_runner()
    assert runner.invoke(args=["mail", "status"]).exit_code == 0
    assert caching.cache.get(caching.GENERATION_KEY) == stamp
    with count_queries() as statements:
        client.get(url)
    assert statements == []


def test_a_write_the_orm_does_not_see_still_renews_the_pages(client, article, create_comment, count_queries):
    """app.db.write runs through the driver: no flush, no ORM execute; the kept pages must still be let go."""
    from sqlalchemy import bindparam, update

    from app import caching
    from app.comments.models import Comment
    from app.db import Prepared, utcnow, write

    comment = create_comment(article, body="Бұл пікірдің мәтіні ORM-сіз өзгереді.")
    url = section_url(article)
    client.get(url)
    stamp = caching.cache.get(caching.GENERATION_KEY)
    rename = Prepared(
        update(Comment)
        .where(Comment.id == bindparam("id"))
        .values(body_html=bindparam("html"), updated_at=bindparam("at"))
    )
    write(rename, {"id": comment.id, "html": "<p>Өзгертілген мәтін</p>", "at": utcnow()})
    db.session.commit()
    assert caching.cache.get(caching.GENERATION_KEY) != stamp
    assert "Өзгертілген мәтін" in client.get(url).get_data(as_text=True)
    # ...unless the transaction said its writes are on no shared page.
    stamp = caching.cache.get(caching.GENERATION_KEY)
    caching.pages_unchanged()
    write(rename, {"id": comment.id, "html": "<p>Тағы өзгертілген</p>", "at": utcnow()})
    db.session.commit()
    assert caching.cache.get(caching.GENERATION_KEY) == stamp
