"""No route answers 500 to a malformed slug, id, page number, version or language prefix."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD

BAD_STRINGS = ["nope", "a" * 300, "%00", "..%2F..%2Fetc", "ü-ß", "'%20OR%201=1--", "%3Cscript%3E", "-"]
BAD_INTS = ["0", "1", "99", "99999999999999999999", "2147483648"]
BAD_QUERIES = [
    "",
    "?page=abc",
    "?page=-1",
    "?page=0",
    "?page=99999999999",
    "?page=1e9",
    "?status=%00",
    "?agency=zzz&committee=%FF",
    "?per_page=abc",
    "?lang=xx",
]


def urls_for(app, slug: str) -> list[str]:
    """Every GET route filled with good and malformed values."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        variants = [{}]
        for arg in rule.arguments:
            if arg == "lang":
                values = ["en", "kk"]
            elif arg in ("number", "old", "new", "id", "user_id", "agency_id", "committee_id"):
                values = BAD_INTS
            elif arg == "slug":
                values = [slug, *BAD_STRINGS]
            else:
                values = BAD_STRINGS
            variants = [{**v, arg: value} for v in variants for value in values]
        for values in variants:
            path = rule.rule
            for arg, value in values.items():
                path = path.replace(f"<{arg}>", value).replace(f"<lang:{arg}>", value)
                for conv in ("int", "string"):
                    path = path.replace(f"<{conv}:{arg}>", value)
            urls.add(path)
    return sorted(urls)


def good_urls_for(app, slug: str) -> list[str]:
    """Every GET route with plausible values, for the query-string sweep."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = rule.rule
        for arg in rule.arguments:
            value = {"lang": "en", "slug": slug}.get(arg, "1")
            for pattern in (f"<{arg}>", f"<lang:{arg}>", f"<int:{arg}>", f"<string:{arg}>"):
                path = path.replace(pattern, value)
        urls.append(path)
    return urls


@pytest.mark.parametrize("who", ["anonymous", "citizen", "editor", "admin"])
def test_no_500_anywhere(app, client, waste_law, create_user, who):
    if who != "anonymous":
        user = create_user(role=who, agency_id=waste_law.agency_id if who == "editor" else None)
        client.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    candidates = urls_for(app, waste_law.slug)
    candidates += [url + query for url in good_urls_for(app, waste_law.slug) for query in BAD_QUERIES]
    failures = []
    for url in candidates:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url} -> {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("prefix", ["/xx/", "/KK/", "/k/", "/kk-KZ/", "/%00/", "/en/laws/../../"])
def test_bad_language_prefix_is_404_not_500(client, prefix):
    assert client.get(prefix).status_code == 404


def test_error_page_is_translated_and_has_lang(client):
    response = client.get("/ru/laws/no-such-law/")
    assert response.status_code == 404
    assert '<html lang="ru">' in response.get_data(as_text=True)


def test_nul_bytes_in_forms_are_dropped_not_fatal(client):
    response = client.post("/en/auth/login", data={"email": "a\x00b@example.kz", "password": "x\x00" * 6})
    assert response.status_code == 200
    assert "The e-mail address or the password is wrong." in response.get_data(as_text=True)
    form = {"email": "nul\x00@example.kz", "display_name": "N\x00ul"}
    # Dropped before the checks: eight letters, not sixteen characters, so too short.
    response = client.post("/en/auth/register", data={**form, "password": "p\x00" * 8, "confirm": "p\x00" * 8})
    assert response.status_code == 200
    assert "The password must have at least 10 characters." in response.get_data(as_text=True)
    password = "sal\x00t-steppe-river"
    response = client.post("/en/auth/register", data={**form, "password": password, "confirm": password})
    assert response.status_code == 302
    assert db.session.execute(select(User.email, User.display_name)).all() == [("nul@example.kz", "Nul")]
