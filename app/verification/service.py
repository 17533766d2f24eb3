"""The verification sample (DESIGN §8): draw it, call back, and say how true coverage is.

An officer draws a random sample of the households a campaign counts as reached at the door,
stratified over the people who recorded those visits (each recorder's share of the sample is
their share of the visits), and each sampled household goes to a member who recorded no contact
of it. Call-back results are recorded idempotently by the client's UUID, as contacts are. A
denial never changes coverage by itself: the officer decides, by voiding the visit.

Used by other packages:

- ``figures(session, *, campaign_id, claimed, population) -> VerificationFigures`` (no
  permission check: the caller has loaded the campaign; ``population`` is the households
  counted as reached at the door, the coverage figures' ``by_channel.door``).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.permissions import PLANNERS, Actor
from app.campaigns.models import Campaign
from app.communities.service import mask_phone
from app.db import utcnow
from app.enums import Role
from app.errors import Conflict, Forbidden, Invalid, conflict_on_integrity_error
from app.loaders import is_staff_in, visible
from app.schemas import PageParams, offset_minutes, with_offset
from app.verification import repository as repo
from app.verification import stats
from app.verification.models import Verification, VerificationOutcome, VerificationResult
from app.verification.schemas import (
    CallBackStatus,
    Interval,
    RecorderFigures,
    ResultCreate,
    ResultRead,
    SampleCreate,
    SampleRead,
    VerificationFigures,
    VerificationQuery,
    VerificationRead,
    VerificationUpdate,
)

DECIDED = (VerificationOutcome.confirmed, VerificationOutcome.denied)


def _read(row: Row[Any], *, blind: bool) -> VerificationRead:
    """A listing row as the API answers it; ``blind`` (staff) hides the recorder."""
    v: Verification = row[0]
    phone = row.contact_phone if row.contact_consent else None
    return VerificationRead.from_object(
        v,
        household_code=row.code,
        building_code=row.building_code,
        unit=row.unit,
        floor=row.floor,
        room=row.room,
        contact_phone=mask_phone(phone) if blind else phone,
        contact_occurred_at=with_offset(row.contact_occurred_at, row.contact_offset),
        contact_voided=row.contact_voided_at is not None,
        recorder_id=None if blind else v.recorder_id,
        recorder_name=None if blind else row.recorder_name,
        assignee_name=row.assignee_name,
        status=v.outcome.value if v.outcome else "pending",
    )


def _assignees(session: Session, community_id: int, wanted: Sequence[int] | None) -> dict[int, str]:
    members = dict(repo.active_members(session, community_id))
    if wanted is None:
        return members
    unknown = sorted(set(wanted) - set(members))
    if unknown:
        message = f"Not active members of this community: {', '.join(map(str, unknown))}"
        raise Invalid(message, errors=[{"field": "assignee_ids", "message": message}])
    return {user_id: members[user_id] for user_id in dict.fromkeys(wanted)}


def stratified(
    candidates: Sequence[repo.Candidate], size: int, rng: random.Random
) -> list[repo.Candidate]:
    """A simple random sample within each recorder's visits, sized in proportion."""
    strata: dict[int | None, list[repo.Candidate]] = defaultdict(list)
    for c in candidates:  # ordered by household id: the draw depends only on the seed
        strata[c.recorder_id].append(c)
    keys = sorted(strata, key=lambda k: (k is None, k or 0))
    shares = stats.allocate(size, {k: len(strata[k]) for k in keys}, rng)
    chosen: list[repo.Candidate] = []
    for k in keys:
        chosen += rng.sample(strata[k], shares[k])
    return chosen


