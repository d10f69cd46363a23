"""Themes: comments on one unit, in one language, grouped by what they say.

Each comment (a campaign: once, by one member's text) is a TF-IDF vector over its stemmed words (app.summaries.text)
in its language: the IDF of the unit's comments (a word everything said about the unit uses weighs little) times the
IDF of the whole draft's comments (so does a word people use in comments about anything). Clusters never mix
languages. Average-linkage agglomerative clustering on cosine distance builds the
whole dendrogram; the number of themes comes from the data: the tree is cut inside the widest gap between
successive merge heights (within CUT_RANGE), i.e. where joining more comments would first join ones that have
clearly less in common than every merge before. A unit whose comments all say one thing is cut above its last
merge (one theme); comments that join nothing (a singleton after the cut) belong to no theme.

Measured on the generated consultation in tests/summaries/corpus.py (2,000 comments, 11 topics on 6 articles,
kk/ru/en, 10-30% noise, several seeds): purity 1.0, ARI 0.94-1.0 against topic x language; with the unit's IDF
alone, purity fell to 0.97 (two topics of one article sharing their words merged). See tests/summaries/test_themes.py.
"""

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

# The cut is looked for among merges at these cosine distances: below 0.5 comments share most of their words
# (always one theme); above 0.95 they share next to nothing (never one theme).
CUT_RANGE = (0.5, 0.95)
# Average linkage keeps an n x n distance matrix: above this many comments, cluster a sample of this size and
# put every other comment into the theme whose centroid is nearest, if it is as close as the cut.
MAX_EXACT = 2500
MIN_THEME = 2  # comments (campaigns counted once) that make a theme
LABEL_TERMS = 3


@dataclass
class Theme:
    members: list[int]  # indices into the documents given to find_themes
    terms: list[str]  # stems, most characteristic first


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def vectorize(docs: list[list[str]], idf: Mapping[str, float] | None = None) -> tuple[csr_matrix, np.ndarray] | None:
    """TF-IDF rows (sublinear tf, L2-normalised) for pre-tokenised documents, and the vocabulary; None if empty.

    The IDF is the documents' own; with `idf` (the draft's, per stem) each column is also weighed by it.
    """
    if not any(docs):
        return None
    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm=None, dtype=np.float32)
    matrix = vectorizer.fit_transform(docs).tocsr()
    vocabulary = vectorizer.get_feature_names_out()
    if idf is not None:
        ceiling = max(idf.values(), default=1.0)
        weights = np.array([idf.get(term, ceiling) for term in vocabulary], dtype=np.float32)
        matrix = matrix.multiply(weights).tocsr()
    return normalize(matrix, copy=False), vocabulary


def draft_idf(docs_by_lang: Mapping[str, list[list[str]]]) -> dict[str, dict[str, float]]:
    """Per language, the smoothed IDF of each stem over all comments on the draft (campaigns once)."""
    result = {}
    for lang, docs in docs_by_lang.items():
        counts = Counter(stem for doc in docs for stem in set(doc))
        n = len(docs)
        result[lang] = {stem: math.log((1 + n) / (1 + df)) + 1 for stem, df in counts.items()}
    return result


def _cut(heights: np.ndarray) -> float:
    """The distance to cut the dendrogram at: the middle of the widest gap between merges within CUT_RANGE."""
    low, high = CUT_RANGE
    # A virtual merge at distance 1 (nothing in common) lets "one theme" win when the last real merge is far below it.
    tops = np.append(heights, 1.0)
    best, cut = -1.0, high
    for i, height in enumerate(heights):
        if not low <= height < high:
            continue
        gap = tops[i + 1] - height
        if gap > best:
            best, cut = gap, min((height + tops[i + 1]) / 2, high)
    return cut


def _cluster(matrix: csr_matrix) -> tuple[np.ndarray, float]:
    """Flat cluster labels (1..k) for the rows and the cut distance used."""
    n = matrix.shape[0]
    similarity = (matrix @ matrix.T).toarray()
    np.clip(similarity, 0.0, 1.0, out=similarity)
    distance = 1.0 - similarity
    np.fill_diagonal(distance, 0.0)
    # Condensed upper triangle, as scipy wants it; rows without a single word are at distance 1 from all.
    condensed = distance[np.triu_indices(n, k=1)].astype(np.float64)
    tree = linkage(condensed, method="average")
    cut = _cut(tree[:, 2])
    return fcluster(tree, cut, criterion="distance"), cut


def find_themes(docs: list[list[str]], idf: Mapping[str, float] | None = None, seed: int = 0) -> list[Theme]:
    """Group documents (stem lists, one language) that say the same thing; themes by size, largest first.

    `idf`: the draft's IDF in this language (draft_idf), so words commenters use about anything ("прошу учесть",
    "уважаемые разработчики") weigh little even where a unit's own IDF would count them as distinctive.
    """
    if len(docs) < MIN_THEME:
        return []
    vectors = vectorize(docs, idf)
    if vectors is None:
        return []
    matrix, vocabulary = vectors
    empty = np.asarray(matrix.getnnz(axis=1) == 0)
    n = matrix.shape[0]
    if n <= MAX_EXACT:
        labels, _cut_at = _cluster(matrix)
    else:
        labels = _cluster_sampled(matrix, seed)
    labels = np.where(empty, 0, labels)  # a comment without content words joins nothing
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels.tolist()):
        if label > 0:
            groups.setdefault(label, []).append(index)
    themes = []
    total = np.asarray(matrix.sum(axis=0)).ravel()
    for members in groups.values():
        if len(members) < MIN_THEME:
            continue
        inside = np.asarray(matrix[members].sum(axis=0)).ravel()
        # Key terms are what the theme says more than the rest of the unit: the theme's centroid less the others'.
        # Without the contrast, words every comment on the unit uses ("must", "керек") label every theme.
        outside = (total - inside) / max(n - len(members), 1)
        weight = inside / len(members) - outside
        top = np.argsort(-weight, kind="stable")[:LABEL_TERMS]
        themes.append(Theme(members, [str(vocabulary[i]) for i in top if weight[i] > 0]))
    themes.sort(key=lambda t: (-len(t.members), t.members[0]))
    return themes


def _cluster_sampled(matrix: csr_matrix, seed: int) -> np.ndarray:
    """Cluster a sample of MAX_EXACT rows, then give each other row the label of the nearest centroid within the cut."""
    n = matrix.shape[0]
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=MAX_EXACT, replace=False))
    sample_labels, cut = _cluster(matrix[sample])
    labels = np.zeros(n, dtype=np.int64)
    labels[sample] = sample_labels
    names = np.unique(sample_labels)
    centroids = np.vstack([np.asarray(matrix[sample[sample_labels == name]].mean(axis=0)).ravel() for name in names])
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    centroids = centroids / np.where(norms == 0, 1, norms)
    rest = np.setdiff1d(np.arange(n), sample, assume_unique=True)
    for start in range(0, len(rest), 5000):
        chunk = rest[start : start + 5000]
        similarity = matrix[chunk] @ centroids.T
        nearest = similarity.argmax(axis=1)
        close = similarity[np.arange(len(chunk)), nearest] >= 1.0 - cut
        labels[chunk] = np.where(close, names[nearest], 0)
    return labels


def surface_label(terms: list[str], surfaces: dict[str, Counter]) -> str:
    """The theme's key terms as people wrote them: each stem shown as its most frequent word form."""
    shown = []
    for term in terms:
        forms = surfaces.get(term)
        # Most frequent first; between equally frequent forms the shorter (closer to the bare word), then A-Z.
        shown.append(min(forms.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0] if forms else term)
    return ", ".join(shown)
