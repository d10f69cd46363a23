"""What a query asks for, read once for both engines: its words and "phrases", alternatives, exclusions, and the
glossary's terms in the other languages (app/search/glossary.py).

The syntax is PostgreSQL's websearch one, and Whoosh reads it the same way: words are ANDed, "quotes" make a
phrase, `or` between two words makes them alternatives (it binds tighter than the AND: `a b or c` is a AND (b OR c)),
`-word` excludes, and the `AND` and `NOT word` that Whoosh users learnt are accepted too.

A run of plain words that names a glossary term (not a phrase: quotes mean "these words as typed") may also be
matched by that term's synonyms and translations, each in its own language. The words as typed rank first.
"""

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, has_app_context

from app.search import glossary
from app.search.analysis import LANGUAGES
from app.search.glossary import Expansion, tokens


@dataclass(frozen=True)
class Term:
    """One unit of a query: a word (or a run of letters and punctuation) or a "quoted phrase"."""

    text: str
    negated: bool = False
    phrase: bool = False


OR = None  # the alternative operator between two terms


def parse_query(cleaned: str) -> list[Term | None]:
    """Split a cleaned query into terms and ORs, reading both websearch syntax and Whoosh's AND / NOT."""
    terms: list[Term | None] = []
    negate = False
    # clean_query leaves quotes balanced, so every odd piece is the inside of a phrase.
    for position, piece in enumerate(cleaned.split('"')):
        if position % 2:
            if piece.strip():
                terms.append(Term(piece.strip(), negate, phrase=True))
            negate = False
            continue
        for chunk in piece.split():
            if chunk == "AND":
                continue
            if chunk == "NOT" or not chunk.strip("-"):
                negate = True  # also a bare "-" before a word or a "phrase", as websearch reads it
                continue
            if chunk.lower() == "or":
                terms.append(OR)
                negate = False
                continue
            terms.append(Term(chunk.lstrip("-"), negate or chunk.startswith("-")))
            negate = False
    return terms


@dataclass(frozen=True)
class Clause:
    """One thing a match needs: any of the typed options (each a run of terms that must all match), or any
    of the glossary's expansions of them."""

    options: tuple[tuple[Term, ...], ...]
    expansions: tuple[Expansion, ...] = ()

    @property
    def simple(self) -> bool:
        """A single typed word, not a phrase, and no alternative: a glossary term may span several of these."""
        return len(self.options) == 1 and len(self.options[0]) == 1 and not self.options[0][0].phrase


@dataclass(frozen=True)
class Plan:
    clauses: tuple[Clause, ...]  # all needed (any, in the fallback when all find nothing)
    excluded: tuple[Term, ...] = ()

    @property
    def typed(self) -> list[Term]:
        """Every term the query asks for, as typed: for the exact-form boost and the spelling."""
        return [term for clause in self.clauses for option in clause.options for term in option]

    @property
    def sequence(self) -> list[Term]:
        """The typed terms that follow one another without alternatives: a phrase match of them ranks higher."""
        return [term for clause in self.clauses if len(clause.options) == 1 for term in clause.options[0]]

    def expansions(self, lang: str) -> list[str]:
        """The glossary terms in one language the query also looks for (to mark them in snippets)."""
        return [e.text for clause in self.clauses for e in clause.expansions if e.lang == lang]


def glossary_path() -> str | None:
    return current_app.config.get("SEARCH_GLOSSARY_FILE") if has_app_context() else None


def plan(cleaned: str, lang_only: bool = False) -> Plan:
    """Read a cleaned query; with lang_only, glossary terms bring only their synonyms in the language typed."""
    return _plan(cleaned, lang_only, glossary.load(glossary_path()))


def searchable(term: Term) -> bool:
    """Whether every language searches the word: one that is a stop word in any of them ("the", "и") is left out,
    or it would be required in the others, whose lists lack it, and "the law" would find nothing."""
    return term.phrase or all(tokens(term.text, lang) for lang in LANGUAGES)


@lru_cache(maxsize=2048)
def _plan(cleaned: str, lang_only: bool, terms: glossary.Glossary) -> Plan:
    clauses: list[Clause] = []
    excluded: list[Term] = []
    alternative = False
    for term in parse_query(cleaned):
        if term is not OR and not searchable(term):
            continue
        if term is OR:
            alternative = bool(clauses)
        elif term.negated:
            excluded.append(term)
            alternative = False
        elif alternative:
            clauses[-1] = Clause((*clauses[-1].options, (term,)))
            alternative = False
        else:
            clauses.append(Clause(((term,),)))
    return Plan(tuple(_expand(clauses, terms, lang_only)), tuple(excluded))


def _expand(clauses: list[Clause], terms: glossary.Glossary, lang_only: bool) -> list[Clause]:
    """Join each run of plain words that names a glossary term into one clause, with the term's expansions."""

    def kept(expansions) -> tuple[Expansion, ...]:
        return tuple(e for e in expansions if e.own_language or not lang_only)

    out: list[Clause] = []
    start = 0
    while start < len(clauses):
        if not clauses[start].simple:
            # Alternatives (a or b) are expanded word by word; a phrase is searched as typed.
            clause = clauses[start]
            more = [e for option in clause.options if len(option) == 1 and not option[0].phrase
                    for match in terms.find([option[0].text]) for e in kept(match.expansions)]  # fmt: skip
            out.append(Clause(clause.options, tuple(dict.fromkeys(more))))
            start += 1
            continue
        end = start
        while end < len(clauses) and clauses[end].simple:
            end += 1
        words = [clause.options[0][0] for clause in clauses[start:end]]
        position = 0
        for match in terms.find([word.text for word in words]):
            out += [Clause(((word,),)) for word in words[position : match.start]]
            out.append(Clause((tuple(words[match.start : match.end]),), kept(match.expansions)))
            position = match.end
        out += [Clause(((word,),)) for word in words[position:]]
        start = end
    return out
