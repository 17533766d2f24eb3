"""Coverage as managers sign it, computed by the database (see app/coverage/repository.py).

Used by other packages:

- ``load_campaign(session, *, actor, campaign_id) -> (Campaign, Community)``: the permission
  check of every coverage-like read (planners; staff 403; another community 404).
- ``campaign_coverage(session, *, actor, campaign_id) -> CoverageRead``
- ``compute_coverage(session, campaign, community) -> CoverageRead`` (no permission check)
- ``household_states(session, *, campaign_id, household_ids=None, building_ids=None)
  -> dict[int, HouseholdState]`` (no permission check: the caller has loaded the campaign)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.auth.permissions import PLANNERS, Actor
from app.campaigns.models import Campaign
from app.communities.models import Community
from app.coverage import repository as repo
from app.coverage.schemas import (
    BuildingCoverage,
    ChannelCounts,
    CoverageRead,
    DayFigures,
    Extras,
    FlaggedCoverage,
    HouseholdState,
    IncidentFigures,
    LedgerDay,
    LedgerRead,
    LedgerRow,
    Ratio,
    Revisits,
    StatusCounts,
)
from app.db import utcnow
from app.errors import Forbidden, Invalid, NotFound
from app.verification import service as verification

MAX_LEDGER_DAYS = 366
_STATUS = repo.STATUS_BY_RANK | {-1: "unvisited"}

Figures = dict[str, Any]


def ratio(reached: int, eligible: int) -> float | None:
    """reached ÷ eligible, to 4 places; None when nothing is eligible."""
    return round(reached / eligible, 4) if eligible else None


def _n(row: Figures, key: str) -> int:
    return int(row.get(key) or 0)


def _sum(rows: Iterable[Figures]) -> Figures:
    total: Figures = defaultdict(int)
    for row in rows:
        for key in repo.FIGURES:
            total[key] += _n(row, key)
    return total


def _ratio(row: Figures) -> Ratio:
    excluded = _n(row, "excluded")
    eligible = _n(row, "households") - excluded
    reached = _n(row, "reached")
    return Ratio(
        reached=reached, eligible=eligible, excluded=excluded, coverage=ratio(reached, eligible)
    )


def _status_counts(row: Figures) -> StatusCounts:
    return StatusCounts(**{key: _n(row, key) for key in StatusCounts.model_fields})


def _channels(row: Figures) -> ChannelCounts:
    return ChannelCounts(**{key: _n(row, f"via_{key}") for key in ChannelCounts.model_fields})


def _extras(row: Figures) -> Extras:
    return Extras(**{key: _n(row, key) for key in Extras.model_fields})


def local_bounds(starts_on: date, ends_on: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local dates [starts_on, ends_on] as a half-open UTC interval."""
    start = datetime.combine(starts_on, time(), tz).astimezone(UTC)
    end = datetime.combine(ends_on + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def load_campaign(
    session: Session, *, actor: Actor, campaign_id: int
) -> tuple[Campaign, Community]:
    """A campaign whose figures the actor may read (planners; staff 403; others 404)."""
    found = repo.campaign_with_community(session, campaign_id)
    if found is None or not actor.can_see(found[0].community_id):
        raise NotFound("Campaign not found")
    actor.require(found[0].community_id, PLANNERS, what="Campaign")
    return found


def _days(rows: Sequence[Figures], eligible: int) -> list[DayFigures]:
    newly = {r["day"]: _n(r, "newly_reached") for r in rows if r["kind"] == "first_reached"}
    days = sorted((r for r in rows if r["kind"] == "day"), key=lambda r: r["day"])
    result = []
    cumulative = 0
    for row in days:
        cumulative += newly.get(row["day"], 0)
        result.append(
            DayFigures(
                date=row["day"],
                contacts=_n(row, "contacts"),
                visited=_n(row, "visited"),
                reached=_n(row, "reached"),
                newly_reached=newly.get(row["day"], 0),
                cumulative_reached=cumulative,
                cumulative_coverage=ratio(cumulative, eligible),
                app_installs=_n(row, "app_installs"),
                pledges_signed=_n(row, "pledges_signed"),
                flyers_given=_n(row, "flyers_given"),
                residents_reached=_n(row, "residents_reached"),
            )
        )
    return result


def compute_coverage(session: Session, campaign: Campaign, community: Community) -> CoverageRead:
    """Every coverage figure of one campaign (no permission check)."""
    rows = repo.campaign_figures(
        session, campaign_id=campaign.id, community_id=campaign.community_id
    )
    per_building = {r["group_id"]: r for r in rows if r["kind"] == "building"}
    totals = _sum(per_building.values())
    overall = _ratio(totals)
    buildings = [
        BuildingCoverage(
            building_id=b.id,
            code=b.code,
            name=b.name,
            households=_n(per_building.get(b.id, {}), "households"),
            by_status=_status_counts(per_building.get(b.id, {})),
            **_ratio(per_building.get(b.id, {})).model_dump(),
        )
        for b in repo.buildings_of(session, campaign.community_id)
    ]
    flagged_any = Ratio(
        reached=_n(totals, "flagged_reached"),
        eligible=_n(totals, "flagged") - _n(totals, "flagged_excluded"),
        excluded=_n(totals, "flagged_excluded"),
        coverage=ratio(
            _n(totals, "flagged_reached"), _n(totals, "flagged") - _n(totals, "flagged_excluded")
        ),
    )
    start, end = local_bounds(campaign.starts_on, campaign.ends_on, ZoneInfo(community.timezone))
    incidents = repo.incident_figures(session, [campaign.community_id], start, end).get(
        campaign.community_id, {}
    )
    return CoverageRead(
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        target_coverage=campaign.target_coverage,
        households=_n(totals, "households"),
        as_of=utcnow(),
        **overall.model_dump(),
        by_status=_status_counts(totals),
        by_building=buildings,
        by_channel=_channels(totals),
        by_day=_days(rows, overall.eligible),
        flagged=FlaggedCoverage(
            any=flagged_any,
            by_flag={r["flag"]: _ratio(r) for r in rows if r["kind"] == "flag"},
        ),
        revisits=Revisits(
            first_not_home=_n(totals, "first_not_home"),
            revisited=_n(totals, "revisited"),
            reached_since=_n(totals, "reached_since"),
            not_yet_revisited=_n(totals, "first_not_home") - _n(totals, "revisited"),
        ),
        extras=_extras(totals),
        incidents=IncidentFigures(
            total=_n(incidents, "total"),
            dissuaded=_n(incidents, "dissuaded"),
            amount_lost=float(incidents.get("amount_lost") or 0),
            amount_prevented=float(incidents.get("amount_prevented") or 0),
        ),
        never_visited=_n(totals, "unvisited"),
        visited=_n(totals, "visited"),
        verification=verification.figures(
            session,
            campaign_id=campaign.id,
            claimed=overall.reached / overall.eligible if overall.eligible else None,
            population=_n(totals, "via_door"),
        ),
    )


def campaign_coverage(session: Session, *, actor: Actor, campaign_id: int) -> CoverageRead:
    """The coverage figures of a campaign, by the rules managers sign."""
    campaign, community = load_campaign(session, actor=actor, campaign_id=campaign_id)
    return compute_coverage(session, campaign, community)


def household_states(
    session: Session,
    *,
    campaign_id: int,
    household_ids: Sequence[int] | None = None,
    building_ids: Sequence[int] | None = None,
) -> dict[int, HouseholdState]:
    """Household id → its campaign status, for every household in scope (no permission check).

    Scope: the campaign's community, narrowed to ``household_ids`` and/or ``building_ids``.
    ``status`` is the best outcome (``vacant`` when every contact found it vacant,
    ``unvisited`` with none); ``excluded`` follows the coverage rules.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("Campaign not found")
    if household_ids is not None and not household_ids:
        return {}
    rows = repo.household_states(
        session,
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        household_ids=household_ids,
        building_ids=building_ids,
    )
    return {
        row["household_id"]: HouseholdState(
            household_id=row["household_id"],
            status=_STATUS[int(row["best_rank"])],
            excluded=bool(row["excluded"]),
            contacts=int(row["contacts"]),
            last_contact_at=row["last_contact_at"],
        )
        for row in rows
    }


# --- the ledger -----------------------------------------------------------------------------


def _ledger_communities(session: Session, actor: Actor) -> list[Community]:
    if actor.is_admin:
        return repo.communities(session, None)
    ids = [cid for cid, role in actor.roles.items() if role in PLANNERS]
    if not ids:
        raise Forbidden("The ledger is for managers and officers")
    return repo.communities(session, ids)


def _ledger_incidents(
    session: Session, communities: Sequence[Community], start: date, end: date
) -> dict[int, Figures]:
    """Per community, incidents on its own local dates (one query per time zone in use)."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for community in communities:
        by_zone[community.timezone].append(community.id)
    found: dict[int, Figures] = {}
    for zone, ids in by_zone.items():
        lo, hi = local_bounds(start, end, ZoneInfo(zone))
        found.update(repo.incident_figures(session, ids, lo, hi))
    return found


def ledger(session: Session, *, actor: Actor, start: date, end: date) -> LedgerRead:
    """The daily ledger of every community the actor plans in, ranked by coverage."""
    if start > end:
        raise Invalid("'from' is after 'to'", errors=[{"field": "from", "message": "after to"}])
    if (end - start).days >= MAX_LEDGER_DAYS:
        raise Invalid(
            f"At most {MAX_LEDGER_DAYS} days at a time",
            errors=[{"field": "from", "message": "range too long"}],
        )
    communities = _ledger_communities(session, actor)
    ids = [c.id for c in communities]
    rows = repo.ledger_figures(session, community_ids=ids, start=start, end=end) if ids else []
    totals = {r["group_id"]: r for r in rows if r["kind"] == "community"}
    days: dict[int, list[LedgerDay]] = defaultdict(list)
    for row in sorted((r for r in rows if r["kind"] == "day"), key=lambda r: r["day"]):
        days[row["group_id"]].append(
            LedgerDay(
                date=row["day"], **{k: _n(row, k) for k in LedgerDay.model_fields if k != "date"}
            )
        )
    incidents = _ledger_incidents(session, communities, start, end)
    items = []
    for community in communities:
        figures = totals.get(community.id, {})
        cov = _ratio(figures)
        items.append(
            LedgerRow(
                rank=0,
                community_id=community.id,
                community_name=community.name,
                households=_n(figures, "households"),
                **cov.model_dump(),
                visited=_n(figures, "visited"),
                contacts=_n(figures, "contacts"),
                **{k: _n(figures, k) for k in ("residents_reached", *repo.EXTRAS)},
                incidents=_n(incidents.get(community.id, {}), "total"),
                scams_dissuaded=_n(incidents.get(community.id, {}), "dissuaded"),
                days=days.get(community.id, []),
            )
        )
    items.sort(key=lambda r: (r.coverage is None, -(r.coverage or 0), -r.reached, r.community_name))
    for rank, item in enumerate(items, start=1):
        item.rank = rank
    return LedgerRead(
        date_from=start,
        date_to=end,
        items=items,
        total=len(items),
        overall=_ratio(_sum(totals.values())),
    )
