"""Comment Markdown renders the few things citizens need and nothing a browser could run."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nh3
import pytest
from jinja2 import Environment
from markupsafe import Markup

from app.comments.rendering import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    LINK_REL,
    render_comment,
)

PAYLOADS_FILE = Path(__file__).parent.parent / "data" / "xss_payloads.json"

# Written out here rather than imported, so that loosening the module's allow-list fails these tests.
SAFE_TAGS = {"p", "br", "ul", "ol", "li", "a", "em", "strong", "blockquote"}
SAFE_ATTRIBUTES = {"a": {"href", "rel"}, "ol": {"start"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
FORBIDDEN_SNIPPETS = ("<script", "<img", "<iframe", "<svg", "<math", "<style", "<object", "<embed", "<form", "<!--")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


class _Elements(HTMLParser):
    """Collect the elements and attributes of an HTML fragment the way a browser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_comment(self, data: str) -> None:
        self.other.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.other.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.other.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.other.append(f"declaration {data!r}")


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    assert not parser.other, parser.other
    return parser.elements


def _problems(html: str) -> list[str]:
    """Everything in rendered HTML that goes beyond the allow-list; empty when the HTML is safe."""
    problems = [f"contains {snippet}" for snippet in FORBIDDEN_SNIPPETS if snippet in html.lower()]
    parser = _Elements()
    parser.feed(html)
    parser.close()
    problems += parser.other
    for tag, attrs in parser.elements:
        if tag not in SAFE_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs.items():
            if name not in SAFE_ATTRIBUTES.get(tag, set()):
                problems.append(f"attribute {name}={value!r} on <{tag}>")
        if tag == "a":
            if attrs.get("rel") != LINK_REL:
                problems.append(f"link without rel: {attrs}")
            # Browsers drop tabs and newlines anywhere in a URL and controls or spaces at its ends before
            # reading the scheme, so check the href as they will see it.
            href = re.sub(r"[\t\n\r]", "", attrs.get("href") or "").strip("\x00- ")
            scheme = _SCHEME.match(href)
            if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                problems.append(f"href {href!r}")
    return problems


def _links(html: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in _elements(html) if tag == "a"]


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \t\r\n "])
def test_blank_text_renders_nothing(text):
    assert render_comment(text) == ""


def test_paragraphs_and_line_breaks():
    html = render_comment("Бірінші жол\nекінші жол\n\nЖаңа абзац")
    assert html == "<p>Бірінші жол<br>\nекінші жол</p>\n<p>Жаңа абзац</p>"


def test_emphasis_and_strong():
    assert (
        render_comment("*маңызды* және **өте маңызды**") == "<p><em>маңызды</em> және <strong>өте маңызды</strong></p>"
    )


def test_bullet_list():
    assert render_comment("- первое\n- второе") == "<ul>\n<li>первое</li>\n<li>второе</li>\n</ul>"


def test_ordered_list_keeps_its_first_number():
    html = render_comment("5. Бапты алып тастау\n6. Мерзімді ұзарту")
    assert html == '<ol start="5">\n<li>Бапты алып тастау</li>\n<li>Мерзімді ұзарту</li>\n</ol>'


def test_blockquote():
    html = render_comment("> Статья 5: штраф 100 МРП\n\nСлишком много.")
    assert html == "<blockquote>\n<p>Статья 5: штраф 100 МРП</p>\n</blockquote>\n<p>Слишком много.</p>"


def test_inline_link_gets_rel():
    html = render_comment("See [the draft](https://legalacts.egov.kz/npa/view?id=1)")
    assert _links(html) == [{"href": "https://legalacts.egov.kz/npa/view?id=1", "rel": "nofollow ugc noopener"}]
    assert ">the draft</a>" in html


def test_autolinks_get_rel():
    html = render_comment("<https://adilet.zan.kz> or <info@example.kz>")
    assert _links(html) == [
        {"href": "https://adilet.zan.kz", "rel": "nofollow ugc noopener"},
        {"href": "mailto:info@example.kz", "rel": "nofollow ugc noopener"},
    ]


def test_bare_url_stays_text():
    assert render_comment("https://example.kz") == "<p>https://example.kz</p>"


