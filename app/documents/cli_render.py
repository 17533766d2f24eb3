"""Sample documents of the demo community, for ``doorstep render`` (run ``doorstep demo`` first).

The samples are made again from the demo data on demand and never committed: a flyer per
language, per-household flyers of one building, a round's walk sheet, every walk sheet of the
campaign, the coverage report and the ledger across communities.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import Actor
from app.campaigns.models import Campaign, Round
from app.communities.models import Building, Community
from app.config import get_settings
from app.coverage import service as coverage
from app.db import make_engine, make_sessionmaker
from app.demo import DEMO_SLUG
from app.documents import render, service
from app.errors import NotFound


def _admin() -> Actor:
    return Actor(user=User(id=0, username="render", display_name="render", is_admin=True))


def _samples(session: Session, out_dir: Path) -> Iterator[Path]:
    settings = get_settings()
    community = session.scalars(select(Community).where(Community.slug == DEMO_SLUG)).first()
    if community is None:
        raise NotFound("No demo community: run `doorstep demo` first")
    campaign = session.scalars(
        select(Campaign).where(Campaign.community_id == community.id).order_by(Campaign.id)
    ).first()
    if campaign is None:
        raise NotFound("The demo community has no campaign")
    building = session.scalars(
        select(Building).where(Building.community_id == community.id).order_by(Building.id)
    ).first()
    rnd = session.scalars(
        select(Round).where(Round.campaign_id == campaign.id).order_by(Round.starts_at)
    ).first()
    actor = _admin()
    specs: list[service.DocumentSpec] = []
    for lang in ("zh", "en"):
        specs.append(
            service.flyers_spec(
                session,
                actor=actor,
                campaign_id=campaign.id,
                building_id=building.id if building else None,
                lang=lang,
                size="A5",
                per_household=False,
            )
        )
    if building is not None:
        specs.append(
            service.flyers_spec(
                session,
                actor=actor,
                campaign_id=campaign.id,
                building_id=building.id,
                lang="zh",
                size="A5",
                per_household=True,
            )
        )
    if rnd is not None:
        specs.append(service.walk_sheet_spec(session, actor=actor, round_id=rnd.id))
    specs.append(service.walk_sheets_spec(session, actor=actor, campaign_id=campaign.id))
    specs.append(service.report_spec(session, actor=actor, campaign_id=campaign.id))
    for spec in specs:
        context = service.build_context(session, spec, settings)
        name = (
            spec.filename
            if spec.kind != "flyers" or not spec.params["per_household"]
            else (spec.filename.replace("flyers-", "flyers-per-household-"))
        )
        path = out_dir / name
        path.write_bytes(render.render_pdf(spec.kind, context))
        yield path
    start, end = coverage.ledger_period(session, actor=actor, start=None, end=None)
    ledger, filename = service.ledger_context(
        session, actor=actor, start=start, end=end, default_period=True
    )
    path = out_dir / filename
    path.write_bytes(render.render_pdf("ledger", ledger))
    yield path


def render_samples(out_dir: Path, database_url: str) -> list[Path]:
    """Render the sample documents of the demo community into ``out_dir``; their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return list(_samples(session, out_dir))
    finally:
        engine.dispose()
