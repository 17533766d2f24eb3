"""The ``doorstep`` command: serve, migrate, demo, create-user, import, render, worker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.config import DEFAULT_PUBLIC_BASE_URL, PROJECT_ROOT, get_settings

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


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def public_address_warning(host: str, public_base_url: str) -> str | None:
    """What to tell whoever serves on the network with the default public address, if anything."""
    loopback = host in LOOPBACK_HOSTS or host.startswith("127.")
    if loopback or public_base_url != DEFAULT_PUBLIC_BASE_URL:
        return None
    return (
        f"Warning: DOORSTEP_PUBLIC_BASE_URL is left at its default ({DEFAULT_PUBLIC_BASE_URL}), "
        "so the QR codes on flyers point at this machine's loopback address, which no phone "
        "can reach. Set it to the address phones use, e.g. "
        "DOORSTEP_PUBLIC_BASE_URL=https://192.168.1.20:8443"
    )


@cli.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0: every network interface)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    reload: Annotated[bool, typer.Option(help="Restart on code changes")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Migrate before serving")
    ] = True,
    ssl_certfile: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="TLS certificate (PEM): serve HTTPS"),
    ] = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="TLS private key (PEM)")
    ] = None,
) -> None:
    """Serve the API and the pages."""
    import uvicorn

    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise typer.BadParameter("--ssl-certfile and --ssl-keyfile go together")
    settings = get_settings()
    warning = public_address_warning(host, settings.public_base_url)
    if warning:
        typer.echo(warning, err=True)
    if migrate_first:
        _migrate(settings.database_url)
    scheme = "https" if ssl_certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        f"Doorstep on {scheme}://{shown}:{port}/  (API docs: {scheme}://{shown}:{port}/docs)"
    )
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
    )


@cli.command("create-user")
def create_user(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    admin: Annotated[bool, typer.Option("--admin", help="Make a system admin")] = False,
    display_name: Annotated[str | None, typer.Option(help="Name shown to others")] = None,
) -> None:
    """Create a user, or reset an existing user's password."""
    from app.auth import service as auth
    from app.db import make_engine, make_sessionmaker
    from app.errors import Conflict, Invalid

    engine = make_engine(get_settings().database_url)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                user, created = auth.set_up_user(
                    session,
                    username=username,
                    password=password,
                    admin=admin,
                    display_name=display_name,
                )
            except Invalid as exc:
                raise typer.BadParameter(exc.detail) from exc
            except Conflict as exc:
                typer.echo(exc.detail, err=True)
                raise typer.Exit(1) from exc
            verb = "Created" if created else "Updated"
            typer.echo(f"{verb} user {username} (id {user.id}{', admin' if user.is_admin else ''})")
    finally:
        engine.dispose()


@cli.command()
def demo(
    reset: Annotated[
        bool, typer.Option("--reset", help="Replace the demo community with a fresh one")
    ] = False,
) -> None:
    """Create the demo community when it is missing (``--reset`` recreates it); print the logins.

    Never touches any other community, and refuses to run when DOORSTEP_ENVIRONMENT=production:
    demo accounts with a published password must never exist there.
    """
    from app.db import make_engine, make_sessionmaker
    from app.demo import load_demo

    settings = get_settings()
    if settings.environment == "production":
        typer.echo(
            "Refused: `doorstep demo` does not run when DOORSTEP_ENVIRONMENT=production "
            "(its accounts share a published password).",
            err=True,
        )
        raise typer.Exit(2)
    _migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        summary = load_demo(session, reset=reset)
    engine.dispose()
    if summary.created:
        typer.echo(
            f"Demo community {summary.community_id} with {summary.households} households, "
            f"campaign {summary.campaign_id}."
        )
    else:
        typer.echo(
            f"Demo community {summary.community_id} already exists ({summary.households} "
            f"households): left as it is. `doorstep demo --reset` recreates it."
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
    dry_run: Annotated[bool, typer.Option(help="Show what would change; store nothing")] = False,
    replace_flags: Annotated[
        bool, typer.Option(help="The file's flags replace the recorded ones (default: added)")
    ] = False,
    confirm_vacant: Annotated[
        bool, typer.Option(help="Set households counted as reached vacant if the file says so")
    ] = False,
) -> None:
    """Import a household roster (CSV or XLSX) into a community, as an admin would."""
    # The campaigns' and contacts' repositories hand the registry the checks of the layers
    # above it (the staff scope, the reached check: see their use_* calls).
    from app.auth.models import User
    from app.auth.permissions import Actor
    from app.campaigns import repository as _rounds  # noqa: F401
    from app.communities.importer import import_households as run_import
    from app.communities.service import get_community
    from app.contacts import repository as _contacts  # noqa: F401
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
            actor = Actor(user=system)
            community = get_community(session, actor=actor, community_id=community_id)
            result = run_import(
                session,
                actor=actor,
                community=community,
                data=file.read_bytes(),
                filename=file.name,
                partial=partial,
                dry_run=dry_run,
                replace_flags=replace_flags,
                confirm_vacant=confirm_vacant,
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
    for change in result.changes:
        typer.echo(f"  row {change.row} {change.code} {change.field}: {change.old} → {change.new}")
    if result.dry_run:
        typer.echo("dry run: nothing was stored")


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


@cli.command("verify-coverage")
def verify_coverage(
    campaign_id: int,
    repair: Annotated[
        bool, typer.Option(help="Replace the kept state with the recomputation")
    ] = False,
) -> None:
    """Recompute a campaign's coverage state from its contacts; exit 1 on any difference."""
    from app.coverage.service import verify_state
    from app.db import make_engine, make_sessionmaker
    from app.errors import NotFound

    engine = make_engine(get_settings().database_url)
    with make_sessionmaker(engine)() as session:
        try:
            found = verify_state(session, campaign_id=campaign_id, repair=repair)
        except NotFound as exc:
            typer.echo(f"Campaign {campaign_id} not found", err=True)
            raise typer.Exit(2) from exc
    engine.dispose()
    for d in found:
        key = ", ".join(str(k) for k in d.key)
        if d.column != "(row)":
            what = f"{d.column}: kept {d.stored!r}, from contacts {d.recomputed!r}"
        elif d.recomputed:
            what = "missing from the kept state"
        else:
            what = "kept, but no contact supports it"
        typer.echo(f"{d.table} ({key}) {what}")
    if found:
        done = "; the state is repaired" if repair else " (--repair replaces the state)"
        typer.echo(f"{len(found)} difference(s) in campaign {campaign_id}{done}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Campaign {campaign_id}: the kept coverage state equals its contacts")


def main() -> None:
    """Entry point of the console script."""
    cli()
