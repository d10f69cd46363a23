"""A query string cannot break a page or steer the links it builds.

Language and page links used to hand the request's arguments to url_for, so `?endpoint=x` or `?_method=FOO`
answered 500 on every page and `?_external=1&_scheme=https` made the language links absolute, built from the
Host header the client sent.
"""

import re

import pytest

from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD

HOSTILE_QUERIES = [
    "?endpoint=x",
    "?_method=FOO",
    "?_external=1&_scheme=https",
    "?_anchor=x",
    "?values=1",
    "?lang=xx",
    "?page=abc",
    "?endpoint=x&_external=1&_scheme=javascript&values=1&page=2",
]
LANGUAGE_LINK = re.compile(r'<a href="([^"]*)" hreflang="(kk|ru|en)" lang="\2" data-keep-hash')


@pytest.fixture
def real_values(waste_law, article, create_comment, create_user, create_committee):
    """A value for every argument of every route, taken from real rows."""
    comment = create_comment(article, body="Срок надо продлить.")
    admin = create_user(role="admin")
    db.session.commit()
    return {
        "slug": waste_law.slug,
        "number": "1",
        "old": "1",
        "new": "2",
        "section_id": str(article.id),
        "comment_id": str(comment.id),
        "user_id": str(admin.id),
        "agency_id": str(waste_law.agency_id),
        "committee_id": str(create_committee().id),
        "token": "not-a-token",
        "admin": admin,
    }


def page_urls(app, values: dict) -> list[str]:
    """Every GET page of the app whose arguments this test knows how to fill (static files aside)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or not rule.arguments <= {"lang", *values}:
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{arg}>", "en" if arg == "lang" else values[arg], path)
        urls.append(path)
    return urls


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_hostile_query_strings_never_answer_500_nor_make_links_absolute(app, client, real_values, who):
    if who == "admin":
        client.post("/en/auth/login", data={"email": real_values["admin"].email, "password": DEFAULT_PASSWORD})
    urls = page_urls(app, real_values)
    assert len(urls) > 30
    failures = []
    pages_checked = 0
    for url in urls:
        for query in HOSTILE_QUERIES:
            response = client.get(url + query)
            if response.status_code >= 500:
                failures.append(f"{url}{query} -> {response.status_code}")
                continue
            if response.mimetype != "text/html" or response.status_code != 200:
                continue
            links = LANGUAGE_LINK.findall(response.get_data(as_text=True))
            if len(links) != 3 or not all(href.startswith("/") and not href.startswith("//") for href, _ in links):
                failures.append(f"{url}{query}: language links {links}")
            pages_checked += 1
    assert failures == []
    assert pages_checked > 100


def test_language_links_keep_the_query_but_not_its_lang_filter_as_interface_language(client, waste_law, runner):
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    html = client.get("/en/search/?q=срок&lang=ru&type=section").get_data(as_text=True)
    assert '<html lang="en">' in html  # a search filtered to Russian text keeps an English interface
    links = dict((lang, href.replace("&amp;", "&")) for href, lang in LANGUAGE_LINK.findall(html))
    assert links["kk"].startswith("/kk/search/?") and "lang=ru" in links["kk"] and "type=section" in links["kk"]
    assert links["en"].startswith("/en/search/?")


def test_page_links_keep_filters_and_drop_nothing_into_the_path(app, client, create_user, auth):
    app.config["ADMIN_USERS_PER_PAGE"] = 10
    for n in range(12):
        create_user(email=f"reader{n}@example.kz")
    auth.login(create_user(role="admin"))
    html = client.get("/en/admin/users?role=citizen&endpoint=x&_external=1").get_data(as_text=True)
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert next_link, "the user list has a second page"
    href = next_link.group(1).replace("&amp;", "&")
    assert href.startswith("/en/admin/users?") and "role=citizen" in href and "page=2" in href
    assert client.get(href).status_code == 200
