"""`flask search reindex | verify | sync | glossary`."""

import functools
import time

import click
from flask.cli import AppGroup

from app.db import writes
from app.search import documents, get_backend
from app.search.backend import IndexReport, SearchUnavailableError, clean_query
from app.search.queue import drain, queued, reindex

search_cli = AppGroup("search", help="The full-text search index.")


def _closing(command):
    """A one-shot command lets go of the index files it opened when it ends (a web process keeps them open)."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        finally:
            get_backend().close()

    return run


@search_cli.command("reindex")
@_closing
def reindex_command():
    """Build the index from the database into a fresh directory and switch to it atomically."""
    started = time.perf_counter()
    # Not @writes: the rebuild only reads, and must not hold SQLite's write lock while it does (queue.reindex
    # takes it for the queue rows it deletes). Changes committed meanwhile stay queued and are applied after it.
    count = reindex()
    click.echo(f"Indexed {count} documents in {time.perf_counter() - started:.1f} s.")


def compare() -> IndexReport:
    """Compare what the database says is searchable with what the index holds."""
    expected = {doc.doc_id: doc.hash for doc in documents.all_documents()}
    actual = get_backend().hashes()
    report = IndexReport()
    report.missing = sorted(set(expected) - set(actual))
    report.extra = sorted(set(actual) - set(expected))
    report.stale = sorted(doc_id for doc_id in set(expected) & set(actual) if expected[doc_id] != actual[doc_id])
    return report


@search_cli.command("verify")
@_closing
def verify_command():
    """Exit non-zero if the index and the database differ."""
    try:
        report = compare()
    except SearchUnavailableError as error:
        raise click.ClickException(f"The index cannot be read: {error}. Run `flask search reindex`.") from error
    pending = queued()
    for label, ids in (("missing", report.missing), ("extra", report.extra), ("stale", report.stale)):
        if ids:
            click.echo(f"{label}: {len(ids)} ({', '.join(ids[:10])}{', …' if len(ids) > 10 else ''})")
    if report.clean:
        click.echo(f"The index matches the database ({pending} change(s) still queued).")
        return
    raise click.ClickException("The index differs from the database.")


@search_cli.command("sync")
@_closing
@writes
def sync_command():
    """Apply every queued change now (waits for another writer to finish)."""
    done = drain(blocking=True)
    left = queued()
    click.echo(f"Applied {done} change(s); {left} left in the queue.")
    if left:
        raise click.ClickException("Some changes could not be applied; see the log.")


@search_cli.command("glossary")
@_closing
@click.argument("query", required=False)
def glossary_command(query: str | None):
    """Check the glossary file; with a query, show what the glossary adds to it."""
    from app.search import glossary
    from app.search.query import glossary_path, plan

    path = glossary_path() or glossary.DEFAULT_FILE
    terms = glossary.load(path)
    click.echo(f"{path}: {len(terms.concepts)} concepts.")
    for problem in terms.problems:
        click.echo(f"  {problem}")
    if query:
        asked = plan(clean_query(query))
        found = [f"{e.lang}: {e.text}" for clause in asked.clauses for e in clause.expansions]
        click.echo("\n".join(found) if found else "The glossary adds nothing to this query.")
    if not terms.concepts:
        raise click.ClickException("The glossary is empty or cannot be read: queries are not translated.")
    if terms.problems:
        raise click.ClickException("The glossary has lines that cannot be used (listed above).")
