"""Test databases built by the real migrations, on SQLite and PostgreSQL alike.

Every test that touches the database runs once per backend (test ids end in ``[sqlite]`` or
``[postgresql]``). PostgreSQL is required when ``CI`` is set; elsewhere an unreachable server
skips those runs with a reason that says so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.config import PROJECT_ROOT, Settings
from app.db import Base
from app.main import create_app

BACKENDS = [
    b.strip()
    for b in os.environ.get("DOORSTEP_TEST_DATABASES", "sqlite,postgresql").split(",")
    if b.strip()
]
PG_ADMIN_URL = os.environ.get(
    "DOORSTEP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def alembic_config(url: str) -> Config:
    """An alembic config pointing at ``url``, quiet about logging."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    return cfg


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_pg_database(prefix: str = "doorstep_test") -> str:
    """Create an empty PostgreSQL database; fail in CI, skip elsewhere, if there is no server."""
    admin = _pg_admin()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL} (set CI=1 to make this fatal)")
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    """Drop a database made by create_pg_database."""
    name = url.rsplit("/", 1)[1]
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database for this test session, on one backend."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "doorstep.db"
        url = f"sqlite:///{path}"
        command.upgrade(alembic_config(url), "head")
        yield url
        return
    if request.param != "postgresql":
        raise ValueError(f"unknown backend {request.param!r}")
    url = create_pg_database()
    try:
        command.upgrade(alembic_config(url), "head")
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Test settings on the session's database."""
    return Settings(
        database_url=database_url,
        environment="test",
        document_cache_dir=tmp_path_factory.mktemp("cache"),
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[FastAPI]:
    """One app per backend, like a running server."""
    application = create_app(settings)
    yield application
    application.state.engine.dispose()
    application.state.read_engine.dispose()


@pytest.fixture(scope="session")
def engine(app: FastAPI) -> Engine:
    """The app's engine."""
    engine: Engine = app.state.engine
    return engine


def _wipe(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The database, emptied after the test."""
    yield engine
    _wipe(engine)


@pytest.fixture
def session(db: Engine, app: FastAPI) -> Iterator[Session]:
    """A session for arranging and checking data directly.

    Its transactions begin deferred, so a test that reads never holds SQLite's write lock
    while the app under test writes.
    """
    with app.state.read_sessionmaker() as s:
        yield s


@pytest.fixture
def client(db: Engine, app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client against the app (no credentials)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def pytest_configure(config: pytest.Config) -> None:
    """Run the suite on a shifted clock when ``DOORSTEP_TEST_CLOCK_SHIFT_DAYS`` is set.

    CI runs the date-dependent part a second time a year ahead, so that no test depends on
    the day it was written.
    """
    shift = os.environ.get("DOORSTEP_TEST_CLOCK_SHIFT_DAYS")
    if not shift:
        return
    from datetime import UTC, datetime, timedelta

    import time_machine  # only needed for the shifted run

    traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=int(shift)), tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)
