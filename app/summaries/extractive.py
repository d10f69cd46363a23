"""Extractive summary of a unit: the sentences of its comments closest to what all of them say, per language.

Each sentence is a TF-IDF vector over its stems (fitted on the unit's sentences in that language); the unit's centroid
is their mean; a sentence's centrality is its cosine similarity to the centroid. SENTENCES are taken by centrality
less likeness to those already taken, never one that repeats one taken (the same words, or a cosine similarity of
REPEAT or more). Linear in the number of sentences but for a fixed pool (LexRank compares every pair: quadratic, too
slow for a unit with thousands of comments).
"""

from collections.abc import Mapping, Set

import numpy as np

from app.summaries.text import normalise_wording
from app.summaries.themes import vectorize

SENTENCES = 3
MIN_WORDS = 3  # content words a sentence needs to be chosen: "Спасибо." or "Согласен полностью." say nothing
REPEAT = 0.6
DIVERSITY = 0.5  # how much likeness to a chosen sentence costs a candidate
POOL = 200
MAX_CHARS = 400  # a run-on "sentence" longer than this is not shown


def central_sentences(
    items: list[tuple[str, list[str]]],
    idf: Mapping[str, float] | None = None,
    boilerplate: Set[str] = frozenset(),
    limit: int = SENTENCES,
) -> list[str]:
    """The `limit` most central, mutually distinct sentences among (sentence, stems) pairs of one language.

    `idf`: the draft's IDF (app.summaries.themes.draft_idf); `boilerplate`: sentences (as normalise_wording keys)
    written the same way about many units ("Прошу учесть моё мнение."), which say nothing about this one.
    """
    candidates = [
        (text, stems)
        for text, stems in items
        if len(stems) >= MIN_WORDS and len(text) <= MAX_CHARS and normalise_wording(text) not in boilerplate
    ]
    if not candidates:
        return []
    vectors = vectorize([stems for _text, stems in candidates], idf)
    if vectors is None:
        return []
    matrix, _vocabulary = vectors
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return []
    centrality = matrix @ (centroid / norm)
    # The most central sentences of a unit tend to come from its largest theme; among the POOL most central, each
    # next one is chosen for centrality less its likeness to those already chosen (maximal marginal relevance).
    pool = [int(i) for i in np.argsort(-centrality, kind="stable")[:POOL]]
    keys = {i: normalise_wording(candidates[i][0]) for i in pool}
    likeness = (matrix[pool] @ matrix[pool].T).toarray()
    position = {index: k for k, index in enumerate(pool)}
    chosen: list[int] = []
    while len(chosen) < limit:
        best, best_value = None, -np.inf
        for index in pool:
            if index in chosen or keys[index] in {keys[c] for c in chosen}:
                continue
            similar = max((likeness[position[index], position[c]] for c in chosen), default=0.0)
            if similar >= REPEAT:
                continue
            value = centrality[index] - DIVERSITY * similar
            if value > best_value:
                best, best_value = index, value
        if best is None:
            break
        chosen.append(best)
    return [candidates[i][0] for i in chosen]
