"""PostgreSQL tsqueries built from a query plan (app/search/query.py), one per language.

Russian and English go to `websearch_to_tsquery`, which never fails on odd input; for Kazakh each word is stemmed by
`stem_text` first (PostgreSQL has no Kazakh configuration). Each typed word, "phrase" and glossary term becomes a
small tsquery of its own, combined with && (every clause), || (alternatives, glossary terms) and, for the
exclusions, a separate query: the caller excludes a document that matches it in any language.
"""

import functools

from sqlalchemy import ColumnElement, func, literal_column
from sqlalchemy.dialects.postgresql import TSQUERY

from app.search.analysis import stem_text
from app.search.query import Plan, Term

CONFIGS = {"kk": "simple", "ru": "russian", "en": "english"}


def _tsquery(lang: str, source: str) -> ColumnElement:
    return func.websearch_to_tsquery(literal_column(f"'{CONFIGS[lang]}'"), source)


def _term(lang: str, term: Term) -> ColumnElement:
    """A typed word or "phrase" (or a glossary term, always a phrase) as one language's tsquery."""
    words = stem_text(term.text, "kk") if lang == "kk" else term.text
    # Several stems from one word (үй-жай) stay together, as websearch keeps a hyphenated word. A stop word gives
    # an empty tsquery, which drops out of the combinations below.
    quoted = words and (term.phrase or (lang == "kk" and " " in words))
    return _tsquery(lang, f'"{words}"' if quoted else words)


def _combine(operator: str, parts: list[ColumnElement]) -> ColumnElement:
    # An empty part (a stop word) drops out: '' && 'a' is 'a'.
    return functools.reduce(lambda a, b: a.op(operator, return_type=TSQUERY)(b), parts)


def plan_tsqueries(
    asked: Plan, lang: str, translated: bool = True
) -> tuple[ColumnElement | None, ColumnElement | None]:
    """One language's tsquery for what a match needs (each clause: a typed option, a glossary synonym in the language
    typed or, unless translated is False, a glossary translation) and one for what excludes a document, or None."""
    clauses = []
    for clause in asked.clauses:
        options = [_combine("&&", [_term(lang, term) for term in option]) for option in clause.options]
        options += [_term(lang, Term(e.text, phrase=True)) for e in clause.expansions
                    if e.lang == lang and (translated or e.own_language)]  # fmt: skip
        clauses.append(_combine("||", options))
    excluded = [_term(lang, term) for term in asked.excluded]
    return (_combine("&&", clauses) if clauses else None), (_combine("||", excluded) if excluded else None)


def forms_tsquery(forms: list[str]) -> ColumnElement:
    """Any of the exact forms typed, for the 'simple' vector of every language's text."""
    return _combine("||", [func.plainto_tsquery(literal_column("'simple'"), form) for form in forms])
