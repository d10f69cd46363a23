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
            # PostgreSQL's full-text expression indexes live only in migration 0003 (SQLite cannot have them).
            opts = {"compare_type": True, "include_name": lambda name, kind, _parent: not (
                kind == "index" and (name or "").startswith("ix_search_documents_fts_"))}  # fmt: skip
            context = MigrationContext.configure(conn, opts=opts)
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
