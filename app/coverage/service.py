"""Coverage as managers sign it, computed by the database (see app/coverage/repository.py).

Used by other packages:

- ``load_campaign(session, *, actor, campaign_id) -> (Campaign, Community)``: the permission
  check of every coverage-like read (planners; staff 403; another community 404);
  ``planners_community(session, *, actor, campaign) -> Community`` the same for a campaign
  already loaded (``CampaignDep``).
- ``campaign_coverage(session, *, actor, campaign) -> CoverageRead``
- ``households_not_reached(session, *, actor, campaign, limit, offset)``: the gaps, a page
- ``compute_coverage(session, campaign, community) -> CoverageRead`` (no permission check)
- ``household_states(session, *, campaign_id, household_ids=None, building_ids=None)
  -> dict[int, HouseholdState]`` (no permission check; an unknown campaign is a 404). Packages
  below coverage in the layers (campaigns) call ``app.coverage.households.household_states``,
  which takes the campaign's community id instead
- ``ledger_period(session, *, actor, start, end) -> (start, end)``: the ledger's dates, the
  default period filled in
- ``verify_state(session, *, campaign_id, repair=False) -> list[Difference]``
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.auth.permissions import PLANNERS, Actor
from app.campaigns.models import Campaign
from app.communities.models import Community
from app.coverage import households, state
from app.coverage import repository as repo
from app.coverage.repository import FigureRow
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
    NotReachedHousehold,
    Ratio,
    Revisits,
    StatusCounts,
)
from app.coverage.state import Difference
from app.db import utcnow
from app.enums import OutcomeRank
from app.errors import Forbidden, Invalid, NotFound
from app.verification import service as verification
from app.warnings import service as warnings
from app.warnings.schemas import WarningSummary

MAX_LEDGER_DAYS = 366
LEDGER_DAYS = 30
"""The ledger's default period: the 30 local days up to today."""


def ratio(reached: int, eligible: int) -> float | None:
    """reached ÷ eligible, to 4 places; None when nothing is eligible."""
    return round(reached / eligible, 4) if eligible else None


def _ratio(row: FigureRow) -> Ratio:
    eligible = row.households - row.excluded
    return Ratio(
        reached=row.reached,
        eligible=eligible,
        excluded=row.excluded,
        coverage=ratio(row.reached, eligible),
    )


def _status_counts(row: FigureRow) -> StatusCounts:
    return StatusCounts.model_validate(row, from_attributes=True)


def _channels(row: FigureRow) -> ChannelCounts:
    return ChannelCounts(
        door=row.via_door, event=row.via_event, walk_in=row.via_walk_in, phone=row.via_phone
    )


def _extras(row: FigureRow) -> Extras:
    return Extras.model_validate(row, from_attributes=True)


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
    if found is None:
        raise NotFound("Campaign not found")
    actor.require(found[0].community_id, PLANNERS, what="Campaign")
    return found


def planners_community(session: Session, *, actor: Actor, campaign: Campaign) -> Community:
    """The community of a campaign loaded for the actor, once they are a planner there (403)."""
    actor.require(campaign.community_id, PLANNERS, what="Campaign")
    community = session.get(Community, campaign.community_id)
    assert community is not None  # the foreign key guarantees it
    return community


def _by_day(row: FigureRow) -> date:
    assert row.day is not None, "day rows have a day"
    return row.day


def _days(rows: Sequence[FigureRow], eligible: int) -> list[DayFigures]:
    newly = {r.day: r.newly_reached for r in rows if r.kind == "first_reached"}
    result = []
    cumulative = 0
    for row in sorted((r for r in rows if r.kind == "day"), key=_by_day):
        cumulative += newly.get(row.day, 0)
        result.append(
            DayFigures(
                date=_by_day(row),
                contacts=row.contacts,
                visited=row.visited,
                reached=row.reached,
                newly_reached=newly.get(row.day, 0),
                cumulative_reached=cumulative,
                cumulative_coverage=ratio(cumulative, eligible),
                app_installs=row.app_installs,
                pledges_signed=row.pledges_signed,
                flyers_given=row.flyers_given,
                residents_reached=row.residents_reached,
            )
        )
    return result


