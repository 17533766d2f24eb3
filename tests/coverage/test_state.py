"""The kept coverage state always equals a recomputation from the contacts.

Random sequences of contacts (single and in batches, with retries), voids and concurrent
writers on the same households go through the real services; afterwards the state must
equal what ``verify-coverage`` recomputes, every household's status must be what the
rules of DESIGN.md §2 say for the contacts that still count (a small model in Python), and
the campaign's coverage figures (headline, statuses, channels, extras, revisits, flags) must
be what that model counts.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import hypothesis
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.auth.permissions import Actor
from app.campaigns.models import Campaign
from app.cli import cli
from app.communities.models import Community, HouseholdFlag
from app.config import get_settings
from app.contacts import service as contacts
from app.contacts.schemas import ContactCreate, ContactVoid
from app.coverage import service as coverage
from app.enums import Channel, Occupancy, Outcome, OutcomeRank, Role
from tests.factories import make_campaign, make_tenant

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
HOUSEHOLDS = 3  # the last one is registered vacant
# Household index → its flags: one flag, two flags, and one on the registered vacant one.
FLAGS = {0: ("elderly_alone",), 1: ("elderly_alone", "previous_victim"), 2: ("previous_victim",)}
ALWAYS_REACHED = (Channel.event, Channel.walk_in)


@dataclass(frozen=True)
class Spec:
    """One contact as a phone would send it."""

    household: int
    channel: Channel
    outcome: Outcome
    minutes: int
    flyer: bool
    app: bool
    residents: int

    @property
    def sent_outcome(self) -> Outcome:
        """The outcome sent: events and walk-ins always reach."""
        return Outcome.reached if self.channel in ALWAYS_REACHED else self.outcome

    def body(
        self, contact_id: uuid.UUID, campaign_id: int, household_ids: list[int]
    ) -> dict[str, Any]:
        """The request body."""
        return {
            "id": str(contact_id),
            "campaign_id": campaign_id,
            "household_id": household_ids[self.household],
            "channel": self.channel.value,
            "outcome": self.sent_outcome.value,
            "occurred_at": (BASE + timedelta(minutes=self.minutes)).isoformat(),
            "flyer_given": self.flyer,
            "app_installed": self.app,
            "residents_reached": self.residents,
        }


specs = st.builds(
    Spec,
    household=st.integers(0, HOUSEHOLDS - 1),
    channel=st.sampled_from(list(Channel)),
    outcome=st.sampled_from(list(Outcome)),
    # Six-hour steps over two days: contacts on several local days, and exact ties.
    minutes=st.integers(0, 8).map(lambda n: n * 360),
    flyer=st.booleans(),
    app=st.booleans(),
    residents=st.integers(0, 3),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("batch"), st.lists(specs, min_size=1, max_size=4)),
        st.tuples(st.just("retry"), st.integers(0, 50)),
        st.tuples(st.just("void"), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=20,
)


@dataclass
class Place:
    """A tenant made once per test; each example gets a new campaign in it."""

    app: FastAPI
    community_id: int
    actor: Actor
    household_ids: list[int]
    vacant: int
    made: list[int] = field(default_factory=list)

    def session(self) -> Session:
        """A new session on the app's database."""
        made: Session = self.app.state.sessionmaker()
        return made

    def campaign(self) -> int:
        """A fresh campaign around today."""
        with self.session() as s:
            today = date.today()
            community = s.get(Community, self.community_id)
            assert community is not None
            campaign = make_campaign(
                s,
                community,
                starts_on=today - timedelta(days=10),
                ends_on=today + timedelta(days=10),
            )
            return campaign.id


@pytest.fixture
def place(app: FastAPI, session: Session) -> Place:
    """Three households (the last registered vacant) and an officer."""
    tenant = make_tenant(session, households=HOUSEHOLDS)
    vacant = tenant.households[-1]
    vacant.occupancy = Occupancy.vacant
    for index, flags in FLAGS.items():
        for flag in flags:
            session.add(HouseholdFlag(household_id=tenant.households[index].id, flag=flag))
    session.commit()
    return Place(
        app=app,
        community_id=tenant.community.id,
        actor=Actor(user=tenant.officer, roles={tenant.community.id: Role.officer}),
        household_ids=[h.id for h in tenant.households],
        vacant=vacant.id,
    )


