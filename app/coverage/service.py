"""Coverage as managers sign it, computed by the database (see repository.household_rows).

Used by other packages:
- ``campaign_coverage(session, *, actor, campaign_id) -> CoverageRead``
- ``household_states(session, *, campaign_id, household_ids=None, building_ids=None)``
  → ``dict[int, HouseholdState]`` (no permission check: the caller has loaded the campaign)
"""

from __future__ import annotations

from collections.abc import Sequence
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
    LedgerRow,
    Ratio,
    Revisits,
    StatusCounts,
)
from app.db import utcnow
from app.errors import NotFound

_STATUS = dict(repo.STATUS_BY_RANK) | {-1: "unvisited"}


def ratio(reached: int, eligible: int) -> float | None:
    """reached ÷ eligible, rounded to 4 places; None when nothing is eligible."""
    return round(reached / eligible, 4) if eligible else None


def _n(row: dict[str, Any], key: str) -> int:
    return int(row.get(key) or 0)


def _ratio(row: dict[str, Any]) -> Ratio:
    eligible = _n(row, "households") - _n(row, "excluded")
    return Ratio(
        reached=_n(row, "reached"),
        eligible=eligible,
        excluded=_n(row, "excluded"),
        coverage=ratio(_n(row, "reached"), eligible),
    )


def _status_counts(row: dict[str, Any]) -> StatusCounts:
    return StatusCounts(**{k: _n(row, k) for k in StatusCounts.model_fields})