def compute_coverage(session: Session, campaign: Campaign, community: Community) -> CoverageRead:
    """Every coverage figure of one campaign (no permission check)."""
    rows = repo.campaign_figures(
        session, campaign_id=campaign.id, community_id=campaign.community_id
    )
    per_building = {r.group_id: r for r in rows if r.kind == "building"}
    totals = FigureRow.total("campaign", per_building.values())
    overall = _ratio(totals)
    buildings = []
    for b in repo.buildings_of(session, campaign.community_id):
        figures = per_building.get(b.id) or FigureRow("building", group_id=b.id)
        buildings.append(
            BuildingCoverage(
                building_id=b.id,
                code=b.code,
                name=b.name,
                households=figures.households,
                by_status=_status_counts(figures),
                **_ratio(figures).model_dump(),
            )
        )
    flagged_eligible = totals.flagged - totals.flagged_excluded
    flagged_any = Ratio(
        reached=totals.flagged_reached,
        eligible=flagged_eligible,
        excluded=totals.flagged_excluded,
        coverage=ratio(totals.flagged_reached, flagged_eligible),
    )
    start, end = local_bounds(campaign.starts_on, campaign.ends_on, ZoneInfo(community.timezone))
    incidents = repo.incident_figures(session, [campaign.community_id], start, end).get(
        campaign.community_id, repo.IncidentFigures()
    )
    return CoverageRead(
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        target_coverage=campaign.target_coverage,
        households=totals.households,
        as_of=utcnow(),
        **overall.model_dump(),
        by_status=_status_counts(totals),
        by_building=buildings,
        by_channel=_channels(totals),
        by_day=_days(rows, overall.eligible),
        flagged=FlaggedCoverage(
            any=flagged_any,
            by_flag={r.flag: _ratio(r) for r in rows if r.kind == "flag" and r.flag},
        ),
        revisits=Revisits(
            first_not_home=totals.first_not_home,
            revisited=totals.revisited,
            reached_since=totals.reached_since,
            not_yet_revisited=totals.first_not_home - totals.revisited,
        ),
        extras=_extras(totals),
        incidents=IncidentFigures.model_validate(incidents, from_attributes=True),
        never_visited=totals.unvisited,
        visited=totals.visited,
        verification=verification.figures(
            session,
            campaign_id=campaign.id,
            claimed=overall.reached / overall.eligible if overall.eligible else None,
            population=totals.via_door,
        ),
    )


def campaign_coverage(session: Session, *, actor: Actor, campaign: Campaign) -> CoverageRead:
    """The coverage figures of a campaign, by the rules managers sign (planners)."""
    community = planners_community(session, actor=actor, campaign=campaign)
    return compute_coverage(session, campaign, community)