@dataclass
class Model:
    """What the contacts say, kept in Python: the oracle."""

    live: dict[uuid.UUID, Spec] = field(default_factory=dict)
    voided: set[uuid.UUID] = field(default_factory=set)
    sent: list[tuple[uuid.UUID, Spec]] = field(default_factory=list)

    def status(self, household: int, vacant: bool) -> tuple[str, bool]:
        """(status, excluded) of one household by the rules."""
        mine = [
            s for i, s in self.live.items() if s.household == household and i not in self.voided
        ]
        if not mine:
            return "unvisited", vacant

        def rank(s: Spec) -> int:
            if s.channel in ALWAYS_REACHED or s.outcome == Outcome.reached:
                return OutcomeRank.reached
            return OutcomeRank[s.outcome.value]

        best = max(rank(s) for s in mine)
        last = max(s.minutes for s in mine)
        vacant_times = [s.minutes for s in mine if rank(s) == OutcomeRank.vacant]
        latest_vacant = bool(vacant_times) and max(vacant_times) >= last
        excluded = vacant or (latest_vacant and best < OutcomeRank.reached)
        return OutcomeRank(best).name, excluded

    def counted(self, household: int) -> list[Spec]:
        """The household's contacts that still count."""
        return [
            s for i, s in self.live.items() if s.household == household and i not in self.voided
        ]

    def figures(self, vacant: int) -> dict[str, Any]:
        """The campaign's coverage figures as the rules count them (``vacant``: the index of
        the registered vacant household)."""
        status = {h: self.status(h, h == vacant) for h in range(HOUSEHOLDS)}
        eligible = [h for h in range(HOUSEHOLDS) if not status[h][1]]
        reached = [h for h in eligible if status[h][0] == "reached"]

        def ratio(households: list[int]) -> dict[str, Any]:
            mine = [h for h in households if h in eligible]
            hits = [h for h in mine if h in reached]
            return {
                "reached": len(hits),
                "eligible": len(mine),
                "excluded": len(households) - len(mine),
                "coverage": round(len(hits) / len(mine), 4) if mine else None,
            }

        def reached_via(h: int, channel: Channel) -> bool:
            return any(
                s.channel == channel and (channel in ALWAYS_REACHED or s.outcome == Outcome.reached)
                for s in self.counted(h)
            )

        def first_not_home(h: int) -> bool:
            mine = self.counted(h)
            away = [s.minutes for s in mine if s.sent_outcome == Outcome.not_home]
            return bool(away) and min(away) == min(s.minutes for s in mine)

        counted = {h: self.counted(h) for h in range(HOUSEHOLDS)}
        visited = [h for h in range(HOUSEHOLDS) if counted[h]]
        first_away = [h for h in visited if first_not_home(h)]
        flagged = sorted({f for flags in FLAGS.values() for f in flags})
        statuses = ("refused", "materials_left", "not_home")
        return {
            **ratio(list(range(HOUSEHOLDS))),
            "by_status": {
                "reached": len(reached),
                **{k: sum(status[h][0] == k for h in eligible) for k in statuses},
                "unvisited": sum(status[h][0] in ("vacant", "unvisited") for h in eligible),
            },
            "by_channel": {ch.value: sum(reached_via(h, ch) for h in reached) for ch in Channel},
            "extras": {
                "app_installs": sum(any(s.app for s in counted[h]) for h in visited),
                "pledges_signed": 0,
                "flyers_given": sum(any(s.flyer for s in counted[h]) for h in visited),
                "residents_reached": sum(max(s.residents for s in counted[h]) for h in visited),
                "contacts": sum(len(counted[h]) for h in visited),
            },
            "visited": len(visited),
            "never_visited": sum(status[h][0] == "unvisited" for h in eligible),
            "revisits": {
                "first_not_home": len(first_away),
                "revisited": sum(len(counted[h]) > 1 for h in first_away),
                "reached_since": sum(status[h][0] == "reached" for h in first_away),
                "not_yet_revisited": sum(len(counted[h]) == 1 for h in first_away),
            },
            "flagged": {
                "any": ratio(list(FLAGS)),
                "by_flag": {f: ratio([h for h in FLAGS if f in FLAGS[h]]) for f in flagged},
            },
        }


def _apply(place: Place, campaign_id: int, model: Model, op: tuple[str, Any]) -> None:
    kind, arg = op
    with place.session() as s:
        if kind == "batch":
            items = []
            for spec in arg:
                contact_id = uuid.uuid4()
                model.sent.append((contact_id, spec))
                items.append(spec.body(contact_id, campaign_id, place.household_ids))
            results = contacts.record_batch(s, actor=place.actor, items=items)
            for (contact_id, spec), result in zip(model.sent[-len(arg) :], results, strict=True):
                assert result.status == 201, result
                model.live[contact_id] = spec
        elif kind == "retry" and model.sent:
            contact_id, spec = model.sent[arg % len(model.sent)]
            payload = ContactCreate.model_validate(
                spec.body(contact_id, campaign_id, place.household_ids)
            )
            _, created = contacts.record_contact(s, actor=place.actor, payload=payload)
            assert not created
        elif kind == "void" and model.sent:
            contact_id, _ = model.sent[arg % len(model.sent)]
            contacts.void_contact(
                s, actor=place.actor, contact_id=contact_id, payload=ContactVoid(reason="误触")
            )
            model.voided.add(contact_id)


