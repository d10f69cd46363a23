"""Benchmark Kenes's Whoosh search against SQLite FTS5 on the same synthetic corpus, in one run.

Run: .venv/bin/python bench/search.py [--comments 100000] [--sections 5000] [--queries 300]
Prints, for each engine: build time, index size, query p50 and p95 (1-3 word queries, top 10 with
highlighted snippets), and the Whoosh/FTS5 ratios. No assertions: the figures go into the README.

The corpus is built from the words of the demo draft laws (kk, ru, en), so term frequencies look like
legal text; comments are 20-200 words, sections 30-300.
"""

import argparse
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh import qparser  # noqa: E402

from app.search.snippets import snippet  # noqa: E402
from app.search.whoosh_backend import make_schema  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "app" / "laws" / "demo_texts"
WORD = re.compile(r"[^\W\d_]{3,}")
LANGS = ("kk", "ru", "en")


def vocabulary() -> dict[str, list[str]]:
    words: dict[str, list[str]] = {}
    for lang in LANGS:
        text = " ".join(path.read_text(encoding="utf-8") for path in DEMO.glob(f"*.{lang}.txt"))
        words[lang] = [w.lower() for w in WORD.findall(text)]
    return words


def corpus(n_comments: int, n_sections: int, seed: int = 1):
    rng = random.Random(seed)
    words = vocabulary()
    docs = []
    for i in range(n_sections + n_comments):
        lang = rng.choices(LANGS, weights=(4, 5, 1))[0]
        low, high = (30, 300) if i < n_sections else (20, 200)
        text = " ".join(rng.choice(words[lang]) for _ in range(rng.randint(low, high)))
        docs.append((f"{'section' if i < n_sections else 'comment'}:{i}", lang, text))
    queries = []
    for _ in range(10_000):
        lang = rng.choices(LANGS, weights=(4, 5, 1))[0]
        queries.append((lang, " ".join(rng.choice(words[lang]) for _ in range(rng.randint(1, 3)))))
    return docs, queries


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def bench_whoosh(docs, queries, n_queries: int, workdir: Path) -> dict:
    target = workdir / "whoosh"
    target.mkdir()
    started = time.perf_counter()
    ix = whoosh_index.create_in(str(target), make_schema())
    writer = ix.writer(limitmb=256, procs=1)
    for doc_id, lang, text in docs:
        writer.add_document(doc_id=doc_id, type=doc_id.split(":")[0], law="bench", status="open", agency="a",
                            hash="x", **{f"text_{lang}": text})  # fmt: skip
    writer.commit(optimize=True)
    build = time.perf_counter() - started
    texts = {doc_id: (lang, text) for doc_id, lang, text in docs}
    searcher = ix.searcher()  # kept open, as each Kenes process does
    timings = []
    for _lang, query in queries[:n_queries]:
        started = time.perf_counter()
        parser = qparser.MultifieldParser(
            [f"text_{code}" for code in LANGS], ix.schema, group=qparser.OrGroup.factory(0.9)
        )
        results = searcher.search(parser.parse(query), limit=10)
        for hit in results:
            doc_lang, text = texts[hit["doc_id"]]
            snippet(text, query, doc_lang)
        timings.append((time.perf_counter() - started) * 1000)
    searcher.close()
    return {"build": build, "size": size_of(target), "p50": percentile(timings, 50), "p95": percentile(timings, 95)}


FTS_QUERY = (
    "SELECT doc_id, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 10"
)


def bench_fts5(docs, queries, n_queries: int, workdir: Path) -> dict:
    path = workdir / "fts.db"
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    conn.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(doc_id UNINDEXED, body, tokenize='unicode61 remove_diacritics 0')"
    )
    conn.executemany("INSERT INTO fts (doc_id, body) VALUES (?, ?)", ((d, t) for d, _, t in docs))
    conn.commit()
    conn.execute("INSERT INTO fts(fts) VALUES('optimize')")
    conn.commit()
    build = time.perf_counter() - started
    timings = []
    for _lang, query in queries[:n_queries]:
        started = time.perf_counter()
        rows = conn.execute(FTS_QUERY, (" ".join(f'"{word}"' for word in query.split()),)).fetchall()
        if not rows and " " in query:
            conn.execute(FTS_QUERY, (" OR ".join(f'"{word}"' for word in query.split()),)).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    conn.close()
    return {"build": build, "size": size_of(path), "p50": percentile(timings, 50), "p95": percentile(timings, 95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--sections", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    docs, queries = corpus(args.comments, args.sections)
    words = sum(len(text.split()) for _, _, text in docs)
    print(f"corpus: {args.comments} comments + {args.sections} sections, {words:,} words; {args.queries} queries")
    workdir = Path(tempfile.mkdtemp(prefix="kenes-search-bench-"))
    try:
        fts = bench_fts5(docs, queries, args.queries, workdir)
        whoosh = bench_whoosh(docs, queries, args.queries, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{'engine':8} {'build s':>9} {'size MB':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for name, r in (("whoosh", whoosh), ("fts5", fts)):
        print(f"{name:8} {r['build']:9.1f} {r['size'] / 2**20:9.1f} {r['p50']:8.2f} {r['p95']:8.2f}")
    print(f"ratio whoosh/fts5: build {whoosh['build'] / fts['build']:.1f}x, size {whoosh['size'] / fts['size']:.1f}x, "
          f"p50 {whoosh['p50'] / fts['p50']:.1f}x, p95 {whoosh['p95'] / fts['p95']:.1f}x")  # fmt: skip
    print("whoosh uses the app's schema (stemmed kk/ru/en fields, spelling, nothing stored but ids);"
          " fts5 uses unicode61 without stemming and its own snippet(); whoosh snippets are Kenes's own.")  # fmt: skip


if __name__ == "__main__":
    main()
