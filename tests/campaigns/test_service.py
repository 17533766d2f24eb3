"""The scheduling service as the planner uses it: every rule, flushed but never committed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns import service
from app.campaigns.models import Round
from app.errors import Conflict, Invalid
from tests.factories import make_campaign, make_round, make_tenant, utc_on

NINE = utc_on(0, 1)  # 09:00 in Shanghai


def count_rounds(session: Session) -> int:
    """Rounds stored, as another connection would see them."""
    return session.scalar(select(func.count()).select_from(Round)) or 0


class TestScheduleRound:
    def test_flushes_without_committing(self, session: Session) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        rnd = service.schedule_round(
            session,
            campaign=campaign,
            building_ids=[t.building.id],
            starts_at=NINE,
            ends_at=NINE + timedelta(hours=2),
            assignee_ids=[t.staff.id],
            units={str(t.building.id): ["1"]},
        )
        assert rnd.id is not None
        assert service.round_households(session, round_=rnd) == []
        session.rollback()
        assert count_rounds(session) == 0

    def test_two_proposals_for_one_person_clash_inside_one_plan(self, session: Session) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        ends = NINE + timedelta(hours=2)
        first = service.schedule_round(
            session,
            campaign=campaign,
            building_ids=[t.building.id],
            assignee_ids=[t.staff.id],
            starts_at=NINE,
            ends_at=ends,
        )
        with pytest.raises(Conflict) as caught:
            service.schedule_round(
                session,
                campaign=campaign,
                building_ids=[t.building.id],
                assignee_ids=[t.staff.id],
                starts_at=NINE,
                ends_at=ends,
            )
        assert f"round {first.id}" in caught.value.detail
        session.rollback()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"building_ids": []}, "building_ids"),
            ({"building_ids": [2_000_000_000]}, "building_ids"),
            ({"assignee_ids": [2_000_000_000]}, "assignee_ids"),
            ({"starts_at": NINE - timedelta(days=30)}, "starts_at"),
            ({"ends_at": NINE}, "ends_at"),
            ({"starts_at": NINE.replace(tzinfo=None)}, "starts_at"),
        ],
    )
    def test_every_rule_holds_without_an_actor(
        self, session: Session, change: dict[str, object], field: str
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        args: dict[str, object] = {
            "building_ids": [t.building.id],
            "assignee_ids": [t.staff.id],
            "starts_at": NINE,
            "ends_at": NINE + timedelta(hours=2),
            **change,
        }
        with pytest.raises(Invalid) as caught:
            service.schedule_round(session, campaign=campaign, **args)  # type: ignore[arg-type]
        assert caught.value.errors is not None
        assert caught.value.errors[0]["field"] == field
        session.rollback()
        assert count_rounds(session) == 0

    def test_an_existing_round_blocks_the_slot(self, session: Session) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        existing = make_round(session, campaign, [t.building], [t.staff])
        with pytest.raises(Conflict) as caught:
            service.schedule_round(
                session,
                campaign=campaign,
                building_ids=[t.building.id],
                starts_at=NINE + timedelta(hours=1),
                ends_at=NINE + timedelta(hours=4),
                assignee_ids=[t.staff.id],
            )
        errors = caught.value.errors or []
        assert [(e["kind"], e["id"]) for e in errors] == [("round", existing.id)]
        session.rollback()
