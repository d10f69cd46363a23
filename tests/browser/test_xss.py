"""Hostile text in comments stays text: stored payloads are shown in a real browser and nothing runs.

Every payload of tests/data/xss_payloads.json is posted as a comment body, every other one also as proposed
wording; raw HTML is also sent in the form's other fields, bypassing the page. The browser then opens the
section page and the author's "My comments" page and must not open a dialog, raise a script error, ask for
another host, or hold a script, frame, image, event handler or script URL inside the comments.
"""

import json
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.comments.models import Comment
from app.comments.services import CommentError, post_comment
from app.extensions import db
from tests.browser.conftest import log_in, release_db
from tests.conftest import DEFAULT_PASSWORD, csrf_token_from

pytestmark = pytest.mark.browser

PAYLOADS: list[str] = json.loads((Path(__file__).parents[1] / "data" / "xss_payloads.json").read_text("utf-8"))
AUTHORS = 6
STANCES = ("support", "oppose", "neutral")
# Raw HTML for the fields a browser never lets a citizen type into (all short enough to be a client token).
RAW_HTML = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><iframe src=javascript:alert(1)>",
]
ALLOWED_BODY_TAGS = ["P", "BR", "UL", "OL", "LI", "A", "EM", "STRONG", "BLOCKQUOTE"]

