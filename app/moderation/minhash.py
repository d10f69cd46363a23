"""MinHash signatures and banded LSH: near-identical texts found and grouped, in pure functions (no database)."""

import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

import numpy as np

NUM_PERM = 128
# 16 bands of 8 rows: a pair becomes a candidate near (1/16) ** (1/8) ≈ 0.707 estimated Jaccard.
BANDS = 16
ROWS = 8
THRESHOLD = 0.7
SHINGLE_K = 5
# Below 26 shingles (about 30 normalised characters: "согласен", "против законопроекта", "заң жобасын толық
# қолдаймын") many people write the same words on their own; such texts get no signature and join no group.
MIN_SHINGLES = 26
# A look-alike group has at least this many members; one that falls below it after an edit is dissolved.
MIN_CAMPAIGN = 2

_SIGNATURE_BYTES = NUM_PERM * 8
_P = (1 << 61) - 1
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"\S+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Latin look-alikes typed inside Cyrillic words (keyboards without Kazakh, or evasion of duplicate checks).
_HOMOGLYPHS = str.maketrans("aceopxyikmthb", "асеорхуікмтнв")


def _parameters() -> tuple[np.ndarray, np.ndarray]:
    """The NUM_PERM (a, b) pairs of the hash family, derived with blake2b."""
    # Signatures are stored in the database, so the parameters must never change: numpy's random streams
    # may change between numpy versions, blake2b of a fixed label does not.
    a, b = [], []
    for i in range(NUM_PERM):
        digest = hashlib.blake2b(f"kenes-minhash-{i}".encode(), digest_size=16).digest()
        a.append(int.from_bytes(digest[:8], "little") % (_P - 1) + 1)
        b.append(int.from_bytes(digest[8:], "little") % _P)
    return np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64)


_A, _B = _parameters()
_MASK29 = np.uint64((1 << 29) - 1)
_MASK32 = np.uint64((1 << 32) - 1)
_PU = np.uint64(_P)
# a = a_hi * 2**32 + a_lo; a_hi is pre-multiplied by 8 because 2**64 ≡ 8 (mod 2**61 - 1).
_A_HI = (_A >> np.uint64(32))[:, None]
_A_HI8 = _A_HI * np.uint64(8)
_A_LO = (_A & _MASK32)[:, None]
_B_COL = _B[:, None]


def _permute(x: np.ndarray) -> np.ndarray:
    """(a * x + b) mod (2**61 - 1) for every hash function (rows) and value x (columns), exactly in uint64."""
    # a * x reaches 2**122; split both into 32-bit halves so that no partial product overflows uint64.
    # In-place operations: fresh temporaries made this 2.5 times slower.
    x = x % _PU
    x_hi, x_lo = x >> np.uint64(32), x & _MASK32
    total = _A_HI8 * x_hi  # a_hi * x_hi * 2**64 ≡ 8 * a_hi * x_hi < 2**61
    mid = _A_HI * x_lo
    tmp = _A_LO * x_hi
    mid += tmp  # < 2**62, weighs 2**32
    # mid * 2**32 = (mid >> 29) * 2**61 + (mid & (2**29 - 1)) * 2**32, and 2**61 ≡ 1.
    np.right_shift(mid, np.uint64(29), out=tmp)
    total += tmp
    mid &= _MASK29
    mid <<= np.uint64(32)
    total += mid
    low = np.multiply(_A_LO, x_lo, out=mid)  # < 2**64
    np.right_shift(low, np.uint64(61), out=tmp)
    total += tmp
    low &= _PU
    total += low
    total += _B_COL  # five terms, each below 2**61 + 8: the sum stays below 2**64
    np.right_shift(total, np.uint64(61), out=tmp)
    total &= _PU
    total += tmp  # now below 2**61 + 7
    np.subtract(total, _PU, out=total, where=total >= _PU)
    return total


def _minhash(values: np.ndarray) -> np.ndarray:
    """The NUM_PERM minima of the permuted values, computed in column blocks."""
    # Blocks of 256 keep the temporaries in L2 cache (faster) and bound memory for a very long comment.
    minima = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(values), 256):
        np.minimum(minima, _permute(values[None, start : start + 256]).min(axis=1), out=minima)
    return minima