def draw_sample(
    session: Session, *, actor: Actor, campaign: Campaign, payload: SampleCreate
) -> SampleRead:
    """Draw households for call-backs and give each to a member who never recorded a contact
    of it, the least loaded first. Households already sampled are not drawn again."""
    actor.require(campaign.community_id, PLANNERS, what="Campaign")
    community_id = campaign.community_id
    members = _assignees(session, community_id, payload.assignee_ids)
    population = repo.population(session, campaign_id=campaign.id, community_id=community_id)
    suggested = stats.suggested_size(population)
    candidates = repo.candidates(session, campaign_id=campaign.id, community_id=community_id)
    if not candidates:
        raise Conflict(
            "No household is counted as reached at the door that has not been sampled already"
        )
    seed = payload.seed if payload.seed is not None else random.SystemRandom().getrandbits(63)
    rng = random.Random(seed)
    already = population - len(candidates)
    if payload.size is None and already >= suggested:
        raise Conflict(
            f"The sample already has the suggested size ({suggested}); give a size to draw more"
        )
    size = min(payload.size or suggested - already, len(candidates))
    chosen = stratified(candidates, size, rng)
    rng.shuffle(chosen)
    visited = repo.visitors(
        session, campaign_id=campaign.id, household_ids=[c.household_id for c in chosen]
    )
    load: Counter[int] = Counter(repo.open_load(session, campaign.id))
    now = utcnow()
    rows = []
    for c in chosen:
        allowed = [m for m in members if m not in visited.get(c.household_id, set())]
        if not allowed:
            raise Conflict(
                "A sampled household was visited by everyone who could call it back; add"
                " members or widen assignee_ids"
            )
        assignee = min(allowed, key=lambda m: (load[m], rng.random()))
        load[assignee] += 1
        rows.append(
            {
                "campaign_id": campaign.id,
                "community_id": community_id,
                "household_id": c.household_id,
                "contact_id": c.contact_id,
                "recorder_id": c.recorder_id,
                "assignee_id": assignee,
                "drawn_by": actor.id,
                "drawn_at": now,
                "seed": seed,
            }
        )
    with conflict_on_integrity_error(
        session,
        "The campaign's visits changed while drawing (another draw at the same time, or a"
        " household removed); draw again",
    ):
        ids = repo.insert_all(session, rows)
        session.commit()
    items = [_read(r, blind=False) for r in repo.listed(session, ids)]
    return SampleRead(
        population=population,
        suggested_size=suggested,
        size=len(items),
        seed=seed,
        items=items,
        total=len(items),
    )


def list_verifications(
    session: Session, *, actor: Actor, campaign: Campaign, query: VerificationQuery
) -> tuple[list[VerificationRead], int]:
    """A campaign's sampled households, open ones first (staff: only those given to them)."""
    staff = is_staff_in(actor, campaign.community_id)
    if staff:
        query = replace(query, assignee_id=actor.id)
    rows, total = repo.list_for_campaign(session, campaign.id, query)
    return [_read(r, blind=staff) for r in rows], total


def list_mine(
    session: Session, *, actor: Actor, status: CallBackStatus | None, page: PageParams
) -> tuple[list[VerificationRead], int]:
    """The call-backs given to the actor, in every community (the phone page's list)."""
    rows, total = repo.list_for_campaign(
        session,
        None,
        VerificationQuery(
            status=status, assignee_id=actor.id, limit=page.limit, offset=page.offset
        ),
        community_ids=None if actor.is_admin else list(actor.roles),
    )
    return [_read(r, blind=actor.role_in(r[0].community_id) == Role.staff) for r in rows], total


def _visible(actor: Actor, verification: Verification | None) -> Verification:
    """The verification if the actor may see it (staff: only one given to them), else 404."""
    return visible(
        actor,
        verification,
        what="Verification",
        staff_sees=lambda v: v.assignee_id == actor.id,
    )


def get_verification(session: Session, *, actor: Actor, verification_id: int) -> VerificationRead:
    """One sampled household (staff: only one given to them)."""
    v = _visible(actor, repo.get(session, verification_id))
    [row] = repo.listed(session, [v.id])
    return _read(row, blind=actor.role_in(v.community_id) == Role.staff)


def reassign(
    session: Session, *, actor: Actor, verification_id: int, payload: VerificationUpdate
) -> VerificationRead:
    """Give an open call-back to another active member who recorded no contact of it."""
    v = _visible(actor, repo.get(session, verification_id, lock=True))
    actor.require(v.community_id, PLANNERS, what="Verification")
    if v.outcome in DECIDED:
        raise Conflict(f"This call-back is settled already ({v.outcome})")
    _assignees(session, v.community_id, [payload.assignee_id])
    if repo.recorded_household(
        session, campaign_id=v.campaign_id, household_id=v.household_id, user_id=payload.assignee_id
    ):
        message = "This member recorded a visit to the household; someone else must call it back"
        raise Invalid(message, errors=[{"field": "assignee_id", "message": message}])
    v.assignee_id = payload.assignee_id
    session.commit()
    [row] = repo.listed(session, [v.id])
    return _read(row, blind=False)


def _result_read(result: VerificationResult) -> ResultRead:
    read = ResultRead.model_validate(result)
    read.occurred_at = with_offset(result.occurred_at, result.utc_offset_minutes)
    return read


def _replay(actor: Actor, stored: VerificationResult, digest: str) -> ResultRead:
    if not actor.can_see(stored.community_id):
        raise Conflict("This result id is already used")
    if stored.body_hash != digest:
        raise Conflict(
            "A different result with this id is already stored; make a new id for a new attempt"
        )
    return _result_read(stored)


