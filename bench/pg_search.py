"""PostgreSQL search: one common word over ~20,000 documents of ~2 KB, ranked before and after migration 0008.

Before: the backend as it was (git HEAD~ of app/search/postgres_backend.py, given with --before-ref), matching
through GIN expression indexes and parsing every matching text again to rank it. After: the current backend,
reading the stored tsvector columns. Both run on the same rows in one throw-away database (dropped at the end).

    .venv/bin/python bench/pg_search.py [--docs 20000] [--runs 7] [--server postgresql+psycopg://postgres@127.0.0.1:5432]
"""

import argparse
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.search.backend import Filters  # noqa: E402
from app.search.documents import Document  # noqa: E402
from config import TestConfig  # noqa: E402

OLD_INDEXES = {
    "kk": "to_tsvector('simple', coalesce(stem_kk, ''))",
    "ru": "to_tsvector('russian', coalesce(text_ru, ''))",
    "en": "to_tsvector('english', coalesce(text_en, ''))",
}
SYLLABLES = {
    "ru": "ра ло ми на ст ве ко пре до ни за ти по ри ле ва ка тор ние ся ть ов ами".split(),
    "kk": "қа ла ба ды ғы ар ер тың лар ші құ жа са ма на та сы ны рі".split(),
    "en": "ra lo mi na st ve co pre do ni za ti po ri le va ka tor tion ing ed".split(),
}
SIZES = {"ru": 600, "kk": 350, "en": 200}  # characters: about 2 KB of UTF-8 in all
COMMON = {"ru": "гражданина", "kk": "заңның", "en": "laws"}  # each in about two documents in three


def vocabulary(lang: str, rng: random.Random, size: int = 5000) -> list[str]:
    """Made-up words (no glossary term, so no query is widened): a few frequent, most rare."""
    words = {"".join(rng.choice(SYLLABLES[lang]) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return sorted(words)


def text_of(words: list[str], weights: list[float], rng: random.Random, size: int, common: str | None) -> str:
    out = rng.choices(words, weights, k=size // 7)
    if common:
        out.insert(rng.randrange(len(out)), common)
    return " ".join(out)


def make_documents(n: int, seed: int = 1) -> list[Document]:
    rng = random.Random(seed)
    words = {lang: vocabulary(lang, rng) for lang in SYLLABLES}
    weights = {lang: [1 / (rank + 1) for rank in range(len(found))] for lang, found in words.items()}  # Zipf
    day = datetime(2025, 1, 1, tzinfo=UTC)
    found = []
    for i in range(n):
        texts = {
            lang: text_of(words[lang], weights[lang], rng, SIZES[lang], COMMON[lang] if rng.random() < 0.65 else None)
            for lang in SYLLABLES
        }
        kind = ("law", "section", "comment")[i % 3]
        date = day + timedelta(hours=i)
        found.append(Document(f"{kind}:{i}", kind, f"law-{i % 40}", "open", "agency-a", date, texts))
    return found


def old_backend_class(ref: str):
    source = subprocess.run(  # noqa: S603 (fixed git arguments)
        ["git", "show", f"{ref}:app/search/postgres_backend.py"],  # noqa: S607
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    path = Path(tempfile.mkdtemp()) / "old_postgres_backend.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_postgres_backend", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PostgresBackend


def timed(backend, word: str, runs: int) -> tuple[float, int]:
    times, total = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        page = backend.search(word, Filters(), 1, 10, suggest=False)
        times.append((time.perf_counter() - started) * 1000)
        total = page.total
        db.session.rollback()
    return statistics.median(times), total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--server", default=os.environ.get("PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432"))
    parser.add_argument(
        "--before-ref", default="0fddd11", help="a commit whose postgres_backend.py ranks by expressions"
    )
    args = parser.parse_args()
    name = f"bench_pg_search_{uuid.uuid4().hex[:8]}"
    server = create_engine(f"{args.server}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        run(args, f"{args.server}/{name}")
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def run(args, url: str) -> None:
    from app.search.postgres_backend import PostgresBackend

    workdir = Path(tempfile.mkdtemp())
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(workdir / "ix")})
    app = create_app(config)
    with app.app_context():
        db.create_all()  # with the stored vectors and their indexes (app/search/models.py)
        for lang, expression in OLD_INDEXES.items():  # and the expression indexes the old backend needs
            db.session.execute(text(f"CREATE INDEX old_fts_{lang} ON search_documents USING gin (({expression}))"))
        started = time.perf_counter()
        new = PostgresBackend()
        docs = make_documents(args.docs)
        for start in range(0, len(docs), 1000):
            new.apply(docs[start : start + 1000], [])
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE search_documents"))
        load = time.perf_counter() - started
        size = db.session.scalar(
            text("SELECT avg(octet_length(concat(text_kk, text_ru, text_en))) FROM search_documents")
        )
        print(f"{args.docs} documents, {size:.0f} bytes of text each on average, loaded in {load:.1f} s")
        old = old_backend_class(args.before_ref)()
        for word in ("гражданин", "заң", "law"):
            timed(old, word, 1)  # warm the cache
            before, found_before = timed(old, word, args.runs)
            after, found_after = timed(new, word, args.runs)
            print(
                f"{word!r}: {found_after} matches ({found_before} before); median of {args.runs}: "
                f"before {before:.0f} ms, after {after:.0f} ms, {before / after:.1f}x"
            )
        print(f"load average: {os.getloadavg()[0]:.2f}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