def _check(place: Place, campaign_id: int, model: Model) -> None:
    with place.session() as s:
        assert coverage.verify_state(s, campaign_id=campaign_id) == []
        states = coverage.household_states(s, campaign_id=campaign_id)
        for index, household_id in enumerate(place.household_ids):
            want = model.status(index, household_id == place.vacant)
            got = states[household_id]
            assert (got.status, got.excluded) == want
        campaign, community = s.get(Campaign, campaign_id), s.get(Community, place.community_id)
        assert campaign is not None
        assert community is not None
        answer = coverage.compute_coverage(s, campaign, community).model_dump(mode="json")
        expected = model.figures(place.household_ids.index(place.vacant))
        assert {k: answer[k] for k in expected} == expected


class TestStateEqualsRecomputation:
    @hypothesis.settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops=operations)
    def test_after_random_contacts_retries_and_voids(
        self, place: Place, ops: list[tuple[str, Any]]
    ) -> None:
        campaign_id = place.campaign()
        model = Model()
        for op in ops:
            _apply(place, campaign_id, model, op)
        _check(place, campaign_id, model)

    @hypothesis.settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        writers=st.lists(
            st.lists(st.tuples(specs, st.booleans()), min_size=1, max_size=6),
            min_size=2,
            max_size=4,
        )
    )
    def test_after_concurrent_writers_on_the_same_households(
        self, place: Place, writers: list[list[tuple[Spec, bool]]]
    ) -> None:
        """Each writer records its contacts one by one, voiding some right after."""
        campaign_id = place.campaign()
        model = Model()
        lock = threading.Lock()
        start = threading.Barrier(len(writers))
        errors: list[BaseException] = []

        def write(plan: list[tuple[Spec, bool]]) -> None:
            try:
                start.wait(timeout=30)
                for spec, void in plan:
                    contact_id = uuid.uuid4()
                    with lock:
                        model.sent.append((contact_id, spec))
                    _apply_one(place, campaign_id, contact_id, spec, void)
                    with lock:
                        model.live[contact_id] = spec
                        if void:
                            model.voided.add(contact_id)
            except BaseException as exc:  # reported below, on the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(plan,)) for plan in writers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        _check(place, campaign_id, model)


def _apply_one(
    place: Place, campaign_id: int, contact_id: uuid.UUID, spec: Spec, void: bool
) -> None:
    body = spec.body(contact_id, campaign_id, place.household_ids)
    with place.session() as s:
        contacts.record_contact(s, actor=place.actor, payload=ContactCreate.model_validate(body))
    if void:
        with place.session() as s:
            contacts.void_contact(
                s, actor=place.actor, contact_id=contact_id, payload=ContactVoid(reason="误触")
            )


@pytest.fixture
def run_cli(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Run a ``doorstep`` command against the test database."""
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(cli, list(args))
    get_settings.cache_clear()


class TestVerifyCoverage:
    def test_finds_a_difference_planted_by_hand_and_repairs_it(
        self, place: Place, run_cli: Callable[..., Any]
    ) -> None:
        campaign_id = place.campaign()
        model = Model()
        reach = Spec(0, Channel.door, Outcome.reached, 0, True, False, 1)
        away = Spec(1, Channel.door, Outcome.not_home, 60, False, False, 0)
        _apply(place, campaign_id, model, ("batch", [reach, away]))
        ok = run_cli("verify-coverage", str(campaign_id))
        assert ok.exit_code == 0, ok.output
        assert "equals its contacts" in ok.output

        with place.session() as s:
            s.execute(
                text(
                    "UPDATE coverage_states SET best_rank = 1"
                    " WHERE campaign_id = :c AND household_id = :h"
                ),
                {"c": campaign_id, "h": place.household_ids[0]},
            )
            s.commit()
        with place.session() as s:
            assert (
                coverage.household_states(s, campaign_id=campaign_id)[place.household_ids[0]].status
                == "not_home"
            )

        found = run_cli("verify-coverage", str(campaign_id))
        assert found.exit_code == 1
        assert "best_rank: kept 1, from contacts 4" in found.output

        repaired = run_cli("verify-coverage", str(campaign_id), "--repair")
        assert repaired.exit_code == 1
        again = run_cli("verify-coverage", str(campaign_id))
        assert again.exit_code == 0, again.output
        _check(place, campaign_id, model)

    def test_a_missing_campaign_is_said(self, run_cli: Callable[..., Any], db: Any) -> None:
        result = run_cli("verify-coverage", "987654")
        assert result.exit_code == 2
        assert "not found" in result.output
