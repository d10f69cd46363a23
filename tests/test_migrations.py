"""`flask db upgrade` builds the schema from nothing, and the models agree with the migrations."""

import os
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db
from config import TestConfig

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture
def empty_database_url(tmp_path):
    """An empty database of the kind the suite runs on."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"kenes_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database_url):
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    app = create_app(config)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        assert {"users", "laws", "law_versions", "sections"} <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            # PostgreSQL's stored tsvector columns and their indexes are not mapped (SQLite has no tsvector): the
            # migrations (0003, 0008) and create_all's DDL (app/search/models.py) build them on PostgreSQL only.
            opts = {"compare_type": True, "include_name": lambda name, kind, parent: not (
                (kind == "index" and (name or "").startswith("ix_search_documents_fts_"))
                or (kind == "column" and parent.get("table_name") == "search_documents"
                    and (name or "").startswith("vector_")))}  # fmt: skip
            context = MigrationContext.configure(conn, opts=opts)
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        if db.engine.dialect.name == "postgresql":
            # Ranking reads the stored vectors; matching needs their indexes (the names create_all gives them too).
            columns = {column["name"] for column in inspect(db.engine).get_columns("search_documents")}
            indexes = {index["name"] for index in inspect(db.engine).get_indexes("search_documents")}
            assert {"vector_kk", "vector_ru", "vector_en", "vector_exact"} <= columns
            assert {"ix_search_documents_fts_kk", "ix_search_documents_fts_ru", "ix_search_documents_fts_en"} <= indexes
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