def households_not_reached(
    session: Session, *, actor: Actor, campaign: Campaign, limit: int, offset: int
) -> tuple[list[NotReachedHousehold], int]:
    """The campaign's eligible households not reached yet (planners only), and their number."""
    actor.require(campaign.community_id, PLANNERS, what="Campaign")
    rows, total = repo.not_reached(session, campaign, limit=limit, offset=offset)
    found = [
        NotReachedHousehold.model_validate(
            {**r._mapping, "status": OutcomeRank(r.best_rank).status}
        )
        for r in rows
    ]
    return found, total


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
    return households.household_states(
        session,
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        household_ids=household_ids,
        building_ids=building_ids,
    )


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
) -> dict[int, repo.IncidentFigures]:
    """Per community, incidents on its own local dates (one query per time zone in use)."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for community in communities:
        by_zone[community.timezone].append(community.id)
    found: dict[int, repo.IncidentFigures] = {}
    for zone, ids in by_zone.items():
        lo, hi = local_bounds(start, end, ZoneInfo(zone))
        found.update(repo.incident_figures(session, ids, lo, hi))
    return found


def default_period(timezones: Iterable[str], now: datetime) -> tuple[date, date]:
    """The ledger's dates when none are given: the LEDGER_DAYS local days up to today.

    "Today" is the community's own date; across time zones the latest of them, so that no
    community's today is left out.
    """
    end = max((now.astimezone(ZoneInfo(zone)).date() for zone in set(timezones)), default=None)
    end = end or now.astimezone(UTC).date()
    return end - timedelta(days=LEDGER_DAYS - 1), end


def ledger_period(
    session: Session, *, actor: Actor, start: date | None, end: date | None
) -> tuple[date, date]:
    """The dates a ledger covers: those given, the rest from ``default_period``."""
    if start is not None and end is not None:
        return start, end
    zones = [c.timezone for c in _ledger_communities(session, actor)]
    default_start, default_end = default_period(zones, utcnow())
    if end is None:
        end = default_end if start is None else max(default_end, start)
    return start or end - (default_end - default_start), end


def _ledger_warnings(
    session: Session, communities: Sequence[Community], start: date, end: date
) -> dict[int, WarningSummary]:
    """Per community, its warnings received on its own local dates start…end (two queries
    for all communities, whatever their number)."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for community in communities:
        by_zone[community.timezone].append(community.id)
    ranges = [(ids, *local_bounds(start, end, ZoneInfo(zone))) for zone, ids in by_zone.items()]
    return warnings.summaries_of(session, ranges, now=utcnow())


def ledger(
    session: Session, *, actor: Actor, start: date | None = None, end: date | None = None
) -> LedgerRead:
    """The daily ledger of every community the actor plans in, ranked by coverage.

    Missing dates default to ``default_period``; days are each community's local dates.
    """
    start, end = ledger_period(session, actor=actor, start=start, end=end)
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
    parts: dict[int | None, list[FigureRow]] = defaultdict(list)
    for row in rows:
        if row.kind == "community":
            parts[row.group_id].append(row)
    totals = {cid: FigureRow.total("community", found) for cid, found in parts.items()}
    newly = {(r.group_id, r.day): r.newly_reached for r in rows if r.kind == "first_reached"}
    days: dict[int | None, list[LedgerDay]] = defaultdict(list)
    for row in sorted((r for r in rows if r.kind == "day"), key=_by_day):
        row.newly_reached = newly.get((row.group_id, row.day), 0)
        days[row.group_id].append(
            LedgerDay(
                date=_by_day(row),
                contacts=row.contacts,
                visited=row.visited,
                reached=row.reached,
                newly_reached=row.newly_reached,
                app_installs=row.app_installs,
                pledges_signed=row.pledges_signed,
                flyers_given=row.flyers_given,
                residents_reached=row.residents_reached,
            )
        )
    incidents = _ledger_incidents(session, communities, start, end)
    warning_figures = _ledger_warnings(session, communities, start, end)
    items = []
    for community in communities:
        figures = totals.get(community.id) or FigureRow("community", group_id=community.id)
        found = incidents.get(community.id, repo.IncidentFigures())
        items.append(
            LedgerRow(
                rank=0,
                community_id=community.id,
                community_name=community.name,
                households=figures.households,
                **_ratio(figures).model_dump(),
                visited=figures.visited,
                contacts=figures.contacts,
                residents_reached=figures.residents_reached,
                app_installs=figures.app_installs,
                pledges_signed=figures.pledges_signed,
                flyers_given=figures.flyers_given,
                incidents=found.total,
                scams_dissuaded=found.dissuaded,
                days=days.get(community.id, []),
                warnings=warning_figures[community.id],
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
        overall=_ratio(FigureRow.total("overall", totals.values())),
    )


# --- verification of the kept state ---------------------------------------------------------


def verify_state(session: Session, *, campaign_id: int, repair: bool = False) -> list[Difference]:
    """Recompute a campaign's state from its contacts; the differences (no permission check).

    With ``repair`` the state is replaced by the recomputation afterwards (and committed).
    """
    if session.get(Campaign, campaign_id) is None:
        raise NotFound("Campaign not found")
    found = state.differences(session, campaign_id)
    if repair and found:
        state.rebuild(session, campaign_id)
        session.commit()
    return found