def test_link_title_is_dropped():
    # Ammonia keeps `title` and `lang` on every element unless told otherwise.
    assert _links(render_comment('[x](https://example.kz "title")')) == [
        {"href": "https://example.kz", "rel": "nofollow ugc noopener"}
    ]


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("# Тақырып", "<p># Тақырып</p>"),
        ("Тақырып\n---", "<p>Тақырып<br>\n---</p>"),
        ("***", "<p>***</p>"),
        ("```\ncode\n```", "<p>```<br>\ncode<br>\n```</p>"),
        ("`code`", "<p>`code`</p>"),
        ("[r]: https://example.kz\n\n[r]", "<p>[r]: https://example.kz</p>\n<p>[r]</p>"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "<p>| a | b |<br>\n|---|---|<br>\n| 1 | 2 |</p>"),
    ],
    ids=["heading", "setext-heading", "rule", "fence", "inline-code", "reference", "table"],
)
def test_syntax_we_do_not_offer_stays_text(text, html):
    assert render_comment(text) == html


def test_image_is_never_loaded():
    html = render_comment("![pixel](https://tracker.example/p.gif)")
    assert "<img" not in html
    assert not _problems(html)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<b>bold</b>", "<p>&lt;b&gt;bold&lt;/b&gt;</p>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("a <!-- hidden --> b", "<p>a &lt;!-- hidden --&gt; b</p>"),
        ("5 < 6 & 7 > 3", "<p>5 &lt; 6 &amp; 7 &gt; 3</p>"),
    ],
)
def test_raw_html_is_shown_as_text(text, html):
    assert render_comment(text) == html


@pytest.mark.parametrize(
    "text",
    [
        "Заңның 5-бабы 👍 مرحبا",
        "Статья 5 противоречит Конституции 🇰🇿",
        "שלום עולם \u202bRTL\u202c Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі",
        "👨‍👩‍👧‍👦 ✅ 〰️ 𝐁𝐨𝐥𝐝",
    ],
)
def test_text_in_any_script_survives(text):
    assert render_comment(text) == f"<p>{text}</p>"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](<javascript:alert(1)>)",
        "[x](&#106;avascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "<javascript:alert(1)>",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<iframe src=https://evil.example></iframe>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '"><script>alert(1)</script>',
        "</textarea><script>alert(1)</script>",
        '<div style="width:expression(alert(1))">x</div>',
        "[<img src=x onerror=alert(1)>](https://example.kz)",
        '[x](https://example.kz"onmouseover="alert(1))',
        "![x](javascript:alert(1))",
    ],
)
def test_attack_renders_nothing_executable(text):
    html = render_comment(text)
    assert not _problems(html), html
    for _tag, attrs in _elements(html):
        assert not any(name.startswith("on") for name in attrs), html
        assert "javascript:" not in (attrs.get("href") or "").lower(), html


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        "[x](ftp://example.kz/file)",
    ],
)
def test_link_with_a_foreign_scheme_has_no_href(text):
    assert all("href" not in attrs for attrs in _links(render_comment(text)))


def _payloads() -> list[str]:
    return json.loads(PAYLOADS_FILE.read_text(encoding="utf-8"))


def test_payload_file_is_usable():
    payloads = _payloads()
    assert len(payloads) >= 600
    assert all(isinstance(payload, str) for payload in payloads)
    assert len(set(payloads)) == len(payloads)
    assert not [payload for payload in payloads if "\x00" in payload or len(payload) > 5000]


def test_every_payload_renders_safely():
    failures = {payload: problems for payload in _payloads() if (problems := _problems(render_comment(payload)))}
    assert not failures


def test_output_is_stable_under_the_sanitizer():
    # A fixed point of the same nh3 policy: nothing in the output depends on a later cleaning pass.
    policy = {
        "tags": ALLOWED_TAGS,
        "attributes": ALLOWED_ATTRIBUTES,
        "url_schemes": ALLOWED_URL_SCHEMES,
        "link_rel": LINK_REL,
    }
    changed = [
        payload for payload in _payloads() if (html := render_comment(payload)) != nh3.clean(html, **policy).strip()
    ]
    assert not changed


def test_output_is_safe_as_jinja_markup():
    html = render_comment("**Иә** <script>alert(1)</script>")
    # Marking the output as Markup is exactly what the templates do, and what this test vouches for.
    body = Markup(html)  # noqa: S704
    page = Environment(autoescape=True).from_string("<div>{{ body }}</div>").render(body=body)
    assert page == "<div><p><strong>Иә</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p></div>"


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<p onclick="alert(1)">x</p>',
        '<a href="javascript:alert(1)" rel="nofollow ugc noopener">x</a>',
        '<a href=" &#10;java&#9;script:alert(1)" rel="nofollow ugc noopener">x</a>',
        '<a href="https://example.kz">no rel</a>',
        '<a href="https://example.kz" rel="nofollow ugc noopener" title="t">x</a>',
        "<span>x</span>",
        "<!-- x -->",
    ],
)
def test_the_safety_check_itself_catches_unsafe_html(html):
    assert _problems(html)