def local_bounds(campaign: Campaign, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The campaign's dates as a UTC half-open interval in the community's time zone."""
    start = datetime.combine(campaign.starts_on, time(), tz).astimezone(UTC)
    end = datetime.combine(campaign.ends_on + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def load_campaign(
    session: Session, *, actor: Actor, campaign_id: int
) -> tuple[Campaign, Community]:
    """A campaign whose figures the actor may read (planners; staff 403; others 404)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not actor.can_see(campaign.community_id):
        raise NotFound("Campaign not found")
    actor.require(campaign.community_id, PLANNERS, what="Campaign")
    community = session.get(Community, campaign.community_id)
    assert community is not None
    return campaign, community


def compute_coverage(session: Session, campaign: Campaign, community: Community) -> CoverageRead:
    """Every coverage figure of one campaign (no permission check)."""
    state = repo.household_rows(campaign.id, campaign.community_id)
    buildings = repo.by_building(session, state)
    totals: dict[str, Any] = {}
    for row in buildings:
        for key, value in row.items():
            if key not in ("building_id", "code", "name"):
                totals[key] = totals.get(key, 0) + int(value or 0)
    overall = _ratio(totals)

    flags = repo.by_flag(session, state)
    any_row = next((r for r in flags if r["flag"] is None), {})
    flagged = FlaggedCoverage(
        any=_ratio(any_row),
        by_flag={r["flag"]: _ratio(r) for r in flags if r["flag"] is not None},
    )

    days: list[DayFigures] = []
    cumulative = 0
    for row in repo.by_day(session, campaign.id):
        cumulative += _n(row, "newly_reached")
        days.append(
            DayFigures(
                date=row["date"],
                contacts=_n(row, "contacts"),
                visited=_n(row, "visited"),
                reached=_n(row, "reached"),
                newly_reached=_n(row, "newly_reached"),
                cumulative_reached=cumulative,
                cumulative_coverage=ratio(cumulative, overall.eligible),
                app_installs=_n(row, "app_installs"),
                pledges_signed=_n(row, "pledges_signed"),
                flyers_given=_n(row, "flyers_given"),
                residents_reached=_n(row, "residents_reached"),
            )
        )

    start, end = local_bounds(campaign, ZoneInfo(community.timezone))
    incidents = repo.incident_figures(session, campaign.community_id, start, end)
    return CoverageRead(
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        target_coverage=campaign.target_coverage,
        households=_n(totals, "households"),
        as_of=utcnow(),
        reached=overall.reached,
        eligible=overall.eligible,
        excluded=overall.excluded,
        coverage=overall.coverage,
        by_status=_status_counts(totals),
        by_building=[
            BuildingCoverage(
                building_id=r["building_id"],
                code=r["code"],
                name=r["name"],
                households=_n(r, "households"),
                by_status=_status_counts(r),
                **_ratio(r).model_dump(),
            )
            for r in buildings
        ],
        by_channel=ChannelCounts(**{k: _n(totals, k) for k in ChannelCounts.model_fields}),
        by_day=days,
        flagged=flagged,
        revisits=Revisits(
            first_not_home=_n(totals, "first_not_home"),
            revisited=_n(totals, "revisited"),
            reached_since=_n(totals, "reached_since"),
            not_yet_revisited=_n(totals, "first_not_home") - _n(totals, "revisited"),
        ),
        extras=Extras(**{k: _n(totals, k) for k in Extras.model_fields}),
        incidents=IncidentFigures(
            total=_n(incidents, "total"),
            dissuaded=_n(incidents, "dissuaded"),
            amount_lost=float(incidents["amount_lost"] or 0),
            amount_prevented=float(incidents["amount_prevented"] or 0),
        ),
        never_visited=_n(totals, "never_visited"),
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
    """Each household's campaign status (no permission check; the caller has done it)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("Campaign not found")
    state = repo.household_rows(
        campaign.id, campaign.community_id, household_ids=household_ids, building_ids=building_ids
    )
    result = {}
    for row in repo.states(session, state):
        last = row["last_contact_at"]
        if isinstance(last, str):  # SQLite returns aggregated timestamps as text
            last = datetime.fromisoformat(last)
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        result[row["household_id"]] = HouseholdState(
            household_id=row["household_id"],
            status=_STATUS[int(row["best_rank"])],
            excluded=bool(row["excluded"]),
            contacts=int(row["contacts"]),
            last_contact_at=last,
        )
    return result


def ledger(session: Session, *, actor: Actor, start: date, end: date) -> list[LedgerRow]:
    """The daily ledger rolled up per community the actor plans in, ranked by coverage."""
    rows = []
    for community, campaign in repo_campaigns_in(session, actor=actor, start=start, end=end):
        cov = compute_coverage(session, campaign, community)
        in_range = [d for d in cov.by_day if start <= d.date <= end]
        rows.append(
            LedgerRow(
                community_id=community.id,
                community_name=community.name,
                campaign_id=campaign.id,
                campaign_name=campaign.name,
                households=cov.households,
                eligible=cov.eligible,
                reached=cov.reached,
                coverage=cov.coverage,
                target_coverage=cov.target_coverage,
                visited=sum(d.visited for d in in_range),
                reached_in_range=sum(d.newly_reached for d in in_range),
                app_installs=sum(d.app_installs for d in in_range),
                pledges_signed=sum(d.pledges_signed for d in in_range),
                flyers_given=sum(d.flyers_given for d in in_range),
                residents_reached=sum(d.residents_reached for d in in_range),
                scams_dissuaded=cov.incidents.dissuaded,
            )
        )
    rows.sort(key=lambda r: (-(r.coverage or 0), r.community_name))
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows


def repo_campaigns_in(
    session: Session, *, actor: Actor, start: date, end: date
) -> list[tuple[Community, Campaign]]:
    """Campaigns overlapping [start, end] in communities where the actor plans."""
    from sqlalchemy import select

    stmt = (
        select(Community, Campaign)
        .join(Campaign, Campaign.community_id == Community.id)
        .where(Campaign.starts_on <= end, Campaign.ends_on >= start)
        .order_by(Community.id, Campaign.id)
    )
    return [
        (c, k)
        for c, k in session.execute(stmt).tuples()
        if actor.is_admin or actor.role_in(c.id) in PLANNERS
    ]
