"""How a structural unit is cited by number: "5" (article 5), "4.2" (its point 2), "3.2.1" (sub-point 1 of that).

One helper for everyone who names a unit by number: the comments import reads these paths from letters and
spreadsheets, the summaries write them, exports print them. An article's path starts with its own number; its
points and sub-points add theirs, dot-separated. Chapters and sections (раздел) are cited by their own number
only; the preamble has no number ("").
"""

from collections.abc import Iterable, Mapping

from app.laws.models import Section

# Parts cited on their own: their number is the whole path, whatever contains them.
_STANDALONE = frozenset({"preamble", "section", "chapter"})


def section_number_path(section: Section, by_id: Mapping[int, Section] | None = None) -> str:
    """Return the dotted number path of a section ("5", "4.2", "3.2.1"; a chapter's own number).

    With `by_id` (every section of the version by id) the parents are looked up there, without a query;
    without it, through `section.parent`.
    """
    if section.kind in _STANDALONE:
        return section.number
    parts = []
    current: Section | None = section
    while current is not None and current.kind not in _STANDALONE:
        parts.append(current.number)
        if current.kind == "article":
            break
        if current.parent_id is None:
            current = None
        else:
            current = by_id.get(current.parent_id) if by_id is not None else current.parent
    return ".".join(reversed(parts))


def number_paths(sections: Iterable[Section]) -> dict[int, str]:
    """Return {section id: dotted number path} for the sections of one version (no queries)."""
    sections = list(sections)
    by_id = {s.id: s for s in sections}
    return {s.id: section_number_path(s, by_id) for s in sections}


def sections_by_number_path(sections: Iterable[Section], kinds: Iterable[str] | None = None) -> dict[str, Section]:
    """Return {dotted path: section} for one version's sections (optionally of these kinds only).

    Chapters and articles can share a number ("1" is chapter 1 and article 1); pass `kinds` to choose, else
    the article (or its points) wins over a chapter of the same number.
    """
    sections = list(sections)
    wanted = set(kinds) if kinds is not None else None
    by_id = {s.id: s for s in sections}
    found: dict[str, Section] = {}
    # Standalone parts first, so an article with the same path replaces a chapter.
    for section in sorted(sections, key=lambda s: (s.kind not in _STANDALONE, s.position)):
        if wanted is not None and section.kind not in wanted:
            continue
        path = section_number_path(section, by_id)
        if path:
            found[path] = section
    return found
