"""How close a "did you mean" must be to the word typed, the same for both engines (issue 12.7).

A correction must be close (at most one edit in a word of up to five letters, two in a longer one: "maill" may
become "mail", never "all"; "waste" never "act") and, checked by the caller, find more than the query did.
"""

import re

from app.search.analysis import fold

MAX_EDITS = 2


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): a swap of two letters is one edit, as in Whoosh."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return previous[-1]


def max_edits(word: str) -> int:
    """The edits a correction of this word may make: about a third of its length, at least one, at most two."""
    return max(1, min(MAX_EDITS, len(word) // 3))


def close(word: str, suggestion: str) -> bool:
    return suggestion != word and edit_distance(word, suggestion) <= max_edits(word)


def closest(word: str, candidates, frequency) -> str | None:
    """The candidate fewest edits away, the most frequent among those; None when none is close enough."""
    ranked = sorted((edit_distance(word, candidate), -frequency(candidate), candidate) for candidate in set(candidates))
    for distance, _, candidate in ranked:
        if candidate != word and distance <= max_edits(word):
            return candidate
    return None


def same_case(word: str, like: str) -> str:
    if len(like) > 1 and like.isupper():
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word


def replace_words(text: str, corrections: dict[str, str]) -> str | None:
    """The text with each corrected word replaced (in the case it was typed), or None when nothing changes."""
    if not corrections:
        return None

    def correct(match: re.Match) -> str:
        word = match.group(0)
        best = corrections.get(fold(word))
        return same_case(best, word) if best else word

    corrected = re.sub(r"\w+", correct, text)
    return corrected if corrected != text else None