def normalise(text: str) -> str:
    """Reduce a comment to lower-case words: no URLs, markdown, punctuation, ё or extra whitespace."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    text = _NON_WORD.sub(" ", _URL.sub(" ", text))
    words = [word.translate(_HOMOGLYPHS) if _CYRILLIC.search(word) else word for word in _WORD.findall(text)]
    return " ".join(words)


def shingles(text: str, k: int = SHINGLE_K) -> set[int]:
    """The character k-grams of the normalised text, each hashed to an unsigned 64-bit int."""
    norm = normalise(text)
    if not norm:
        return set()
    grams = {norm[i : i + k] for i in range(max(1, len(norm) - k + 1))}
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams}


def is_groupable(text: str) -> bool:
    """Whether the text is long enough to be told apart from what many people write independently."""
    return len(shingles(text)) >= MIN_SHINGLES


def signature(text: str) -> bytes:
    """The MinHash signature (NUM_PERM little-endian uint64 minima), or b"" for a text too short to group."""
    values = shingles(text)
    # An empty signature has no bands and matches nothing, so short texts cannot be grouped by any caller.
    if len(values) < MIN_SHINGLES:
        return b""
    return _minhash(np.fromiter(values, dtype=np.uint64, count=len(values))).astype("<u8").tobytes()


def _check(sig: bytes) -> None:
    """Reject bytes that are neither a signature nor the empty one."""
    if len(sig) not in (0, _SIGNATURE_BYTES):
        raise ValueError(f"a signature has {_SIGNATURE_BYTES} bytes (or none), got {len(sig)}")


def bands(sig: bytes) -> list[int]:
    """BANDS non-negative 63-bit band hashes (fit a BIGINT); band i covers rows i*ROWS..(i+1)*ROWS-1."""
    _check(sig)
    if not sig:
        return []
    step = ROWS * 8
    # The band number is hashed in, so equal rows in different bands never collide in one indexed column.
    hashes = []
    for i in range(BANDS):
        digest = hashlib.blake2b(i.to_bytes(2, "little") + sig[i * step : (i + 1) * step], digest_size=8).digest()
        # Dropping the lowest bit keeps the value below 2**63, so it fits a signed BIGINT column.
        hashes.append(int.from_bytes(digest, "little") >> 1)
    return hashes


# The last signatures' bands: a posted comment's are worked out before the write lock (prepare_fingerprint), then
# looked up under it twice (its look-alikes, its band rows). Callers must not change the list.
cached_bands = lru_cache(maxsize=64)(bands)


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """The fraction of equal minima: an estimate of the Jaccard similarity of the two shingle sets."""
    _check(sig_a)
    _check(sig_b)
    if not sig_a or not sig_b:
        return 0.0
    return float(np.count_nonzero(np.frombuffer(sig_a, "<u8") == np.frombuffer(sig_b, "<u8"))) / NUM_PERM


def group(signatures: dict[int, bytes], threshold: float = THRESHOLD) -> list[list[int]]:
    """Group ids whose signatures share a band and reach `threshold`, transitively; groups of MIN_CAMPAIGN or more."""
    # Candidates come from the bands, so a threshold well below the S-curve (~0.7) finds few extra pairs.
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    by_sig: dict[bytes, list[int]] = defaultdict(list)
    for comment_id, sig in signatures.items():
        _check(sig)
        if sig:
            by_sig[sig].append(comment_id)
    # Exact copies are one node, so a pasted text costs the same however many times it was posted.
    nodes = list(by_sig.values())
    matrix = np.frombuffer(b"".join(by_sig), "<u8").reshape(len(nodes), NUM_PERM)
    need = math.ceil(threshold * NUM_PERM - 1e-9)

    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[int, list[int]] = defaultdict(list)
    for node, sig in enumerate(by_sig):
        for band in bands(sig):
            buckets[band].append(node)
    for members in buckets.values():
        if len(members) < 2:
            continue  # most bands of most comments: checked first because numpy calls cost microseconds each
        idx = np.array(members)
        labels = np.array([find(m) for m in members])
        if (labels == labels[0]).all():
            continue  # already joined through earlier bands
        for j in range(1, len(members)):
            earlier = labels[:j]
            # Pairs already joined through others need no check; in a campaign that is nearly all of them.
            other = np.flatnonzero(earlier != labels[j])
            probe = matrix[idx[j]]
            roots: set[int] = set()
            while other.size:
                # One member of another group nearly always matches inside a campaign; the rest of that
                # group is checked only when it does not, which gives the same result as checking every pair.
                label = earlier[other[0]]
                component = other[earlier[other] == label]
                if (
                    np.count_nonzero(matrix[idx[component[0]]] == probe) >= need
                    or (np.count_nonzero(matrix[idx[component[1:]]] == probe, axis=1) >= need).any()
                ):
                    roots.add(int(label))
                other = other[earlier[other] != label]
            if roots:
                # labels hold current roots (kept up to date here), so linking them is a correct union.
                new_root = int(labels[j])
                for root in roots:
                    parent[root] = new_root
                labels[np.isin(labels, list(roots))] = new_root

    groups: dict[int, list[int]] = defaultdict(list)
    for node, ids in enumerate(nodes):
        groups[find(node)].extend(ids)
    result = [sorted(ids) for ids in groups.values() if len(ids) >= MIN_CAMPAIGN]
    return sorted(result, key=lambda ids: (-len(ids), ids[0]))
