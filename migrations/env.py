"""Alembic environment: the URL comes from Doorstep's settings unless a caller passes one."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.operations import ops
from sqlalchemy import Connection

import app.models  # noqa: F401  (registers every table on the metadata)
from app.config import get_settings
from app.db import Base, make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def _drop_empty(context_: Any, revision: Any, directives: list[Any]) -> None:
    """Autogenerate writes no revision when nothing changed."""
    if not getattr(config.cmd_opts, "autogenerate", False):
        return  # `alembic check` reads the directives itself
    script = directives[0]
    if (
        isinstance(script, ops.MigrationScript)
        and script.upgrade_ops is not None
        and script.upgrade_ops.is_empty()
    ):
        directives[:] = []


def _not_the_job_queue(name: Any, type_: str, *_args: Any) -> bool:
    """huey keeps its own ``huey_*`` tables in the deployment's PostgreSQL: not our schema."""
    return not (type_ == "table" and str(name).startswith("huey_"))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_not_the_job_queue,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        process_revision_directives=_drop_empty,
    )


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection (one passed in by the caller, or a new engine)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
