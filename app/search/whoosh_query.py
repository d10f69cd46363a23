"""Whoosh queries built from a query plan (app/search/query.py): what must match, and the conditions that rank a
match higher (words side by side, words in the form typed); whoosh_ranking puts them to use.
"""

from zlib import crc32

from whoosh.query import And, AndNot, Or, Phrase, Query
from whoosh.query import Term as WhooshTerm

from app.search.analysis import exact_tokens
from app.search.glossary import tokens
from app.search.query import Clause, Plan, Term

EXACT_FIELD = "exact"
PAIRS_FIELD = "pairs"
PAIR_BUCKETS = 1 << 14  # what the index holds: bump INDEX_VERSION (app/search/documents.py) with it
# A glossary term's boost is shared by its words: a phrase scores about the sum of its words.
SYNONYM_BOOST = 0.5  # a glossary synonym in the language typed ("NGO" -> "non-governmental organisation")
TRANSLATION_BOOST = 0.5  # a glossary term in another language, in the tier of what only translations find


def pairs(words) -> list[str]:
    """Each two neighbouring stems as one token: finding them is a lookup, where a phrase query reads the positions of
    every document holding both words (it added 40% to the slowest searches).

    A pair is hashed into one of PAIR_BUCKETS tokens ("p1f3a"), which bounds the field's dictionary whatever the
    vocabulary (unhashed, it was five times the rest of the index; hashed, it adds about 80% to an index of short
    random texts). Two pairs may share a token: a document of 200 words that holds every word of the query, but not
    side by side, still ranks with those that do about once in a hundred.
    """
    return [f"p{crc32(f'{a} {b}'.encode()) & (PAIR_BUCKETS - 1):x}" for a, b in zip(words, words[1:], strict=False)]


def _in_field(words: tuple[str, ...], fieldname: str, phrase: bool, boost: float = 1.0) -> Query | None:
    if not words:
        return None
    if len(words) == 1:
        return WhooshTerm(fieldname, words[0], boost=boost)
    if phrase:
        return Phrase(fieldname, list(words), boost=boost)
    # A word the analyser splits (5-1-бап, үй-жай): all its parts, as Whoosh's own parser did.
    return And([WhooshTerm(fieldname, word) for word in words], boost=boost)


class _Or(Or):
    """An Or that walks its parts side by side. On indexes under 5,000 documents Whoosh would score every posting of
    every part up front, which is slow when the parts are common words that the AND around them mostly rejects."""

    matcher_type = Or.DEFAULT_MATCHER


def _any(queries) -> Query | None:
    found = [query for query in queries if query is not None]
    return found[0] if len(found) == 1 else _Or(found) if found else None


def _all(queries) -> Query | None:
    found = [query for query in queries if query is not None]
    return found[0] if len(found) == 1 else And(found) if found else None


def _typed(term: Term, langs: list[str]) -> Query | None:
    """A typed word or phrase in every language searched, each through its own analyser."""
    return _any(_in_field(tokens(term.text, lang), f"text_{lang}", term.phrase) for lang in langs)


def _expansion(expansion, langs: list[str]) -> Query | None:
    if expansion.lang not in langs:
        return None
    boost = SYNONYM_BOOST if expansion.own_language else TRANSLATION_BOOST
    words = tokens(expansion.text, expansion.lang)
    return _in_field(words, f"text_{expansion.lang}", phrase=True, boost=boost / max(1, len(words)))


def _clause(clause: Clause, langs: list[str], synonyms: bool, translations: bool) -> Query | None:
    options = [_all(_typed(term, langs) for term in option) for option in clause.options]
    options += [_expansion(e, langs) for e in clause.expansions if (synonyms if e.own_language else translations)]
    return _any(options)


def translates(plan: Plan, langs: list[str]) -> bool:
    """Whether the glossary brings terms of another language into the languages searched."""
    return any(not e.own_language and e.lang in langs for clause in plan.clauses for e in clause.expansions)


def matching(plan: Plan, langs: list[str], any_word: bool = False, translations: bool = True) -> Query | None:
    """What a document must match: every clause (or, with any_word, at least one), and no excluded term; without
    translations, only in the language typed (its words and their synonyms).

    With any word, the glossary's terms are left out: that fallback is for a query nothing matches in full, and
    the translations of common terms (law, article) would bring in most of the index.
    """
    clauses = [
        query
        for clause in plan.clauses
        if (query := _clause(clause, langs, not any_word, translations and not any_word)) is not None
    ]
    if not clauses:
        return None
    # scale: with any word, a document matching more of them ranks higher, as Whoosh's OrGroup.factory(0.9) did.
    query = _Or(clauses, scale=0.9) if any_word and len(clauses) > 1 else _all(clauses)
    excluded = _any(_typed(term, langs) for term in plan.excluded)
    return AndNot(query, excluded) if excluded is not None else query


def side_by_side(plan: Plan, langs: list[str]) -> Query | None:
    """Every two neighbouring words of the query side by side (in one of the languages), or None for a single word."""
    per_lang = []
    for lang in langs:
        found = pairs(sum((tokens(term.text, lang) for term in plan.sequence), ()))
        per_lang.append(_all(WhooshTerm(PAIRS_FIELD, pair) for pair in dict.fromkeys(found)))
    return _any(per_lang) if len(plan.sequence) > 1 else None


def as_typed(plan: Plan) -> Query | None:
    """Every clause in a form typed: each word exactly as written (any case), not another form of its stem."""
    clauses = []
    for clause in plan.clauses:
        options = [_all(WhooshTerm(EXACT_FIELD, form) for term in option for form in exact_tokens(term.text))
                   for option in clause.options]  # fmt: skip
        clauses.append(_any(options))
    return None if None in clauses else _all(clauses)
