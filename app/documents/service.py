"""The documents' use cases: who may have which document, built from which facts.

A request becomes a ``DocumentSpec``: the kind and parameters, the community it belongs to, a
file name and a cache key over the kind, the parameters, the data version (a cheap digest of
everything the document prints), the templates' version and the local date. The spec is
enough to build the view-model again later, in a background job on any worker.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.auth.permissions import PLANNERS, Actor
from app.campaigns.dependencies import get_campaign, get_round
from app.campaigns.models import Campaign, Round
from app.communities.models import Building, Community
from app.config import TEMPLATES_DIR, Settings
from app.coverage import service as coverage
from app.db import utcnow
from app.documents import context as views
from app.documents import repository as repo
from app.documents.labels import Lang
from app.errors import Invalid, NotFound
from app.warnings import reports

DocumentKind = Literal["flyers", "walk_sheet", "walk_sheets", "report", "ledger"]
SYNC_HOUSEHOLDS: dict[str, int] = {
    "report": 20_000,
    "walk_sheets": 1_500,
    "walk_sheet": 1_500,
    "flyers": 300,
}
"""Above this many households (in the document) a render becomes a background job: measured
on bench/documents.py, about 5 s of rendering each (the report's appendix is cheap per
household, a walk sheet line or a per-household flyer much less so)."""


def is_large(spec: DocumentSpec) -> bool:
    """Whether the spec is rendered as a background job rather than in the request."""
    return spec.households > SYNC_HOUSEHOLDS.get(spec.kind, 10**9)


@dataclass(frozen=True)
class DocumentSpec:
    """What to render, for whom, under which name and cache key."""

    kind: DocumentKind
    community_id: int
    params: dict[str, Any]
    filename: str
    cache_key: str
    households: int = 0
    content_type: str = "application/pdf"
    extra: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=1)
def templates_version() -> str:
    """A digest of templates/documents and the fonts: a new deploy renders afresh."""
    digest = hashlib.sha256()
    for path in sorted((TEMPLATES_DIR / "documents").iterdir()) + sorted(
        (TEMPLATES_DIR / "fonts").glob("*.otf")
    ):
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def slug(community: Community) -> str:
    """A file-name-safe name of the community: its slug, else its id."""
    text = community.slug or ""
    text = re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-").lower()
    return text or f"community-{community.id}"


def local_today(community: Community) -> date:
    """Today in the community's time zone."""
    return datetime.now(ZoneInfo(community.timezone)).date()


def _key(*parts: Any) -> str:
    return hashlib.sha256(repr((templates_version(), *parts)).encode()).hexdigest()


def _community(session: Session, community_id: int) -> Community:
    community = repo.community(session, community_id)
    if community is None:
        raise NotFound("Community not found")
    return community


