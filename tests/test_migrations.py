"""The migrations are the only way the schema is made: up from empty, down to empty, no drift."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.db import Base
from tests.conftest import alembic_config, create_pg_database, drop_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = create_pg_database("doorstep_migrations")
    try:
        yield url
    finally:
        drop_pg_database(url)


class TestMigrations:
    def test_upgrade_matches_models_and_downgrade_empties(self, empty_url: str) -> None:
        cfg = alembic_config(empty_url)
        command.upgrade(cfg, "head")
        engine = create_engine(empty_url)
        try:
            with engine.connect() as conn:
                diff = compare_metadata(
                    MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
                )
                assert diff == [], f"models and migrations disagree: {diff}"
                tables = set(inspect(conn).get_table_names())
            assert {"households", "contacts", "campaigns", "rounds"} <= tables
            command.downgrade(cfg, "base")
            with engine.connect() as conn:
                assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
            command.upgrade(cfg, "head")  # and back up again from empty
        finally:
            engine.dispose()
