"""`flask db upgrade` on an empty database yields exactly the schema the models declare."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from aurion import create_app
from aurion.config import TestConfig
from aurion.extensions import db
from aurion.models.message_search import FTS_TABLE, SEARCH_INDEX, include_in_autogenerate
from tests.support.scratch import scratch_database

POSTGRES_URL = os.environ.get("AURION_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _assert_migrations_match_models(url: str, instance_path: str, monkeypatch) -> None:
    monkeypatch.setenv("AURION_INSTANCE_PATH", instance_path)
    app = create_app({"TESTING": True, "SECRET_KEY": TestConfig.SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"include_object": include_in_autogenerate}), db.metadata
            )
        assert differences == []
        _assert_message_search_exists()
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def _assert_message_search_exists() -> None:
    """Autogenerate is told to ignore the full-text search objects (0010), so check them here."""
    inspector = sa.inspect(db.engine)
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            triggers = connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
            assert set(triggers) >= {"messages_fts_insert", "messages_fts_delete", "messages_fts_update"}
        assert inspector.has_table(FTS_TABLE)
    else:
        assert SEARCH_INDEX in {index["name"] for index in inspector.get_indexes("messages")}


def test_sqlite_migrations_match_models(tmp_path, monkeypatch):
    _assert_migrations_match_models(f"sqlite:///{tmp_path / 'migrated.db'}", str(tmp_path), monkeypatch)


@pytest.fixture
def empty_postgres_database():
    """A fresh PostgreSQL database, dropped afterwards."""
    with scratch_database(POSTGRES_URL, "aurion_migrations") as url:
        yield url


@pytest.mark.postgres
def test_postgres_migrations_match_models(empty_postgres_database, tmp_path, monkeypatch):
    _assert_migrations_match_models(empty_postgres_database, str(tmp_path), monkeypatch)
