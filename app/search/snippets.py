"""Snippets for search results: the best passage of a text, escaped, with the matching words in <mark>."""

from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

from markupsafe import Markup, escape

from app.search.analysis import matched_spans, word_spans

WINDOW = 220

Spans = list[tuple[int, int, str]]


@lru_cache(maxsize=1024)
def query_terms(query: str, lang: str) -> frozenset[str]:
    """The query's words as the index sees them in one language (folded, stemmed)."""
    return frozenset(stem for _, _, stem in word_spans(query, lang))


def matches(text: str, query: str, lang: str, also: Iterable[str] = ()) -> tuple[Spans, int]:
    """The words of a text in one language that a snippet marks, and how many of them are the query's own; also: more
    terms to mark (the glossary's, in this language)."""
    typed = query_terms(query, lang)
    spans = matched_spans(text, lang, typed | query_terms(" ".join(also), lang))
    return spans, sum(1 for _, _, stem in spans if stem in typed)


def passage(text: str, spans: Spans) -> Markup:
    """The text's passage around its marked words (spans, from matches()), escaped, the words in <mark>."""
    if not spans:
        return escape(text[:WINDOW]) + ("…" if len(text) > WINDOW else "")
    # The window that holds the most matches, starting at a match. Matches do not overlap, so their ends rise with
    # their starts and the matches inside a window starting at one are counted by a bisection.
    ends = [end for _, end, _ in spans]
    best_start, best_count = spans[0][0], 0
    for index, (start, _, _) in enumerate(spans):
        count = bisect_right(ends, start + WINDOW, index) - index
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - 40)
    space = text.rfind(" ", 0, begin)
    begin = space + 1 if begin and space != -1 else begin
    end = min(len(text), begin + WINDOW)
    out, cursor = [], begin
    for start, stop, _ in spans:
        if start < begin or stop > end:
            continue
        out.append(escape(text[cursor:start]))
        out.append(Markup("<mark>") + escape(text[start:stop]) + Markup("</mark>"))
        cursor = stop
    out.append(escape(text[cursor:end]))
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    # Every piece is escaped text or our own <mark> tags, so joining them as Markup is safe.
    return Markup("").join([escape(prefix), *out, escape(suffix)])