RECORDER = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  const original = window[name];
  window[name] = function (...args) {
    window.__xss.push(name + "(" + args.map(String).join(", ") + ")");
    return original.apply(this, args);
  };
}
"""

# One pass over the DOM under `root`: everything that would show markup escaping its text.
INSPECT = """
([root, allowed]) => {
  const scope = document.querySelector(root);
  const found = {dangerous: [], handlers: [], urls: [], bodyTags: [], proposalTags: []};
  if (!scope) return null;
  for (const el of scope.querySelectorAll(
      ".comment-body script, .proposal-text script, .comment-body iframe, .comment-body object, "
      + ".comment-body embed, .comment-body svg, .comment-body img")) {
    found.dangerous.push(el.outerHTML.slice(0, 200));
  }
  for (const el of [scope, ...scope.querySelectorAll("*")]) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith("on")) {
        found.handlers.push(el.tagName + " " + attr.name + "=" + attr.value);
      }
    }
  }
  for (const a of scope.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href").toLowerCase().replace(/\\s+/g, "");
    if (/^(javascript|data|vbscript):/.test(href)) found.urls.push(a.outerHTML.slice(0, 200));
  }
  for (const el of scope.querySelectorAll(".comment-body *")) {
    if (!allowed.includes(el.tagName)) found.bodyTags.push(el.outerHTML.slice(0, 200));
  }
  for (const el of scope.querySelectorAll(".proposal-text *")) {
    if (el.tagName !== "INS" && el.tagName !== "DEL") found.proposalTags.push(el.outerHTML.slice(0, 200));
  }
  return found;
}
"""

TEXTS = """
(selector) => Object.fromEntries(
  [...document.querySelectorAll(selector)].map((el) => [el.closest("[id^=c]").id.slice(1), el.textContent])
)
"""


@pytest.fixture
def hostile(app):
    """Publish at once, and let a handful of authors post hundreds of comments that all fit on one page."""
    app.config.update(
        PREMODERATION=False,
        COMMENT_RATE_PER_MINUTE=100_000,
        COMMENT_RATE_PER_DAY=100_000,
        COMMENTS_BATCH=1000,
        MY_COMMENTS_PER_PAGE=1000,
    )
    return app


def test_html_in_the_other_form_fields_is_refused_or_kept_as_text(hostile, client, create_user, article):
    author = create_user()
    outcomes = post_around_the_form(client, author, article)
    assert len(outcomes) >= 20
    assert {field for field, _, status in outcomes if status == "stored"} <= {"client_token", "proposed_wording"}


def test_payloads_render_as_text_in_the_browser(hostile, client, live_server, browser_page, create_user, article):
    page = browser_page
    authors = [create_user() for _ in range(AUTHORS)]
    post_around_the_form(client, authors[0], article)
    stored, refused = store_payloads(authors, article)
    print(f"\n{len(stored)} of {len(PAYLOADS)} payloads stored, {len(refused)} refused as blank")
    assert len(stored) >= 500
    assert all(not payload.strip() for payload in refused), f"refused non-blank payloads: {refused!r}"
    section_path = f"/en/laws/{article.version.law.slug}/sections/{article.id}/"
    shown = db.session.scalar(db.select(db.func.count(Comment.id)).where(Comment.section_id == article.id))
    expected_text = {cid: html_text(body_html) for cid, (_, _, body_html) in stored.items()}
    mine = {cid: wording for cid, (author_id, wording, _) in stored.items() if author_id == authors[0].id}
    email = authors[0].email
    release_db()

    dialogs: list[str] = []
    errors: list[str] = []
    console: list[str] = []
    foreign: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else foreign.append(request.url))
    page.add_init_script(RECORDER)

    log_in(page, email, DEFAULT_PASSWORD, "en")

    # The section page, with every stored comment on it.
    page.goto(section_path, wait_until="load")
    _scroll_to_bottom(page)
    assert dialogs == [], f"a payload opened a dialog: {dialogs}"
    _assert_clean(page, ".comment-list")
    _assert_clean(page, "main")
    assert page.locator(".comment-list article.comment").count() == shown
    bodies = page.evaluate(TEXTS, ".comment-list article.comment > .comment-body")
    with_script = [cid for cid, text in expected_text.items() if "<script" in text.lower()]
    assert len(with_script) >= 50, "the sample of <script> payloads is too small to prove anything"
    for cid in with_script:
        assert bodies[str(cid)] == expected_text[cid], f"comment {cid} is not shown as its text"
    proposals = page.evaluate(TEXTS, ".comment-list article.comment > .proposal > .proposal-text")
    for cid, wording in mine.items():
        if wording and "<script>" in wording:
            assert "<script>" in proposals[str(cid)], f"the proposed wording of comment {cid} lost its text"
    visible = page.inner_text(".comment-list")
    assert "<script>alert(1)</script>" in visible
    assert "<script>alert(123)</script>" in visible

    # The author's own list prints bodies the same way and the proposed wording verbatim.
    page.goto("/en/my/comments", wait_until="load")
    _scroll_to_bottom(page)
    _assert_clean(page, "main")
    own_bodies = page.evaluate(TEXTS, "article.my-comment > .comment-body")
    own_wordings = page.evaluate(TEXTS, "article.my-comment > .proposal-text")
    assert set(map(int, own_bodies)) >= set(mine)
    for cid, wording in mine.items():
        assert own_bodies[str(cid)] == expected_text[cid], f"comment {cid} is not shown as its text"
        if wording:
            assert own_wordings[str(cid)] == wording, f"the proposed wording of comment {cid} is not verbatim"

    assert dialogs == [], f"a payload opened a dialog: {dialogs}"
    assert page.evaluate("window.__xss") == []
    assert errors == [], f"script errors on the page: {errors}"
    assert not [m for m in console if "alert" in m.lower() or m.startswith("error: Refused")], console
    assert foreign == [], f"the page asked another host for: {foreign}"


def store_payloads(authors, section) -> tuple[dict[int, tuple[int, str | None, str]], list[str]]:
    """Post every payload as a published comment; return {id: (author id, wording, body_html)} and the refused."""
    stored: dict[int, tuple[int, str | None, str]] = {}
    refused: list[str] = []
    for n, payload in enumerate(PAYLOADS):
        amend = n % 2 == 1
        author = authors[n % len(authors)]
        try:
            result = post_comment(
                author=author,
                section=section,
                body=payload,
                stance="amend" if amend else STANCES[n % len(STANCES)],
                proposed_wording=payload if amend else None,
                client_token=uuid.uuid4().hex,
            )
        except CommentError:  # refused before anything is written: blank (or over-long) text
            refused.append(payload)
            continue
        comment = result.comment
        assert comment.state == "approved"
        stored[comment.id] = (author.id, comment.proposed_wording, comment.body_html)
    db.session.commit()
    return stored, refused


def post_around_the_form(client, author, section) -> list[tuple[str, str, str]]:
    """POST raw HTML in each field the page only fills itself; each is refused (4xx) or kept as plain text."""
    page = client.get("/en/auth/login").get_data(as_text=True)
    response = client.post(
        "/en/auth/login",
        data={"email": author.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 302, "the form author could not log in"
    section_path = f"/en/laws/{section.version.law.slug}/sections/{section.id}/"
    token = csrf_token_from(client.get(section_path).get_data(as_text=True))
    url = f"{section_path.rstrip('/')}/comments"
    cases = []
    for payload in RAW_HTML:
        cases += [
            ("lang", payload, {"stance": "support", "lang": payload}),
            ("stance", payload, {"stance": payload}),
            ("client_token", payload, {"stance": "neutral", "client_token": payload}),
            ("parent_id", payload, {"parent_id": payload}),
            ("proposed_wording", payload, {"stance": "amend", "proposed_wording": payload}),
            ("csrf_token", payload, {"stance": "support", "csrf_token": payload}),
        ]
    outcomes = []
    for n, (field, payload, fields) in enumerate(cases):
        body = f"Field check {n}: {field}"
        data = {"csrf_token": token, "body": body, "lang": "auto", "client_token": uuid.uuid4().hex, **fields}
        response = client.post(url, data=data)
        html = response.get_data(as_text=True)
        assert payload not in html and payload not in response.headers.get("Location", ""), (
            f"{field}={payload!r} came back unescaped"
        )
        db.session.expire_all()
        comment = db.session.scalar(db.select(Comment).where(Comment.author_id == author.id, Comment.body == body))
        if 400 <= response.status_code < 500:
            assert comment is None, f"{field}={payload!r} was refused with {response.status_code} but stored"
            outcomes.append((field, payload, "refused"))
            continue
        assert response.status_code == 302, f"{field}={payload!r} answered {response.status_code}"
        assert comment is not None, f"{field}={payload!r} was accepted but not stored"
        assert getattr(comment, field) == payload, f"{field}={payload!r} was stored as {getattr(comment, field)!r}"
        assert "<" not in (comment.body_html or "").replace("<p>", "").replace("</p>", "")
        outcomes.append((field, payload, "stored"))
    db.session.commit()
    return outcomes


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """What a browser's textContent gives for sanitised comment HTML."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _scroll_to_bottom(page) -> None:
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("load")


def _assert_clean(page, root: str) -> None:
    found = page.evaluate(INSPECT, [root, ALLOWED_BODY_TAGS])
    assert found is not None, f"{root} is not on {page.url}"
    for kind, items in found.items():
        assert items == [], f"{kind} inside {root} on {page.url}: {items[:5]}"


def test_payload_file_is_the_one_we_expect():
    assert len(PAYLOADS) >= 600
    assert sum("<script>" in p for p in PAYLOADS) >= 50
    assert all(isinstance(p, str) for p in PAYLOADS)
    assert not [p for p in PAYLOADS if re.search(r"\x00", p)], "PostgreSQL cannot store NUL characters"
