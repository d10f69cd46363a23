"""The PostgreSQL search backend on a real PostgreSQL: three languages, filters, pages, odd input, writes."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.search import get_backend
from app.search.backend import Filters, SearchUnavailableError
from app.search.documents import Document, all_documents

DAY = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture
def app_config(pg_database_url, tmp_path) -> dict:
    """Always PostgreSQL here (not the Whoosh/PostgreSQL pair of tests/search/conftest.py), even when the suite
    runs on SQLite: see `pg_database_url`."""
    return {
        "SQLALCHEMY_DATABASE_URI": pg_database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "SEARCH_BACKEND": "postgres",
    }


@pytest.fixture(scope="module", autouse=True)
def trigrams(pg_database_url) -> bool:
    """Install pg_trgm as the migration does; without it "did you mean" stays silent."""
    engine = create_engine(pg_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        return True
    except DBAPIError:
        return False
    finally:
        engine.dispose()


@pytest.fixture
def backend(app):
    return get_backend()


def doc(
    n: int,
    ru: str | None = None,
    kk: str | None = None,
    en: str | None = None,
    *,
    kind: str = "section",
    law: str = "law-a",
    status: str = "open",
    agency: str = "agency-a",
    date: datetime = DAY,
) -> Document:
    """Build a document by hand: the backend indexes what it is given, whatever the database holds."""
    texts = {lang: value for lang, value in (("kk", kk), ("ru", ru), ("en", en)) if value}
    return Document(f"{kind}:{n}", kind, law, status, agency, date, texts)


def put(backend, *documents: Document) -> None:
    backend.apply(list(documents), [])
    db.session.commit()


def ids(backend, query: str, filters: Filters | None = None, page: int = 1, per_page: int = 50) -> set[str]:
    return {hit.doc_id for hit in backend.search(query, filters or Filters(), page, per_page).hits}


def test_the_app_uses_postgres(backend):
    from app.search.postgres_backend import PostgresBackend

    assert isinstance(backend, PostgresBackend) and backend.name == "postgres"
    assert backend.exists()


def test_rebuild_indexes_every_document_and_replaces_old_rows(backend, article, create_comment, reindex):
    create_comment(article, body="Предлагаю продлить срок рассмотрения жалоб.", lang="ru")
    put(backend, doc(999_999, ru="осиротевшая строка"))
    expected = {document.doc_id: document.hash for document in all_documents()}
    assert reindex() == len(expected) > 10
    assert backend.hashes() == expected  # the orphan row is gone, every hash matches


def test_russian_inflections_meet(backend, article, create_comment, reindex):
    many = create_comment(article, body="Все законы должны быть понятны гражданам.", lang="ru")
    one = create_comment(article, body="Этот закон нужно принять быстрее.", lang="ru")
    create_comment(article, body="Совсем о другом: сроки рассмотрения.", lang="ru")
    reindex()
    assert ids(backend, "закона", Filters(type="comment")) == {f"comment:{many.id}", f"comment:{one.id}"}
    sections = backend.search("закона", Filters(type="section", lang="ru", law=article.version.law.slug), 1, 10)
    assert sections.total > 0 and all(hit.type == "section" for hit in sections.hits)


def test_kazakh_inflections_meet(backend, article, create_comment, reindex):
    one = create_comment(article, body="Бұл заң бойынша ұсынысым бар.", lang="kk")
    many = create_comment(article, body="Барлық заңдар түсінікті болуы керек.", lang="kk")
    create_comment(article, body="Мерзімдерді қысқарту керек.", lang="kk")
    reindex()
    expected = {f"comment:{one.id}", f"comment:{many.id}"}
    assert ids(backend, "заңның", Filters(type="comment")) == expected
    assert ids(backend, "заңның", Filters(type="comment", lang="kk")) == expected
    assert ids(backend, "заңның", Filters(type="comment", lang="ru")) == set()


def test_english_stemming(backend, article, create_comment, reindex):
    wanted = create_comment(article, body="The amendment to article ten is overdue.", lang="en")
    create_comment(article, body="Nothing to add to this draft.", lang="en")
    reindex()
    assert ids(backend, "amendments", Filters(type="comment")) == {f"comment:{wanted.id}"}


def test_a_kazakh_stem_does_not_meet_an_unrelated_russian_word(backend):
    put(backend, doc(1, kk="Балалардың құқықтары қорғалады."), doc(2, ru="Балансовая стоимость имущества."))
    assert ids(backend, "балалар") == {"section:1"}


def test_language_filter_searches_one_language(backend):
    put(backend, doc(1, ru="Закон об отходах", en="Law on waste"), doc(2, en="A law on air"))
    assert ids(backend, "закон", Filters(lang="ru")) == {"section:1"}
    assert ids(backend, "закон", Filters(lang="en", lang_only=True)) == set()
    # The glossary carries "закон" into English ("law"), inside the one language asked for.
    assert ids(backend, "закон", Filters(lang="en")) == {"section:1", "section:2"}
    assert ids(backend, "law", Filters(lang="en")) == {"section:1", "section:2"}
    assert ids(backend, "law") == {"section:1", "section:2"}


def test_filters(backend):
    put(
        backend,
        doc(1, ru="закон об отходах"),
        doc(2, ru="закон об отходах", kind="comment"),
        doc(3, ru="закон об отходах", law="law-b"),
        doc(4, ru="закон об отходах", status="closed"),
        doc(5, ru="закон об отходах", agency="agency-b"),
        doc(6, ru="закон об отходах", date=DAY - timedelta(days=30)),
    )
    assert len(ids(backend, "отходы")) == 6
    assert ids(backend, "отходы", Filters(type="comment")) == {"comment:2"}
    assert ids(backend, "отходы", Filters(law="law-b")) == {"section:3"}
    assert ids(backend, "отходы", Filters(status="closed")) == {"section:4"}
    assert ids(backend, "отходы", Filters(agency="agency-b")) == {"section:5"}
    assert ids(backend, "отходы", Filters(date_to=DAY - timedelta(days=1))) == {"section:6"}
    assert "section:6" not in ids(backend, "отходы", Filters(date_from=DAY - timedelta(days=1)))
    naive = Filters(date_from=datetime(2025, 1, 25), date_to=datetime(2025, 2, 5))  # taken as UTC
    assert ids(backend, "отходы", naive) == {"section:6"}
    assert ids(backend, "отходы", Filters(type="section", law="law-a", status="open", agency="agency-a")) == {
        "section:1",
        "section:6",
    }


def test_pages_are_ranked_stable_and_counted(backend):
    put(backend, *[doc(n, ru=" ".join(["отходы"] * (n % 4 + 1)) + " и прочее") for n in range(1, 26)])
    pages = [backend.search("отходы", Filters(), page, 10) for page in (1, 2, 3)]
    assert [page.total for page in pages] == [25, 25, 25]
    assert [len(page.hits) for page in pages] == [10, 10, 5]
    hits = [hit for page in pages for hit in page.hits]
    assert len({hit.doc_id for hit in hits}) == 25
    order = [(-hit.score, hit.doc_id) for hit in hits]
    assert order == sorted(order) and hits[0].score > hits[-1].score
    beyond = backend.search("отходы", Filters(), 4, 10)
    assert beyond.hits == [] and beyond.total == 25


def test_operators(backend):
    put(
        backend,
        doc(1, ru="Закон об отходах", kk="Қалдықтар туралы заң"),
        doc(2, ru="Закон о воздухе", kk="Ауа туралы заң"),
        doc(3, ru="Отходы и воздух"),
    )
    assert ids(backend, "закон -отходы") == {"section:2"}
    assert ids(backend, "закон NOT отходы") == {"section:2"}  # Whoosh's syntax, as users learnt it
    assert ids(backend, "закон AND воздух") == {"section:2"}
    assert ids(backend, "закон воздух") == {"section:2"}
    assert ids(backend, "отходы OR воздух") == {"section:1", "section:2", "section:3"}
    assert ids(backend, '"закон об отходах"') == {"section:1"}
    assert ids(backend, '"отходах закон"') == set()
    assert ids(backend, 'закон -"об отходах"') == {"section:2"}
    # The Kazakh query keeps its exclusion after stemming.
    assert ids(backend, "заң -қалдықтар", Filters(lang="kk")) == {"section:2"}
    # Only exclusions: nothing that an index could look up, so nothing rather than everything.
    assert backend.search("-закон", Filters(), 1, 10).total == 0


# Each odd query with the languages (None: all of them) in which it finds the one document: nothing but real
# words counts, operators and field syntax are text, and every word must match.
@pytest.mark.parametrize(
    ("query", "found_in"),
    [
        ('"unbalanced', ()),
        ('"" ""', ()),
        ("*", ()),
        ("AND OR NOT", ()),
        ("OR", ()),
        ("NOT", ()),
        ("-", ()),
        ("- -", ()),
        ("x" * 10_000, ()),
        ("закон " * 2_000, (None, "ru")),
        ("\x00\x01\x1f закон", (None, "ru")),
        ("закон\u202e\u200b", (None, "ru")),
        ("((()))", ()),
        ("title:закон", ()),  # no field syntax: the words "title" and "закон", and "title" is not there
        ("закон~2", ()),  # no fuzzy syntax: "закон" and "2"
        ("^$%#@!", ()),
        ("a:* & b | !c <-> d", ()),
        ("'; DROP TABLE search_documents; --", ()),
        ("\\", ()),
        ("заң -", (None, "kk")),
        ("the and of", ()),  # stop words only
    ],
)
def test_odd_queries_never_fail(backend, query, found_in):
    put(backend, doc(1, ru="Закон об отходах", kk="Қалдықтар туралы заң", en="The law on waste"))
    for lang in (None, "kk", "ru", "en"):
        # Only in the language typed: the glossary would find "закон" in the Kazakh and English text too.
        page = backend.search(query, Filters(lang=lang, lang_only=True), 1, 10)
        expected = ["section:1"] if lang in found_in else []
        assert ([hit.doc_id for hit in page.hits], page.total) == (expected, len(expected)), lang
    assert backend.hashes()  # the table survived


def test_control_characters_are_ignored(backend):
    put(backend, doc(1, ru="Закон об отходах"))
    assert ids(backend, "\x00\x01\x1f закона\x7f") == {"section:1"}
    assert backend.search("", Filters(), 1, 10).total == 0
    assert backend.search(" \x00 ", Filters(), 1, 10).hits == []


def test_apply_upserts_and_deletes_in_the_callers_transaction(backend):
    first = doc(1, ru="Закон об отходах")
    put(backend, first, doc(2, ru="Закон о воздухе"))
    assert backend.hashes() == {"section:1": first.hash, "section:2": doc(2, ru="Закон о воздухе").hash}

    changed = doc(1, ru="Правила сортировки")
    backend.apply([changed, changed], ["section:2"])  # a repeated id is written once
    db.session.rollback()  # nothing is written until the caller commits
    assert ids(backend, "закон") == {"section:1", "section:2"}

    backend.apply([changed], ["section:2"])
    db.session.commit()
    assert ids(backend, "закон") == set() and ids(backend, "сортировка") == {"section:1"}
    assert backend.hashes() == {"section:1": changed.hash}
    backend.apply([], ["section:1", "section:404"])
    db.session.commit()
    assert backend.hashes() == {}


def test_did_you_mean(backend, trigrams):
    if not trigrams:
        pytest.skip("pg_trgm cannot be installed here")
    put(backend, doc(1, ru="Закон об отходах"), doc(2, kk="Қалдықтар туралы заң"))
    page = backend.search("Законв отходы", Filters(), 1, 10)
    assert page.total == 0 and page.suggestion == "Закон отходы"
    assert backend.search("қалдықтарр", Filters(), 1, 10).suggestion == "қалдықтар"
    assert backend.search("закон", Filters(), 1, 10).suggestion is None  # it matched: nothing to correct
    assert backend.search("zzzzqqqq", Filters(), 1, 10).suggestion is None  # nothing similar enough


def test_did_you_mean_waits_for_few_results(backend, trigrams):
    if not trigrams:
        pytest.skip("pg_trgm cannot be installed here")
    put(backend, *[doc(n, ru="Закон об отходах") for n in range(1, 4)])
    assert backend.search("закон OR законв", Filters(), 1, 10).suggestion is None


def test_did_you_mean_is_worked_out_once_per_query(backend, trigrams, count_queries):
    if not trigrams:
        pytest.skip("pg_trgm cannot be installed here")
    put(backend, doc(1, ru="Закон об отходах"))
    assert backend.search("законв", Filters(type="section"), 1, 10).suggestion == "закон"
    with count_queries() as statements:
        assert backend.search("законв", Filters(law="law-a"), 1, 10).suggestion == "закон"
    assert not any("ts_stat" in statement for statement in statements)


def test_a_slow_suggestion_is_given_up_and_leaves_the_session_as_it_was(backend, trigrams, monkeypatch):
    if not trigrams:
        pytest.skip("pg_trgm cannot be installed here")
    from app.search import postgres_backend

    put(backend, doc(1, ru="Закон об отходах"))
    before = db.session.scalar(text("SHOW statement_timeout"))
    monkeypatch.setattr(postgres_backend, "SUGGEST_TIMEOUT_MS", 50)
    monkeypatch.setattr(postgres_backend, "_SUGGEST_SQL", text("SELECT :words, pg_sleep(:threshold * 5)"))
    page = backend.search("законв", Filters(), 1, 10)
    assert page.total == 0 and page.suggestion is None
    assert db.session.scalar(text("SHOW statement_timeout")) == before
    assert ids(backend, "закона") == {"section:1"}


def test_a_failing_query_raises_unavailable_and_spares_the_transaction(backend, monkeypatch):
    from app.organisations.models import Agency
    from app.search import postgres_backend

    put(backend, doc(1, ru="Закон об отходах"))
    agency = Agency(slug="kept", name_kk="Агенттік", name_ru="Агентство", name_en="Agency")
    db.session.add(agency)
    monkeypatch.setitem(postgres_backend.CONFIGS, "ru", "no_such_configuration")
    with pytest.raises(SearchUnavailableError):
        backend.search("закон", Filters(), 1, 10)
    db.session.commit()  # the caller's work is intact
    assert db.session.scalar(select(Agency.slug).where(Agency.slug == "kept")) == "kept"


def test_services_fall_back_to_the_database_when_postgres_fails(app, article, create_comment, reindex, monkeypatch):
    from app.search import postgres_backend
    from app.search.services import search

    create_comment(article, body="Закон нужно принять быстрее.", lang="ru")
    reindex()
    with app.test_request_context("/ru/search/"):
        found = search("закона", Filters(type="comment"))
        assert found.totals["comment"] == 1 and not found.incomplete
        monkeypatch.setitem(postgres_backend.CONFIGS, "ru", "no_such_configuration")
        fallback = search("Закон", Filters(type="comment"))
        assert fallback.totals["comment"] == 1 and fallback.incomplete


@pytest.mark.parametrize(
    ("lang", "indexes"), [(None, {"kk", "ru", "en"}), ("ru", {"ru"}), ("kk", {"kk"}), ("en", {"en"})]
)
def test_the_migrations_indexes_serve_the_search(backend, lang, indexes):
    # The stored vectors and their GIN indexes come with the table (migration 0008, or create_all's DDL).
    put(backend, doc(1, ru="Закон об отходах", kk="Қалдықтар туралы заң", en="The law on waste"))
    statements: list[tuple[str, dict]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "ts_rank_cd" in statement:
            statements.append((statement, parameters))

    try:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: make the planner show its hand
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            assert backend.search("закон or law or заң", Filters(lang=lang), 1, 10).total == 1
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        statement, parameters = statements[-1]
        plan = "\n".join(db.session.connection().exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars())
    finally:
        db.session.rollback()
    used = {name for name in ("kk", "ru", "en") if f"ix_search_documents_fts_{name}" in plan}
    assert used == indexes, plan