def _planner_campaign(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    return get_campaign(session, actor=actor, campaign_id=campaign_id, allowed=PLANNERS)


def _spec(
    session: Session,
    kind: DocumentKind,
    campaign: Campaign,
    community: Community,
    *,
    params: dict[str, Any],
    name: str,
    households: int | None = None,
) -> DocumentSpec:
    """The spec of a PDF of the campaign: its file named ``{name}-{today}.pdf``, its cache
    key made of the parameters, the campaign's data version and the community's date, and the
    households it prints (by default all of the community's)."""
    today = local_today(community)
    if households is None:
        households = repo.count_households(session, community.id)
    return DocumentSpec(
        kind=kind,
        community_id=community.id,
        params=params,
        filename=f"{name}-{today.isoformat()}.pdf",
        cache_key=_key(kind, params, repo.data_version(session, campaign), today),
        households=households,
    )


# --- specs: permission checks and cache keys ------------------------------------------------


def flyers_spec(
    session: Session,
    *,
    actor: Actor,
    campaign_id: int,
    building_id: int | None,
    lang: Lang,
    size: str,
    per_household: bool,
) -> DocumentSpec:
    """Flyers of a campaign for one building (or the community), optionally one per household."""
    campaign = _planner_campaign(session, actor, campaign_id)
    community = _community(session, campaign.community_id)
    building_ids = None
    if building_id is not None:
        building = session.get(Building, building_id)
        if building is None or building.community_id != campaign.community_id:
            raise NotFound("Building not found")
        building_ids = [building_id]
    if per_household and building_id is None:
        raise Invalid(
            "per_household needs a building_id",
            errors=[{"field": "building_id", "message": "required with per_household=true"}],
        )
    # One flyer for everyone; a page per household only per building.
    count = (
        repo.count_households(session, campaign.community_id, building_ids) if per_household else 1
    )
    params = {
        "campaign_id": campaign.id,
        "building_id": building_id,
        "lang": lang,
        "size": size,
        "per_household": per_household,
    }
    where = f"-b{building_id}" if building_id else ""
    return _spec(
        session,
        "flyers",
        campaign,
        community,
        params=params,
        name=f"flyers-{slug(community)}{where}-{lang}",
        households=count,
    )


def walk_sheet_spec(
    session: Session, *, actor: Actor, round_id: int, page_per_unit: bool = False
) -> DocumentSpec:
    """One round's walk sheet (staff: their own rounds only)."""
    rnd = get_round(session, actor=actor, round_id=round_id)
    campaign = session.get(Campaign, rnd.campaign_id)
    assert campaign is not None
    community = _community(session, rnd.community_id)
    params = {"campaign_id": campaign.id, "round_ids": [rnd.id], "page_per_unit": page_per_unit}
    buildings = repo.round_buildings(session, [rnd.id]).get(rnd.id, [])
    return _spec(
        session,
        "walk_sheet",
        campaign,
        community,
        params=params,
        name=f"walk-sheet-{slug(community)}-round-{rnd.id}",
        households=repo.count_households(session, rnd.community_id, buildings) if buildings else 0,
    )


def walk_sheets_spec(
    session: Session, *, actor: Actor, campaign_id: int, page_per_unit: bool = False
) -> DocumentSpec:
    """Every round's walk sheet of a campaign in one file (planners)."""
    campaign = _planner_campaign(session, actor, campaign_id)
    community = _community(session, campaign.community_id)
    params = {"campaign_id": campaign.id, "round_ids": None, "page_per_unit": page_per_unit}
    name = f"walk-sheets-{slug(community)}"
    return _spec(session, "walk_sheets", campaign, community, params=params, name=name)


def report_spec(
    session: Session, *, actor: Actor, campaign_id: int, lang: Lang = "zh"
) -> DocumentSpec:
    """The coverage report of a campaign (planners), Chinese unless ``lang="en"``."""
    campaign, community = coverage.load_campaign(session, actor=actor, campaign_id=campaign_id)
    params = {"campaign_id": campaign.id, "lang": lang}
    name = f"coverage-{slug(community)}" + ("-en" if lang == "en" else "")
    return _spec(session, "report", campaign, community, params=params, name=name)


# --- view-models from the database ----------------------------------------------------------


def _facts(
    session: Session,
    campaign: Campaign,
    *,
    building_ids: Sequence[int] | None = None,
    notes: bool = False,
) -> list[views.HouseholdFact]:
    rows = repo.households(session, campaign.community_id, building_ids=building_ids)
    ids = [h.id for h, _ in rows]
    states = coverage.household_states(
        session,
        campaign_id=campaign.id,
        building_ids=list(building_ids) if building_ids is not None else None,
    )
    flags = repo.flags_of(session, ids)
    last = repo.last_notes(session, campaign.id, ids) if notes else {}
    word = views.building_word(repo.building_names(session, campaign.community_id))
    facts = []
    for h, b in rows:
        state = states.get(h.id)
        facts.append(
            views.HouseholdFact(
                id=h.id,
                code=h.code,
                building_id=b.id,
                building_code=b.code,
                building_name=b.name,
                unit=h.unit,
                floor=h.floor,
                room=h.room,
                flags=tuple(flags.get(h.id, ())),
                status=state.status if state else "unvisited",
                excluded=state.excluded if state else h.occupancy == "vacant",
                contacts=state.contacts if state else 0,
                last_note=last.get(h.id),
                building_word=word,
            )
        )
    return facts


def household_facts(session: Session, campaign: Campaign) -> list[views.HouseholdFact]:
    """Every household of the campaign's community with its status (for exports)."""
    return _facts(session, campaign)


def _header(campaign: Campaign, community: Community) -> views.Header:
    return views.make_header(
        community=community.name,
        campaign=campaign.name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        generated_at=utcnow(),
        tz=ZoneInfo(community.timezone),
        address=community.address,
    )


def build_context(session: Session, spec: DocumentSpec, settings: Settings) -> object:
    """The view-model of a spec, read from the database (no permission check: done before)."""
    params = spec.params
    campaign = session.get(Campaign, params["campaign_id"])
    if campaign is None:
        raise NotFound("Campaign not found")
    community = _community(session, campaign.community_id)
    tz = ZoneInfo(community.timezone)
    if spec.kind == "flyers":
        return _flyer_context(session, campaign, community, params, settings)
    if spec.kind in ("walk_sheet", "walk_sheets"):
        rounds: list[Round]
        if params.get("round_ids"):
            rounds = [r for r in (session.get(Round, i) for i in params["round_ids"]) if r]
        else:
            rounds = repo.rounds_of(session, campaign.id)
        return views.build_walk_sheets(
            header=_header(campaign, community),
            rounds=_round_facts(session, campaign, rounds),
            tz=tz,
            page_per_unit=bool(params.get("page_per_unit")),
        )
    if spec.kind == "report":
        figures = coverage.compute_coverage(session, campaign, community)
        start, end = coverage.local_bounds(campaign.starts_on, campaign.ends_on, tz)
        incidents = [
            views.IncidentFact(
                occurred_at=i.occurred_at,
                fraud_type=i.fraud_type,
                channel=i.channel,
                summary=i.summary,
                amount_lost=float(i.amount_lost) if i.amount_lost is not None else None,
                amount_prevented=(
                    float(i.amount_prevented) if i.amount_prevented is not None else None
                ),
                status=i.status,
            )
            for i in repo.incidents_between(session, community.id, start, end)
        ]
        return views.build_report(
            header=_header(campaign, community),
            coverage=figures,
            households=_facts(session, campaign),
            incidents=incidents,
            tz=tz,
            lang=params.get("lang", "zh"),
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
            today=local_today(community),
        )
    raise Invalid(f"Unknown document kind {spec.kind}")


def _flyer_context(
    session: Session,
    campaign: Campaign,
    community: Community,
    params: dict[str, Any],
    settings: Settings,
) -> views.FlyerContext:
    lang: Lang = params["lang"]
    building = None
    if params.get("building_id") is not None:
        building = session.get(Building, params["building_id"])
    officer = repo.user(session, building.grid_officer_id) if building is not None else None
    fallback = None
    if (officer is None or not officer.phone) and not community.service_centre_phone:
        fallback = repo.community_officer(session, community.id)
    codes = None
    if params.get("per_household") and building is not None:
        facts = _facts(session, campaign, building_ids=[building.id])
        codes = [f.code for f in views.ordered_households(facts)]
    label = None
    if building is not None:
        word = views.building_word(repo.building_names(session, community.id))
        label = views.building_label(building.code, building.name, word, lang)
    return views.build_flyer(
        lang=lang,
        size=params["size"],
        community=community.name,
        campaign=campaign.name,
        campaign_id=campaign.id,
        topics=campaign.topics,
        building=label,
        contacts=views.flyer_contacts(
            lang=lang,
            grid_officer=views.Person(officer.display_name, officer.phone) if officer else None,
            service_centre_phone=community.service_centre_phone,
            community_officer=views.Person(fallback.display_name, fallback.phone)
            if fallback
            else None,
        ),
        address=community.address,
        household_codes=codes,
        public_base_url=settings.public_base_url,
        report_url=reports.report_url(session, campaign, settings.public_base_url),
    )


def _round_facts(
    session: Session, campaign: Campaign, rounds: Sequence[Round]
) -> list[views.RoundFact]:
    ids = [r.id for r in rounds]
    buildings = repo.round_buildings(session, ids)
    assignees = repo.round_assignees(session, ids)
    every = sorted({b for r in rounds for b in buildings.get(r.id, [])})
    facts = _facts(session, campaign, building_ids=every, notes=True) if every else []
    result = []
    for r in rounds:
        mine = set(buildings.get(r.id, []))
        allowed = {int(k): set(v) for k, v in (r.units or {}).items()}
        households = tuple(
            f
            for f in facts
            if f.building_id in mine
            and (f.building_id not in allowed or f.unit in allowed[f.building_id])
        )
        result.append(
            views.RoundFact(
                id=r.id,
                starts_at=r.starts_at,
                ends_at=r.ends_at,
                status=r.status,
                notes=r.notes,
                assignees=tuple(views.Person(u.display_name) for u in assignees.get(r.id, [])),
                households=households,
            )
        )
    return result


def ledger_context(
    session: Session, *, actor: Actor, start: date, end: date, default_period: bool = False
) -> tuple[views.LedgerContext, str]:
    """The ranked ledger across the communities the actor plans in, and its file name."""
    ledger = coverage.ledger(session, actor=actor, start=start, end=end)
    ctx = views.build_ledger(
        ledger=ledger,
        generated_at=utcnow(),
        tz=ZoneInfo("Asia/Shanghai"),
        default_period=default_period,
    )
    return ctx, f"ledger-{start.isoformat()}-{end.isoformat()}.pdf"
