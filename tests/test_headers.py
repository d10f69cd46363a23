"""Security headers on every response, and pages a strict Content-Security-Policy can show unchanged."""

from html.parser import HTMLParser

import pytest

from app.comments.reactions import flag
from app.extensions import db
from app.moderation.decisions import decide
from tests.conftest import DEFAULT_PASSWORD

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# A page, a JSON answer, a stylesheet and an error page: the headers must not depend on what is answered.
RESPONSES = ["/en/", "/kk/laws/", "/api/v1/laws", "/static/css/kenes.css", "/en/no-such-page"]


def headers(client, url: str, **kwargs):
    """The response headers, the body closed (a static file's is an open file)."""
    response = client.get(url, **kwargs)
    response.close()
    return response.headers


def csp(header: str) -> dict[str, str]:
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {name: value[0] if value else "" for name, *value in directives}


@pytest.mark.parametrize("url", RESPONSES)
def test_content_security_policy_forbids_inline_code_frames_plugins_and_base_tags(client, url):
    header = headers(client, url)["Content-Security-Policy"]
    policy = csp(header)
    for name, value in REQUIRED_DIRECTIVES.items():
        assert policy.get(name) == value, (name, policy)
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


@pytest.mark.parametrize("url", RESPONSES)
def test_browsers_are_told_not_to_sniff_content_types(client, url):
    assert headers(client, url).get("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("url", RESPONSES)
def test_other_sites_get_only_the_origin_as_referrer(client, url):
    assert headers(client, url).get("Referrer-Policy") == "strict-origin-when-cross-origin"


def test_pages_cannot_be_framed_by_older_browsers_either(client):
    assert client.get("/en/").headers.get("X-Frame-Options") == "DENY"


def test_no_hsts_on_a_plain_http_deployment(client):
    assert "Strict-Transport-Security" not in client.get("/en/").headers


def test_hsts_when_cookies_require_https(request, app_config):
    app_config["SESSION_COOKIE_SECURE"] = True
    client = request.getfixturevalue("client")
    for url in ("/en/", "/api/v1/laws"):
        header = headers(client, url, base_url="https://localhost").get("Strict-Transport-Security", "")
        assert header.startswith("max-age=") and int(header.split("=")[1].split(";")[0]) >= 180 * 86400


class InlineCodeFinder(HTMLParser):
    """Collect what a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower() for name, _ in attrs}
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if "style" in names:
            self.found.append(f"<{tag} style=...>")
        self.found += [f"<{tag} {name}=...>" for name in names if name.startswith("on")]
        self.found += [
            f"<{tag} {name}=javascript:>" for name, value in attrs if (value or "").startswith("javascript:")
        ]

    handle_startendtag = handle_starttag


@pytest.fixture
def busy_law(open_law, article, create_comment, create_user):
    """The open law with comments of every stance on one article, one of them rejected and one flagged."""
    moderator = create_user(role="moderator")
    for stance in ("support", "support", "oppose", "amend", "neutral"):
        extra = {"proposed_wording": "Срок подачи жалобы — тридцать дней."} if stance == "amend" else {}
        create_comment(article, body=f"Мнение: {stance}.", stance=stance, **extra)
    rejected = create_comment(article, body="Реклама!", state="pending")
    decide(rejected, actor=moderator, action="reject", reason="spam", seen_version=rejected.version)
    flag(create_comment(article, body="Спорный комментарий."), user=create_user(), reason="spam")
    db.session.commit()
    return open_law


def test_pages_carry_no_inline_script_style_or_event_handler(client, runner, busy_law, article, create_user):
    admin = create_user(role="admin")
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0  # search results on the search page
    slug = busy_law.slug
    anonymous = [
        "/en/",
        "/kk/laws/",
        f"/kk/laws/{slug}/",
        f"/ru/laws/{slug}/diff/1/2/",
        f"/ru/laws/{slug}/sections/{article.id}/",
        f"/en/laws/{slug}/moderation",
        "/ru/search/?q=срок",
        "/en/auth/login",
        "/en/auth/register",
        "/en/open-data",
        "/en/no-such-page",
    ]
    signed_in = [
        "/en/auth/account",
        "/en/my/comments",
        "/en/admin/users",
        f"/en/admin/users/{admin.id}",
        "/en/moderation/pending",
        "/en/moderation/flagged",
        "/en/editor/laws/new",
        f"/en/editor/laws/{slug}/",
        f"/ru/laws/{slug}/sections/{article.id}/",
    ]
    pages = {url: client.get(url) for url in anonymous}
    client.post("/en/auth/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    pages |= {f"{url} (admin)": client.get(url) for url in signed_in}
    found = {}
    for url, response in pages.items():
        assert response.status_code == (404 if url == "/en/no-such-page" else 200), url
        finder = InlineCodeFinder()
        finder.feed(response.get_data(as_text=True))
        if finder.found:
            found[url] = sorted(set(finder.found))
    assert found == {}
    # The bars that used inline widths are there, drawn with SVG geometry instead.
    section = pages[f"/ru/laws/{slug}/sections/{article.id}/"].get_data(as_text=True)
    assert section.count('<rect class="stance-') == 4
    assert '<svg class="bar"' in pages[f"/en/laws/{slug}/moderation"].get_data(as_text=True)