def record_result(
    session: Session, *, actor: Actor, verification_id: int, payload: ResultCreate
) -> tuple[ResultRead, bool]:
    """Record one call-back attempt; returns it and whether it is new.

    The same id and body again answers the stored attempt; another body under the same id is
    a conflict. ``confirmed`` and ``denied`` settle the call-back (a later attempt is a
    conflict); ``unreachable`` leaves it open for another try. Nobody records the call-back of
    a household they visited themselves in the campaign.
    """
    digest = payload.body_hash(verification_id)
    # Lock first, then look for the id: a retry racing its original waits here for it.
    v = _visible(actor, repo.get(session, verification_id, lock=True))
    stored = repo.get_result(session, payload.id)
    if stored is not None:
        return _replay(actor, stored, digest), False
    if repo.recorded_household(
        session, campaign_id=v.campaign_id, household_id=v.household_id, user_id=actor.id
    ):
        raise Forbidden(
            "You recorded a visit to this household in this campaign; someone else must call"
            " it back"
        )
    if v.outcome in DECIDED:
        raise Conflict(f"This call-back is settled already ({v.outcome}); nothing was recorded")
    result = VerificationResult(
        **payload.model_dump(),
        verification_id=v.id,
        community_id=v.community_id,
        utc_offset_minutes=offset_minutes(payload.occurred_at),
        body_hash=digest,
        recorded_by=actor.id,
        recorded_at=utcnow(),
    )
    session.add(result)
    v.attempts += 1
    v.outcome = payload.outcome
    v.method = payload.method
    v.occurred_at = payload.occurred_at
    try:
        session.commit()
    except IntegrityError:
        # The same id arrived twice at once and the other request won: answer as a retry.
        session.rollback()
        stored = repo.get_result(session, payload.id)
        if stored is None:
            raise
        return _replay(actor, stored, digest), False
    return _result_read(result), True


def list_results(session: Session, *, actor: Actor, verification_id: int) -> list[ResultRead]:
    """Every call-back attempt of one sampled household, oldest first."""
    v = _visible(actor, repo.get(session, verification_id))
    return [_result_read(r) for r in repo.results_of(session, v.id)]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(
    session: Session, *, campaign_id: int, claimed: float | None, population: int
) -> VerificationFigures:
    """How true the claimed coverage is, from the call-backs (no permission check).

    ``verified_coverage`` = the 95% Wilson interval of confirmed ÷ (confirmed + denied), times
    the claimed coverage. Unreachable and pending call-backs are left out of the rate (they are
    counted and shown): this assumes the households nobody reached were visited as often as the
    ones who answered. A recorder is flagged when P(X ≥ their denials), X ~ Binomial(their
    confirmed + denied, the denial rate of the rest of the campaign), is below 0.01.
    """
    rows = repo.by_recorder(session, campaign_id)
    total = {k: sum(int(r[k]) for r in rows) for k in ("sampled", "pending", *VerificationOutcome)}
    decided = total["confirmed"] + total["denied"]
    denial_rate = total["denied"] / decided if decided else None
    interval = stats.wilson(total["confirmed"], decided)
    recorders = []
    for r in rows:
        n = int(r["confirmed"]) + int(r["denied"])
        expected = stats.others_rate(total["denied"], decided, int(r["denied"]), n)
        p_value, flagged = stats.flag(int(r["denied"]), n, expected)
        recorders.append(
            RecorderFigures(
                recorder_id=r["recorder_id"],
                recorder_name=r["display_name"],
                sampled=int(r["sampled"]),
                confirmed=int(r["confirmed"]),
                denied=int(r["denied"]),
                unreachable=int(r["unreachable"]),
                confirmed_rate=_rate(int(r["confirmed"]), n),
                expected_denial_rate=round(expected, 4),
                p_value=None if p_value is None else round(p_value, 6),
                flagged=flagged,
            )
        )
    low = high = None
    if interval is not None and claimed is not None:
        low, high = round(interval[0] * claimed, 4), round(interval[1] * claimed, 4)
    return VerificationFigures(
        sampled=total["sampled"],
        pending=total["pending"],
        confirmed=total["confirmed"],
        denied=total["denied"],
        unreachable=total["unreachable"],
        confirmed_rate=_rate(total["confirmed"], decided),
        claimed_coverage=None if claimed is None else round(claimed, 4),
        verified_coverage=Interval(low=low, high=high),
        population=population,
        suggested_size=stats.suggested_size(population),
        denial_rate=None if denial_rate is None else round(denial_rate, 4),
        flag_threshold=stats.FLAG_P,
        by_recorder=recorders,
    )
