"""Turn citizens' comments into safe HTML.

Comments accept a light Markdown: paragraphs, line breaks, emphasis, lists, links and quotes. markdown-it-py
renders it with raw HTML off, then nh3 cleans the result against an allow-list, so a bug in either layer
alone cannot let markup through. The result is safe to wrap in `markupsafe.Markup`.

Proposed wording (the text a citizen suggests for an article) takes no markup at all, so there is no
renderer for it here: templates print it with Jinja's autoescape inside an element styled
`white-space: pre-wrap` (`.proposal-text` in kenes.css), which keeps the citizen's line breaks and
indentation exactly and never needs `|safe`.
"""

import nh3
from markdown_it import MarkdownIt

# Rules switched off keep their source as literal text: headings would let one comment shout over the page,
# images are tracking pixels, raw HTML is never trusted, code and rules add nothing to a consultation, and
# reference definitions would silently swallow lines of a comment.
_DISABLED_RULES = [
    "code",
    "fence",
    "hr",
    "html_block",
    "heading",
    "lheading",
    "reference",
    "backticks",
    "image",
    "html_inline",
]

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).disable(_DISABLED_RULES)

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "a", "em", "strong", "blockquote"}
# `start` keeps a list that begins at "5." numbered from 5: citizens number points after the law's articles,
# and renumbering them from 1 would change what the comment says. The empty "*" entry removes the `title` and
# `lang` that ammonia otherwise allows on every element.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "ol": {"start"}, "*": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


def render_comment(text: str) -> str:
    """Render a comment's light Markdown as sanitised HTML; blank text gives an empty string."""
    if not text or not text.strip():
        return ""
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
