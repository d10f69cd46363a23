"""Benchmark the summary builder: 100,000 approved comments on the 34-article demo draft, time and peak memory.

Run: .venv/bin/python bench/summaries.py [--comments 100000] [--campaigns 1000,500,300] [--seed 1]
It builds a throw-away instance (SQLite in a temp dir), loads the demo data (`flask seed-demo`), then inserts the
comments in bulk (Core executemany): the generated consultation of tests/summaries/corpus.py (kk/ru/en, topics and
noise) spread over all 34 articles and their points, with imported channels, proposed wordings and campaigns of the
given sizes. The build then runs in a fresh process, as a job runs it (app.summaries.jobs.run_build: progress rows,
one read, the snapshot written in one transaction), so its peak resident memory (VmHWM, else getrusage ru_maxrss)
is the build's and not the loading's. No assertions: the figures go into the report (target: under 60 s and 1 GB).
"""

import argparse
import dataclasses
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_app(workdir: Path):
    os.environ["KENES_INSTANCE_DIR"] = str(workdir)
    from app import create_app
    from config import Config

    overrides = {
        "SECRET_KEY": "bench-only-" + "x" * 32,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
        "SEARCH_INDEX_DIR": str(workdir / "index"),
        "SEARCH_WRITER": "inline",
        "REDIS_URL": "",
        "MAIL_BACKEND": "memory",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
    }
    return create_app(type("BenchConfig", (Config,), overrides))


def prepare(workdir: Path, n: int, campaigns: list[int], seed: int) -> None:
    """Create the database: demo data, then n approved comments (campaign copies included) in bulk."""
    from sqlalchemy import select

    from app.extensions import db
    from app.laws.models import Law
    from tests.summaries import corpus
    from tests.summaries.loading import insert_comments, make_authors, make_campaign

    app = make_app(workdir)
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        law = db.session.scalar(select(Law).where(Law.slug == "public-discussion"))
        version = law.latest_version
        articles = sorted({s.number for s in version.sections if s.kind == "article"}, key=int)
        # Three topics per article, the generator's eleven topics in turn.
        topics = [
            dataclasses.replace(corpus.TOPICS[(3 * i + j) % len(corpus.TOPICS)], article=number)
            for i, number in enumerate(articles)
            for j in range(3)
        ]
        started = time.perf_counter()
        authors = make_authors(max(n // 3, 1000), prefix="bench")
        copies = sum(campaigns)
        generated = list(corpus.generate(n - copies, seed=seed, noise=0.1, topics=topics))
        insert_comments(law, version, generated, authors, seed=seed)
        for k, size in enumerate(campaigns):
            campaign_id = make_campaign(law, size)
            template = corpus.TOPICS[k % len(corpus.TOPICS)]
            text = corpus.expand(template.claims["ru"][0], corpus.random.Random(k)) + " Требуем учесть!"
            members = [corpus.GeneratedComment("campaign", articles[k], "ru", template.stance, text)] * size
            insert_comments(
                law, version, members, authors, seed=k, distinct_authors=True,
                campaign_of=dict.fromkeys(range(size), campaign_id),
            )  # fmt: skip
        db.session.commit()
        print(f"loaded {n} approved comments on {len(articles)} articles in {time.perf_counter() - started:.1f} s")


def peak_mb() -> float:
    """This process's peak resident memory in MB: VmHWM where Linux has it (ru_maxrss counts the parent's pages
    a forked child shared before exec), else ru_maxrss."""
    try:
        status = Path("/proc/self/status").read_text()
        return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(workdir: Path) -> None:
    """Run one build as a job runs it and print its time, steps and peak memory."""
    from sqlalchemy import select

    from app.db import write_transaction
    from app.extensions import db
    from app.laws.models import Law
    from app.summaries.jobs import request_build, run_build

    app = make_app(workdir)
    with app.app_context():
        law = db.session.scalar(select(Law).where(Law.slug == "public-discussion"))
        with write_transaction():
            build_id = request_build(law, law.latest_version, None, start=False).id
            db.session.commit()
        before = peak_mb()
        steps: list[tuple[str, float]] = []
        started = time.perf_counter()
        result = run_build(build_id, echo=lambda step, _pct: steps.append((step, time.perf_counter())))
        elapsed = time.perf_counter() - started
        peak = peak_mb()
        assert result.state == "done", result.error
        data = result.snapshot.data
        themes = sum(len(s["themes"]) for s in data["sections"])
        # Each step is reported as it starts: it lasts until the next one starts (the last, until the end).
        durations: dict[str, float] = {}
        ends = [moment for _step, moment in steps[1:]] + [started + elapsed]
        for (step, moment), end in zip(steps, ends, strict=True):
            durations[step] = durations.get(step, 0.0) + end - moment
        print(f"comments {data['totals']['comments']}, units {len(data['sections'])}, themes {themes}, "
              f"campaigns {len(data['campaigns'])}")  # fmt: skip
        print("time per step: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in durations.items()))
        print(f"build {elapsed:.1f} s (target < 60 s); peak RSS {peak:.0f} MB, {before:.0f} MB before the build "
              f"(target < 1024 MB)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--campaigns", default="1000,500,300", help="sizes of campaigns included in --comments")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build(args.build_only)
        return
    campaigns = [int(size) for size in args.campaigns.split(",") if size]
    with tempfile.TemporaryDirectory(prefix="kenes-bench-summaries-") as tmp:
        workdir = Path(tmp)
        prepare(workdir, args.comments, campaigns, args.seed)
        # A fresh process, so the peak memory measured is the build's alone.
        subprocess.run([sys.executable, __file__, "--build-only", str(workdir)], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
