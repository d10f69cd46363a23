"""Benchmark the search page's own call (app.search.services.search) against SQLite FTS5 doing the same job.

Run: .venv/bin/python bench/search.py [--comments 100000] [--sections 5000] [--queries 300] [--small]
It builds a throw-away instance (SQLite and a Whoosh index in a temp dir): laws, sections and approved
comments written to the database, then indexed by the app's own rebuild (what `flask search reindex` does).
Each query then goes through `search(query, Filters(), 1, SEARCH_PER_PAGE)` in a request for /<lang>/search/,
as the search page calls it: the best laws, sections and comments, every word required first and any word only
when none match, hits loaded back from the database and snippets cut from its text. The time spent inside the
engine is shown apart, and so is the call's CPU time (this thread's), which other work on a shared machine moves
far less than the wall time. FTS5 gets the same three groups (all words, then any word) with its own snippet().
No assertions: the figures go into the README. --small is a quick check that the script works (seconds).

The corpus (bench/search_corpus.py) draws words with Zipf's law from the real inflected kk/ru/en forms of the app's
own texts and their regular inflections; comments are log-normal in length (median 45 words), sections 30-300 words.
Queries are 1-3 words drawn from the same distribution; a worst-case line times the 20 commonest words alone, and a
last line the first 100 queries again with the index changed (a comment indexed again) before each, as in a busy
consultation: every search then has a new searcher, with only what the process keeps across index changes.
"""

import argparse
import html
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from search_corpus import ZIPF_S, Vocabulary, most_frequent  # noqa: E402 (bench/ is the script's own directory)

WORST = 20  # the most frequent words, each a query: the slowest searches
CHANGING = 100  # realistic queries searched again with the index changed before each
SECTIONS_PER_LAW = 100
AUTHORS = 200


