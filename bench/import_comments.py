"""Time `flask comments import` on 10,000 rows (20 of them bad) against the demo data, on a fresh SQLite database.

Run: .venv/bin/python bench/import_comments.py [--rows 10000] [--bad 20] [--campaign 300] [--format csv|jsonl]
The rows comment on the 34-article demo draft (`public-discussion`) in Kazakh, Russian and English, from about
3,000 authors, with one letter campaign of near-identical texts. Prints the time of each run (bad rows refused,
--skip-bad, the same file again), the statements per comment, the time to apply the search queue and the peak
memory. No assertions on time: the figures go into the report.
"""

import argparse
import csv
import json
import random
import re
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.comments.importing import IMPORT_CHANNELS  # noqa: E402
from app.comments.models import Comment  # noqa: E402
from app.db import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.laws.models import Law, Section  # noqa: E402
from app.laws.numbering import number_paths  # noqa: E402
from app.moderation.models import Campaign  # noqa: E402
from app.search.queue import drain, queued  # noqa: E402
from config import Config  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "app" / "laws" / "demo_texts"
COLUMNS = ["ref", "law", "version", "section", "language", "stance", "body", "proposed", "author", "channel",
           "received_at", "note"]  # fmt: skip
FIRST = {
    "kk": ["Айгүл", "Ерлан", "Сәуле", "Нұрлан", "Гүлнар", "Асхат", "Дәурен", "Жанар", "Бауыржан", "Әсел"],
    "ru": ["Анна", "Дмитрий", "Ольга", "Сергей", "Наталья", "Игорь", "Елена", "Павел", "Марина", "Виктор"],
    "en": ["Anna", "David", "Olga", "Sergey", "Natalia", "Igor", "Elena", "Paul", "Marina", "Victor"],
}
LAST = {
    "kk": ["Серікова", "Оспанов", "Жақсыбекова", "Төлеуов", "Әбдірахманов", "Қасымова", "Нұрпейісов", "Бекова"],
    "ru": ["Иванова", "Ким", "Петров", "Смирнова", "Ли", "Кузнецов", "Попова", "Соколов"],
    "en": ["Ivanova", "Kim", "Petrov", "Smirnova", "Lee", "Kuznetsov", "Popova", "Sokolov"],
}
OPENERS = {
    "kk": ["Ұсынамын:", "Менің ойымша,", "Бұл норма түсініксіз:", "Қолдаймын, бірақ", "Қарсымын, себебі"],
    "ru": ["Предлагаю:", "На мой взгляд,", "Эта норма неясна:", "Поддерживаю, но", "Против, потому что"],
    "en": ["I propose:", "In my view,", "This rule is unclear:", "I support it, but", "I object because"],
}
CAMPAIGN = (
    "Мы, жители района, требуем продлить срок публичного обсуждения до шестидесяти календарных дней и проводить "
    "публичные слушания в каждом районном центре, а не только в столице. Письмо подписано жителем: {name}."
)
BAD_KINDS = [
    ("section", "99.9"), ("stance", "maybe"), ("proposed", ""), ("channel", "fax"), ("received_at", "31.02.2026"),
    ("body", ""), ("law", "air-quality"), ("law", "no-such-draft"), ("received_at", "2099-01-01"), ("ref", "dup"),
]  # fmt: skip


def sentences(lang: str) -> list[str]:
    text = (DEMO / f"public-discussion.{lang}.txt").read_text(encoding="utf-8")
    return [s.strip() for s in re.split(r"(?<=[.;])\s+", text) if 40 <= len(s.strip()) <= 300]


def letter(rng: random.Random, pool: list[str], openers: list[str]) -> str:
    """A comment made of pieces of the draft's sentences, so that few are near-copies of another by chance."""
    pieces = [rng.choice(openers)]
    for sentence in rng.sample(pool, rng.randint(2, 4)):
        words = sentence.split()
        start = rng.randrange(max(1, len(words) - 6))
        pieces.append(" ".join(words[start : start + rng.randint(6, 14)]))
    return ", ".join(pieces) + "."


