"""A proposed wording shown against the text it would replace: the section with its points, and a word diff."""

from sqlalchemy import func, select

from app.comments.models import Comment
from app.comments.services import MAX_WORDING
from app.extensions import db
from app.i18n import CONTENT_LANGUAGES, fallback_order
from app.laws.diffs import word_diff
from app.laws.models import Section


def load_subtree(section: Section) -> list[Section]:
    """Return the section and its descendants in document order, with one query."""
    # Descendants follow a section in document order, deeper than it, until the next part at its depth or above:
    # only they are loaded (reading the rest of the draft as objects cost more than the page's other queries).
    after = Section.version_id == section.version_id, Section.position > section.position
    end = select(func.min(Section.position)).where(*after, Section.depth <= section.depth).scalar_subquery()
    following = db.session.scalars(
        select(Section)
        .where(*after, Section.position < func.coalesce(end, section.position + 2001))
        .order_by(Section.position)
    ).all()
    return [section, *following]


def full_text(subtree: list[Section], lang: str) -> str:
    """The text of a section with its points and sub-points, numbered as in the law."""
    lines = []
    for item in subtree:
        body = getattr(item, f"body_{lang}") or ""
        if not body:
            continue
        if item is not subtree[0] and item.number:
            body = f"{item.number}{')' if item.kind == 'subpoint' else '.'} {body}"
        lines.append(body)
    return "\n".join(lines)


def current_text(subtree: list[Section], lang: str) -> str:
    """The section's text to start a proposed wording from: in this language, else the next by fallback_order."""
    for code in fallback_order(lang):
        text = full_text(subtree, code)
        if text:
            return text
    return ""


def starting_wording(subtree: list[Section], lang: str) -> str:
    """What the proposed-wording box starts with: the section's current text, unless it is too long to propose."""
    text = current_text(subtree, lang)
    return text if len(text) <= MAX_WORDING else ""


def _words(text: str) -> list[str]:
    return text.split()


def is_unchanged(subtree: list[Section], wording: str | None) -> bool:
    """Whether a proposed wording is the section's text as it stands (in any language), spacing aside."""
    words = _words(wording or "")
    return bool(words) and any(words == _words(full_text(subtree, code)) for code in CONTENT_LANGUAGES)


def proposal_differ(subtree: list[Section], reader_lang: str):
    """Return a function giving the word diff of a comment's proposed wording against the section's text."""
    texts: dict[str, str] = {}

    def diff(comment: Comment, _section: Section | None = None) -> list[tuple[str, str]] | None:
        if not comment.proposed_wording:
            return None
        for lang in (comment.lang, *fallback_order(reader_lang)):
            if lang not in texts:
                texts[lang] = full_text(subtree, lang)
            if texts[lang]:
                return word_diff(texts[lang], comment.proposed_wording)
        return [("insert", comment.proposed_wording)]

    return diff
