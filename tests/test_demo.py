"""`doorstep demo` and `make run` never destroy data; demo accounts never exist in production."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from app.auth.models import User
from app.cli import cli
from app.communities.models import Building, Community, Household
from app.config import PROJECT_ROOT, get_settings
from app.demo import DEMO_SLUG
from tests.factories import make_household

Run = Callable[..., Result]


@pytest.fixture
def run(database_url: str, db: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """Run `doorstep …` against the test database, with extra environment variables."""

    def invoke(*args: str, **env: str) -> Result:
        monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        return CliRunner().invoke(cli, list(args))

    yield invoke
    get_settings.cache_clear()


def demo_households(session: Session) -> int:
    """How many households the demo community holds now."""
    session.rollback()
    return (
        session.scalar(
            select(func.count())
            .select_from(Household)
            .join(Community, Community.id == Household.community_id)
            .where(Community.slug == DEMO_SLUG)
        )
        or 0
    )


def households_of(session: Session) -> list[Household]:
    """The demo community's households."""
    session.rollback()
    return list(
        session.scalars(
            select(Household)
            .join(Community, Community.id == Household.community_id)
            .where(Community.slug == DEMO_SLUG)
        )
    )


class TestDemo:
    def test_a_second_run_keeps_what_was_recorded(self, run: Run, session: Session) -> None:
        first = run("demo")
        assert first.exit_code == 0, first.output
        created = demo_households(session)
        assert created > 0
        community = session.scalars(select(Community).where(Community.slug == DEMO_SLUG)).one()
        b = session.scalars(select(Building).where(Building.community_id == community.id)).first()
        assert b is not None
        make_household(session, b, unit="9", floor=9, room="999")

        again = run("demo")
        assert again.exit_code == 0, again.output
        assert "already exists" in again.output
        assert demo_households(session) == created + 1
        session.rollback()
        assert session.scalar(select(Community.id).where(Community.slug == DEMO_SLUG)) == (
            community.id
        )

    def test_reset_recreates_it_on_purpose(self, run: Run, session: Session) -> None:
        assert run("demo").exit_code == 0
        created = demo_households(session)
        community_id = session.scalar(select(Community.id).where(Community.slug == DEMO_SLUG))
        b = session.scalars(select(Building).where(Building.community_id == community_id)).first()
        assert b is not None
        make_household(session, b, unit="9", floor=9, room="999")
        reset = run("demo", "--reset")
        assert reset.exit_code == 0, reset.output
        assert demo_households(session) == created
        assert "999" not in {h.room for h in households_of(session)}

    @pytest.mark.parametrize("args", [("demo",), ("demo", "--reset")], ids=["demo", "reset"])
    def test_refused_in_production(self, run: Run, session: Session, args: tuple[str, ...]) -> None:
        result = run(
            *args, DOORSTEP_ENVIRONMENT="production", DOORSTEP_SECRET_KEY="a-real-secret-0123456789"
        )
        assert result.exit_code != 0
        assert "production" in result.output
        session.rollback()
        assert session.scalar(select(func.count()).select_from(User)) == 0
        assert session.scalar(select(func.count()).select_from(Community)) == 0


def test_make_run_never_resets() -> None:
    """`make run` loads the demo only when missing: no --reset among its commands."""
    dry = subprocess.run(
        ["make", "-n", "run"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "doorstep demo" in dry
    assert "--reset" not in dry