def generate(path: Path, rows: int, bad: int, campaign: int, paths: list[str], opens_at, seed: int = 7) -> None:
    """Write the file: `rows` rows, `bad` of them bad in different ways, `campaign` copies of one letter."""
    rng = random.Random(seed)
    texts = {lang: sentences(lang) for lang in ("kk", "ru", "en")}
    names = []
    for _ in range(3000):
        lang = rng.choice(("kk", "kk", "ru", "en"))
        names.append(f"{rng.choice(FIRST[lang])} {rng.choice(LAST[lang])} {rng.randint(1, 99)}")
    span = (utcnow() - opens_at).total_seconds() - 60
    bad_lines = set(rng.sample(range(campaign, rows), bad))
    records = []
    for n in range(rows):
        lang = rng.choices(("kk", "ru", "en"), weights=(5, 4, 1))[0]
        stance = rng.choice(("support", "oppose", "neutral", "amend"))
        if n < campaign:
            name = f"{rng.choice(FIRST['ru'])} {rng.choice(LAST['ru'])} {n}"
            body, lang, stance = CAMPAIGN.format(name=name), "ru", "oppose"
        else:
            name = rng.choice(names)
            body = letter(rng, texts[lang], OPENERS[lang])
        record = {
            "ref": f"{rng.choice(('ЕО', 'ПИС', 'СЛ'))}-2026-{n + 1:06d}",
            "law": "public-discussion",
            "version": rng.choice(("", "1")),
            "section": rng.choice(paths),
            "language": rng.choice(("", lang)),
            "stance": stance,
            "body": body,
            "proposed": rng.choice(texts[lang]) if stance == "amend" else "",
            "author": name,
            "channel": rng.choice(IMPORT_CHANNELS),
            "received_at": (opens_at + timedelta(seconds=rng.uniform(0, span))).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "note": "ignored column",
        }
        if n in bad_lines:
            column, value = BAD_KINDS[len([b for b in bad_lines if b < n]) % len(BAD_KINDS)]
            if column == "proposed":
                record["stance"] = "amend"
            if column == "ref":
                value = records[-1]["ref"]
            record[column] = value
        records.append(record)
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bad", type=int, default=20)
    parser.add_argument("--campaign", type=int, default=300)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kenes-bench-import-") as tmp:
        bench(Path(tmp), args)


def bench(tmp: Path, args: argparse.Namespace) -> None:
    """Seed the demo data in `tmp`, write the file and run the three imports, printing what each did."""
    config = type(
        "BenchConfig",
        (Config,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "SEARCH_INDEX_DIR": str(tmp / "index"),
            "SEARCH_WRITER": "inline",  # drained below, timed on its own
            "MAIL_BACKEND": "memory",
        },
    )
    app = create_app(config)
    runner = app.test_cli_runner()
    with app.app_context():
        db.create_all()
        runner.invoke(args=["seed-demo"])
        runner.invoke(args=["search", "reindex"])
        law = db.session.scalar(select(Law).where(Law.slug == "public-discussion"))
        sections = db.session.scalars(select(Section).where(Section.version_id == law.latest_version.id)).all()
        paths = sorted({p for s, p in zip(sections, number_paths(sections).values(), strict=True)
                        if s.kind in ("article", "point", "subpoint")})  # fmt: skip
        articles = sum(1 for s in sections if s.kind == "article")
        file = tmp / f"comments.{args.format}"
        generate(file, args.rows, args.bad, args.campaign, paths, law.opens_at)
        before = db.session.scalar(select(func.count(Comment.id)))
        db.session.remove()
        size = file.stat().st_size / 1e6
        print(f"{args.rows} rows ({args.bad} bad, a campaign of {args.campaign}) on '{law.slug}': {articles} "
              f"articles, {len(paths)} citable numbers; file {size:.1f} MB ({args.format})")  # fmt: skip

        statements = []
        cpu_seconds = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))

        def run(*options: str) -> tuple[float, object]:
            statements.clear()
            start, cpu = time.perf_counter(), time.process_time()
            result = runner.invoke(args=["comments", "import", str(file), *options])
            elapsed = time.perf_counter() - start
            cpu_seconds.append(time.process_time() - cpu)
            db.session.remove()
            return elapsed, result

        def count() -> int:
            return db.session.scalar(select(func.count(Comment.id))) - before

        elapsed, result = run()
        listed = [line for line in result.output.splitlines() if line.startswith("line ")]
        print(f"without --skip-bad: exit {result.exit_code}, {len(listed)} bad rows listed, {count()} written, "
              f"{elapsed:.1f} s")  # fmt: skip

        elapsed, result = run("--skip-bad")
        added, cpu, per = count(), cpu_seconds[-1], len(statements) / max(count(), 1)
        print(f"--skip-bad:         exit {result.exit_code}, {added} comments added in {elapsed:.1f} s "
              f"(CPU {cpu:.1f} s; {added / elapsed:.0f} rows/s; {per:.1f} SQL statements per comment)")  # fmt: skip
        print("                    " + result.output.strip().splitlines()[-1])

        elapsed, result = run("--skip-bad")
        print(f"same file again:    exit {result.exit_code}, {count() - added} added, {elapsed:.1f} s")

        waiting = queued()
        start = time.perf_counter()
        drain(blocking=True)
        print(f"search queue:       {waiting} entries applied in {time.perf_counter() - start:.1f} s "
              "(pending comments are indexed once approved)")  # fmt: skip
        imported = select(func.count(func.distinct(Comment.author_id))).where(Comment.ref.is_not(None))
        print(f"imported authors:   {db.session.scalar(imported)}")
        sizes = db.session.scalars(
            select(Campaign.size).where(Campaign.law_id == law.id).order_by(Campaign.size.desc())
        )
        print(f"campaigns:          sizes {list(sizes)[:5]}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory:        {peak:.0f} MB")


if __name__ == "__main__":
    main()
