"""The ``doorstep`` command: serve, migrate, demo, create-user, import, render, worker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.config import PROJECT_ROOT, get_settings

cli = typer.Typer(
    help="Doorstep: plan and prove door-to-door anti-fraud publicity.",
    no_args_is_help=True,
    add_completion=False,
)


def _migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date (the only way the schema is made)."""
    url = get_settings().database_url
    _migrate(url)
    typer.echo(f"Database is up to date: {_safe_url(url)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    reload: Annotated[bool, typer.Option(help="Restart on code changes")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Migrate before serving")
    ] = True,
) -> None:
    """Serve the API and the pages."""
    import uvicorn

    if migrate_first:
        _migrate(get_settings().database_url)
    typer.echo(f"Doorstep on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
    )


@cli.command("create-user")
def create_user(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    admin: Annotated[bool, typer.Option("--admin", help="Make a system admin")] = False,
    display_name: Annotated[str | None, typer.Option(help="Name shown to others")] = None,
) -> None:
    """Create a user, or reset an existing user's password."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.auth.security import hash_password
    from app.db import make_engine, make_sessionmaker

    if len(password) < 8:
        raise typer.BadParameter("the password needs at least 8 characters")
    engine = make_engine(get_settings().database_url)
    with make_sessionmaker(engine)() as session:
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None:
            user = User(
                username=username,
                display_name=display_name or username,
                password_hash=hash_password(password),
                is_admin=admin,
            )
            session.add(user)
            verb = "Created"
        else:
            user.password_hash = hash_password(password)
            user.is_admin = user.is_admin or admin
            verb = "Updated"
        session.commit()
        typer.echo(f"{verb} user {username} (id {user.id}{', admin' if user.is_admin else ''})")
    engine.dispose()


@cli.command()
def demo() -> None:
    """Create or refresh the demo community on the current database and print the logins."""
    from app.db import make_engine, make_sessionmaker
    from app.demo import load_demo

    settings = get_settings()
    _migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        summary = load_demo(session)
    engine.dispose()
    typer.echo(
        f"Demo community {summary.community_id} with {summary.households} households, "
        f"campaign {summary.campaign_id}."
    )
    typer.echo("Logins (username / password / role):")
    for username, password, role in summary.logins:
        typer.echo(f"  {username:<8} {password}  {role}")


@cli.command("import")
def import_households(
    community_id: int,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    partial: Annotated[
        bool, typer.Option(help="Import the good rows even if some are bad")
    ] = False,
) -> None:
    """Import a household roster (CSV or XLSX) into a community, as an admin would."""
    from app.auth.models import User
    from app.auth.permissions import Actor
    from app.communities.importer import import_households as run_import
    from app.db import make_engine, make_sessionmaker
    from app.errors import AppError

    engine = make_engine(get_settings().database_url)
    system = User(
        id=0,
        username="cli",
        display_name="command line",
        password_hash="",
        is_admin=True,
        is_active=True,
    )
    with make_sessionmaker(engine)() as session:
        try:
            result = run_import(
                session,
                actor=Actor(user=system),
                community_id=community_id,
                data=file.read_bytes(),
                filename=file.name,
                partial=partial,
            )
        except AppError as exc:
            typer.echo(f"Import refused: {exc.detail}", err=True)
            for err in exc.errors or []:
                typer.echo(f"  row {err.get('row', '?')}: {err.get('reason', err)}", err=True)
            raise typer.Exit(1) from exc
    engine.dispose()
    typer.echo(
        f"created {result.created}, updated {result.updated}, "
        f"unchanged {result.unchanged}, rejected {len(result.rejected)}"
    )
    for rejection in result.rejected:
        typer.echo(f"  row {rejection.row}: {rejection.reason}")


@cli.command()
def render(
    out: Annotated[Path, typer.Option(help="Folder for the sample PDFs")] = Path("out"),
) -> None:
    """Render sample documents of the demo community into a folder (run `doorstep demo` first)."""
    from app.documents.cli_render import render_samples

    for path in render_samples(out, get_settings().database_url):
        typer.echo(f"wrote {path}")


@cli.command()
def worker(
    threads: Annotated[int, typer.Option(help="Job threads (webhooks, escalations)")] = 2,
) -> None:
    """Run background jobs until interrupted: escalations, notifications, erasure, documents."""
    from app.jobs.worker import run

    typer.echo("Doorstep worker running (huey); Ctrl+C stops it.")
    run(get_settings(), workers=threads)


def main() -> None:
    """Entry point of the console script."""
    cli()