def corpus(n_comments: int, n_sections: int, seed: int = 1):
    """Laws, sections and comments as (lang, text); 10,000 realistic queries and the worst ones, as (lang, text)."""
    from app.search.analysis import STOP_WORDS_BY_LANG

    words = Vocabulary(seed)
    laws = [words.text(4, 12) for _ in range(max(1, -(-n_sections // SECTIONS_PER_LAW)))]
    sections = [words.text(30, 300) for _ in range(n_sections)]
    comments = [words.text(3, 600, median=45) for _ in range(n_comments)]

    def searchable(word: str, lang: str) -> bool:
        return len(word) >= 3 and word not in STOP_WORDS_BY_LANG[lang]

    queries = words.queries(10_000, searchable)
    worst = most_frequent(sections + comments, WORST, searchable)
    return laws, sections, comments, queries, worst, sum(len(forms) for forms in words.words.values())


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def make_app(workdir: Path):
    """Build the app on a fresh SQLite database and index under workdir, nothing shared with instance/."""
    os.environ["KENES_INSTANCE_DIR"] = str(workdir)
    from app import create_app
    from config import Config

    overrides = {
        "SECRET_KEY": "bench-only-" + "x" * 32,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
        "SEARCH_INDEX_DIR": str(workdir / "index"),
        "SEARCH_BACKEND": "whoosh",
        "SEARCH_WRITER": "inline",  # nothing is queued here: the index is built by a rebuild
    }
    return create_app(type("BenchConfig", (Config,), overrides))


def load_database(laws, sections, comments) -> None:
    """Write the corpus as open laws with one version each, their sections and approved comments."""
    from sqlalchemy import insert

    from app.auth.models import User
    from app.comments.models import Comment
    from app.extensions import db
    from app.laws.models import Law, LawVersion, Section, SectionIdentity
    from app.organisations.models import Agency

    db.create_all()
    now = datetime.now(UTC)
    db.session.execute(insert(Agency), [{"id": 1, "slug": "bench", "name_kk": "Агенттік", "name_ru": "Агентство"}])
    db.session.execute(
        insert(User),
        [
            {"id": n, "email": f"bench{n}@example.kz", "display_name": f"Bench {n}", "password_hash": "-"}
            for n in range(1, AUTHORS + 1)
        ],
    )
    db.session.execute(
        insert(Law),
        [
            {"id": n, "slug": f"law-{n}", f"title_{lang}": text, "agency_id": 1, "status": "open"}
            for n, (lang, text) in enumerate(laws, 1)
        ],
    )
    db.session.execute(
        insert(LawVersion),
        [{"id": n, "law_id": n, "number": 1, "languages": "kk,ru,en"} for n in range(1, len(laws) + 1)],
    )
    db.session.execute(
        insert(SectionIdentity),
        [{"id": n, "law_id": 1 + (n - 1) // SECTIONS_PER_LAW} for n in range(1, len(sections) + 1)],
    )
    db.session.execute(
        insert(Section),
        [
            {
                "id": n,
                "version_id": 1 + (n - 1) // SECTIONS_PER_LAW,
                "identity_id": n,
                "position": n,
                "kind": "article",
                "number": str(n),
                "key": f"article:{n}",
                f"body_{lang}": text,
            }
            for n, (lang, text) in enumerate(sections, 1)
        ],
    )
    rng = random.Random(2)
    rows = []
    for n, (lang, text) in enumerate(comments, 1):
        section = rng.randint(1, len(sections)) if sections else 1
        rows.append(
            {
                "id": n,
                "law_id": 1 + (section - 1) // SECTIONS_PER_LAW,
                "section_id": section,
                "author_id": 1 + n % AUTHORS,
                "stance": "support",
                "body": text,
                "body_html": f"<p>{html.escape(text)}</p>",
                "lang": lang,
                "lang_detected": lang,
                "state": "approved",
                "client_token": f"bench-{n}",
                "published_at": now,
            }
        )
        if len(rows) == 5_000:
            db.session.execute(insert(Comment), rows)
            rows = []
    if rows:
        db.session.execute(insert(Comment), rows)
    db.session.commit()


def stats(timings: list[float]) -> dict:
    return {"p50": percentile(timings, 50), "p95": percentile(timings, 95), "max": max(timings)}


def bench_app(app, laws, sections, comments, queries, worst, workdir: Path) -> dict:
    from app.extensions import db
    from app.search import documents, get_backend, whoosh_postings
    from app.search.backend import Filters
    from app.search.services import search

    with app.app_context():
        started = time.perf_counter()
        load_database(laws, sections, comments)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        # As `flask search reindex` reads it (app.search.queue.reindex): a batch of rows per short read transaction.
        count = get_backend().rebuild(documents.all_documents(short_reads=True))
        build = time.perf_counter() - started

        # Time the engine's share of each call without changing the call: wrap this process's backend (its search,
        # and its search of every type at once where it has one; a call inside another is counted once).
        backend = get_backend()
        engine_time, depth = [0.0], [0]

        def timed(method):
            def call(*args, **kwargs):
                started = time.perf_counter()
                depth[0] += 1
                try:
                    return method(*args, **kwargs)
                finally:
                    depth[0] -= 1
                    if not depth[0]:
                        engine_time[0] += time.perf_counter() - started

            return call

        for name in ("search", "search_types"):
            if hasattr(backend, name):
                setattr(backend, name, timed(getattr(backend, name)))
        per_page = app.config["SEARCH_PER_PAGE"]

        def run(asked: list[tuple[str, str]], cold: bool = False, changing: bool = False) -> dict:
            timings, cpu_timings, engine_timings, with_hits, fallback = [], [], [], 0, 0
            for n, (lang, query) in enumerate([asked[0], *asked]):
                if cold and hasattr(backend, "_cache"):
                    # The worst case is a first search of the word: nothing remembered from the realistic run, not even
                    # what this process keeps across index changes.
                    backend._cache, backend._leaf_sets = (None, {}), (None, {})
                    whoosh_postings.forget()
                if changing:
                    # A busy consultation: a comment is indexed again before each search (untimed), as the search
                    # queue does after every post or decision, so each search has a new searcher.
                    doc_id = f"comment:{1 + n * 7919 % len(comments)}"
                    backend.apply([documents.load([doc_id])[doc_id]], [])
                    db.session.remove()
                with app.test_request_context(f"/{lang}/search/", query_string={"q": query}):
                    app.preprocess_request()
                    engine_time[0] = 0.0
                    started, cpu_started = time.perf_counter(), time.thread_time()
                    results = search(query, Filters(), 1, per_page)
                    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
                    db.session.remove()
                if n == 0:
                    continue  # the first call opens the index, as a fresh worker's first search does
                timings.append(elapsed * 1000)
                cpu_timings.append(cpu * 1000)
                engine_timings.append(engine_time[0] * 1000)
                with_hits += results.total > 0
                fallback += results.incomplete
            return {
                **stats(timings),
                "cpu": stats(cpu_timings),
                "engine": stats(engine_timings),
                "with hits": with_hits,
                "fallback": fallback,
            }

        realistic, worst_case = run(queries), run(worst, cold=True)
        changing = run(queries[:CHANGING], changing=True)
    return {"load": loaded, "build": build, "documents": count, "size": size_of(workdir / "index"),
            **realistic, "worst": worst_case, "changing": changing}  # fmt: skip


FTS_QUERY = (
    "SELECT doc_id, snippet(fts, 2, '<mark>', '</mark>', '…', 24) FROM fts WHERE fts MATCH ? AND type = ?"
    " ORDER BY rank LIMIT ?"
)


def bench_fts5(laws, sections, comments, queries, worst, workdir: Path) -> dict:
    from app.search.services import GROUP_SIZES  # the same groups as the search page

    path = workdir / "fts.db"
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    conn.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(doc_id UNINDEXED, type UNINDEXED, body,"
        " tokenize='unicode61 remove_diacritics 0')"
    )
    rows = [
        (f"{kind}:{n}", kind, text)
        for kind, items in (("law", laws), ("section", sections), ("comment", comments))
        for n, (_lang, text) in enumerate(items, 1)
    ]
    conn.executemany("INSERT INTO fts (doc_id, type, body) VALUES (?, ?, ?)", rows)
    conn.commit()
    conn.execute("INSERT INTO fts(fts) VALUES('optimize')")
    conn.commit()
    build = time.perf_counter() - started

    def run(asked: list[tuple[str, str]]) -> dict:
        timings = []
        for _lang, query in asked:
            started = time.perf_counter()
            words = [f'"{word}"' for word in query.split()]
            for kind, size in GROUP_SIZES.items():
                found = conn.execute(FTS_QUERY, (" ".join(words), kind, size)).fetchall()
                if not found and len(words) > 1:
                    conn.execute(FTS_QUERY, (" OR ".join(words), kind, size)).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
        return stats(timings)

    realistic, worst_case = run(queries), run(worst)
    conn.close()
    return {"build": build, "size": size_of(path), **realistic, "worst": worst_case}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--sections", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--small", action="store_true", help="2,000 comments, 200 sections, 100 queries")
    args = parser.parse_args()
    if args.small:
        args.comments, args.sections, args.queries = 2_000, 200, 100
    laws, sections, comments, queries, worst, vocabulary = corpus(args.comments, args.sections)
    queries = queries[: args.queries]
    words = sum(len(text.split()) for _, text in sections + comments)
    print(
        f"corpus: {len(laws)} laws, {args.sections} sections, {args.comments} comments, {words:,} words;"
        f" {args.queries} queries of 1-3 words drawn by frequency (Zipf s={ZIPF_S}) from {vocabulary:,} word forms"
    )
    workdir = Path(tempfile.mkdtemp(prefix="kenes-search-bench-"))
    try:
        fts = bench_fts5(laws, sections, comments, queries, worst, workdir)
        kenes = bench_app(make_app(workdir), laws, sections, comments, queries, worst, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"database load {kenes['load']:.1f} s; the app's rebuild indexed {kenes['documents']} documents")
    print(f"{'':34} {'build s':>8} {'size MB':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    row = "{:34} {:>8} {:>8} {:8.2f} {:8.2f} {:8.2f}".format
    for label, figures in (
        ("kenes search()", kenes),
        ("  worst case: the 20 commonest words", kenes["worst"]),
        ("  the index changed before each", kenes["changing"]),
    ):
        build, size = (f"{kenes['build']:.1f}", f"{kenes['size'] / 2**20:.1f}") if figures is kenes else ("", "")
        print(row(label, build, size, figures["p50"], figures["p95"], figures["max"]))
        print(row("    of which the engine", "", "", *(figures["engine"][k] for k in ("p50", "p95", "max"))))
        print(row("    its CPU time", "", "", *(figures["cpu"][k] for k in ("p50", "p95", "max"))))
    print(row("fts5, same three groups", f"{fts['build']:.1f}", f"{fts['size'] / 2**20:.1f}",
              fts["p50"], fts["p95"], fts["max"]))  # fmt: skip
    print(row("  worst case: the 20 commonest words", "", "", *(fts["worst"][k] for k in ("p50", "p95", "max"))))
    print(
        f"ratio kenes/fts5: build {kenes['build'] / fts['build']:.1f}x, size {kenes['size'] / fts['size']:.1f}x,"
        f" p50 {kenes['p50'] / fts['p50']:.1f}x, p95 {kenes['p95'] / fts['p95']:.1f}x;"
        f" worst case p95 {kenes['worst']['p95'] / fts['worst']['p95']:.1f}x"
    )
    print(
        f"queries with results: {kenes['with hits']}/{len(queries)};"
        f" answered by the database fallback instead of the engine: {kenes['fallback']};"
        f" the commonest words: {', '.join(word for _, word in worst[:8])}, …"
    )
    print(
        "kenes: Whoosh with the app's schema (stemmed kk/ru/en fields, exact forms, word pairs) and glossary, hits"
        " hydrated from SQLite and snippets cut by app.search.snippets; fts5: unicode61 without stemming, its own"
        " snippet(), no hydration."
    )


if __name__ == "__main__":
    main()
