"""Rebuilding the index: the same terms as the analysers give, in parallel or not, and never a write lock held."""

import threading

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.laws.models import Section
from app.search import documents
from app.search.analysis import LANGUAGES, analyzer_for, exact_analyzer, index_tokens
from app.search.backend import Filters
from app.search.services import search

TEXTS = [
    "Осы Заңның 5-1-бабына сәйкес жоба 30 күн ішінде талқыланады; заңдардың, заңымыз және үй-жай.",
    "В соответствии со статьей 5-1 настоящего Закона проект обсуждается в течение 30 дней. Ёлка, ЗАКОНЫ!",
    "Amendments to Article 12.3 of this Law are adopted by Parliament; the NGOs' comments were heard.",
    # Latin look-alikes inside a Cyrillic word, a decomposed й, an overlong run and stop words only.
    "бiлiм Kazakhstan и\u0306од " + "ж" * 70 + " және the и",
]


@pytest.mark.parametrize("text", TEXTS)
def test_rebuild_indexes_the_tokens_the_analysers_give(text):
    for lang in LANGUAGES:
        stems, forms = index_tokens(text, lang)
        assert stems == [token.text for token in analyzer_for(lang)(text)]
        assert forms == [token.text for token in exact_analyzer()(text)]


def test_a_parallel_rebuild_finds_what_a_serial_one_does(app, article, create_comment, reindex, monkeypatch):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("Whoosh's multi-process writer")
    from app.search import whoosh_backend, whoosh_rebuild

    for n in range(7):
        create_comment(article, body=f"Предлагаю продлить срок хранения отходов на {n} месяцев, заңдарды өзгерту.")
    reindex()
    serial = search("отходов заң", Filters())
    monkeypatch.setattr(whoosh_backend, "PARALLEL_FROM", 3)  # the sub-processes' path, on a few documents
    monkeypatch.setattr(whoosh_rebuild, "BATCH", 2)
    monkeypatch.setattr(whoosh_rebuild, "SEGMENT_DOCS", 3)  # a worker writes more than one segment
    assert reindex() == len(list(documents.all_documents()))
    parallel = search("отходов заң", Filters())
    assert parallel.totals == serial.totals and parallel.totals["comment"] == 7
    # The same comments; equal scores may come in another order (documents are numbered per sub-process).
    assert sorted(r.doc_id for r in parallel.groups["comment"]) == sorted(r.doc_id for r in serial.groups["comment"])


def _index_contents(ix) -> tuple:
    """Every term's postings (by document id: numbering may differ), field lengths and stored fields of an index."""
    reader = ix.reader()
    ids = {docnum: fields["doc_id"] for docnum, fields in reader.iter_docs()}
    postings = {}
    for fieldname, text in reader.all_terms():
        matcher, found = reader.postings(fieldname, text), []
        while matcher.is_active():
            docnum = matcher.id()
            found.append((ids[docnum], matcher.weight(), matcher.value(), reader.doc_field_length(docnum, fieldname)))
            matcher.next()
        postings[fieldname, text] = sorted(found)
    lengths = {name: reader.field_length(name) for name in reader.indexed_field_names()}
    stored = sorted((fields["doc_id"], sorted(fields.items())) for fields in reader.all_stored_fields())
    types = reader.column_reader("type")  # written by the rebuild's own writer, read by every search's collector
    columns = sorted((doc_id, types[docnum]) for docnum, doc_id in ids.items())
    reader.close()
    return postings, lengths, stored, columns


@pytest.mark.parametrize("procs", [1, 2])
def test_the_rebuild_writes_what_whooshs_own_writer_does(app, article, create_comment, tmp_path, procs, monkeypatch):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("Whoosh's index files")
    from whoosh import index as whoosh_index

    from app.search import whoosh_rebuild
    from app.search.whoosh_backend import WhooshBackend, make_schema

    for n, text in enumerate(TEXTS * 2):
        create_comment(article, body=f"{text} {n}", proposed_wording="Проект обсуждается 30 дней." if n % 3 else None)
    docs = list(documents.all_documents())
    monkeypatch.setattr(whoosh_rebuild, "BATCH", 3)
    monkeypatch.setattr(whoosh_rebuild, "SEGMENT_DOCS", 4)
    built = []
    for name in ("ours", "whoosh"):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), make_schema())
        if name == "ours":
            assert whoosh_rebuild.build(ix, docs, WhooshBackend._fields, procs) == len(docs)
        else:
            with ix.writer() as writer:
                for document in docs:
                    writer.add_document(**WhooshBackend._fields(document))
        built.append(_index_contents(whoosh_index.open_dir(str(tmp_path / name))))
    assert built[0] == built[1]
    assert len(built[0][0]) > 100 and len(built[0][2]) == len(docs)


def test_a_comment_posted_during_a_reindex_is_saved_and_found_after(app, article, create_user, runner, monkeypatch):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("SQLite's write lock: the PostgreSQL backend rebuilds inside the database")
    from app.comments.services import approve_comment, post_comment

    author_id, section_id = create_user().id, article.id
    db.session.commit()
    errors, read_all = [], documents.all_documents

    def post_from_another_connection():
        # As a web worker would: its own session and connection, a writer's transaction, one commit.
        with app.test_request_context("/en/", method="POST"):
            try:
                posted = post_comment(
                    author=db.session.get(User, author_id),
                    section=db.session.scalar(select(Section).where(Section.id == section_id)),
                    body="Вентиляция подвалов должна проверяться ежегодно.",
                    stance="support",
                    client_token="posted-during-reindex",
                ).comment
                if posted.state == "pending":
                    approve_comment(posted)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                errors.append(error)

    def reading_while_someone_posts(*args, **kwargs):
        for number, document in enumerate(read_all(*args, **kwargs)):
            if number == 1:  # the rebuild is under way: its reads have begun
                writer = threading.Thread(target=post_from_another_connection)
                writer.start()
                writer.join(timeout=60)
            yield document

    monkeypatch.setattr(documents, "all_documents", reading_while_someone_posts)
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert errors == []
    db.session.remove()
    found = search("вентиляция", Filters())
    assert found.totals["comment"] == 1


@pytest.mark.parametrize("procs", [1, 2])
def test_a_rebuild_whose_worker_fails_stops_with_the_reason(app, article, create_comment, tmp_path, procs, monkeypatch):
    """A worker that fails tells why and ends; the rebuild raises at once instead of feeding the others for ever."""
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("Whoosh's index files")
    import signal

    from whoosh import index as whoosh_index

    from app.search import whoosh_rebuild
    from app.search.whoosh_backend import make_schema

    for n, text in enumerate(TEXTS * 2):
        create_comment(article, body=f"{text} {n}")
    docs = list(documents.all_documents()) * 20  # more batches than the queue holds: the feeding must notice
    monkeypatch.setattr(whoosh_rebuild, "BATCH", 2)
    monkeypatch.setattr(whoosh_rebuild, "WAIT", 0.1)

    def broken(document):
        raise ValueError("cannot read this document")

    ix = whoosh_index.create_in(str(tmp_path), make_schema())

    def hung(*_args):
        raise AssertionError("the rebuild still waits for its workers after 30 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        with pytest.raises((RuntimeError, ValueError), match="cannot read this document"):
            whoosh_rebuild.build(ix, docs, broken, procs)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert whoosh_index.open_dir(str(tmp_path)).doc_count() == 0  # nothing of it committed
