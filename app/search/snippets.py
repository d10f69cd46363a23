"""Snippets for search results: the best passage of a text, escaped, with the matching words in <mark>."""

from collections.abc import Iterable
from functools import lru_cache

from markupsafe import Markup, escape

from app.search.analysis import word_spans

WINDOW = 220


@lru_cache(maxsize=1024)
def query_terms(query: str, lang: str) -> frozenset[str]:
    """The query's words as the index sees them in one language (folded, stemmed)."""
    return frozenset(stem for _, _, stem in word_spans(query, lang))


def snippet(text: str, query: str, lang: str, also: Iterable[str] = ()) -> tuple[Markup, int, int]:
    """Return (HTML passage, number of matching words, how many of them the query's own) for a text in one
    language; also: more terms to mark (the glossary's, in this language)."""
    typed = query_terms(query, lang)
    terms = typed | query_terms(" ".join(also), lang)
    spans, own = [], 0
    for start, end, stem in word_spans(text, lang):
        if stem in terms:
            spans.append((start, end))
            own += stem in typed
    if not spans:
        passage = text[:WINDOW]
        return escape(passage) + ("…" if len(text) > WINDOW else ""), 0, 0
    # The window that holds the most matches, starting at a match.
    best_start, best_count = spans[0][0], 0
    for start, _ in spans:
        count = sum(1 for s, e in spans if start <= s and e <= start + WINDOW)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - 40)
    space = text.rfind(" ", 0, begin)
    begin = space + 1 if begin and space != -1 else begin
    end = min(len(text), begin + WINDOW)
    out, cursor = [], begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        out.append(escape(text[cursor:start]))
        out.append(Markup("<mark>") + escape(text[start:stop]) + Markup("</mark>"))
        cursor = stop
    out.append(escape(text[cursor:end]))
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    # Every piece is escaped text or our own <mark> tags, so joining them as Markup is safe.
    return Markup("").join([escape(prefix), *out, escape(suffix)]), len(spans), own
