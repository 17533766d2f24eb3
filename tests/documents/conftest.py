"""A small campaign with contacts, a hostile note and a hostile incident, for the documents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, Round
from app.contacts.models import Contact
from app.enums import Channel, Outcome
from app.incidents.models import Incident
from tests.factories import Tenant, make_campaign, make_round, make_tenant, round_day, utc_on

HOSTILE = '<img src="file:///etc/passwd"><script>alert(1)</script> http://evil.example/x'


def add_contact(
    session: Session,
    campaign: Campaign,
    household_id: int,
    outcome: Outcome,
    *,
    channel: Channel = Channel.door,
    day: int = 20,
    notes: str | None = None,
    round_id: int | None = None,
) -> Contact:
    """One contact of the campaign, ``day`` counted as in November when the round is on the 20th."""
    contact = Contact(
        id=uuid.uuid4(),
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        household_id=household_id,
        channel=channel,
        outcome=outcome,
        occurred_at=utc_on(day - 20, 2),
        utc_offset_minutes=480,
        local_date=round_day(day - 20),
        round_id=round_id,
        flyer_given=True,
        notes=notes,
        body_hash=uuid.uuid4().hex,
        recorded_at=datetime.now(UTC),
    )
    session.add(contact)
    session.commit()
    return contact


@dataclass
class Scene:
    """The tenant, its campaign and round."""

    tenant: Tenant
    campaign: Campaign
    round: Round


@pytest.fixture
def scene(session: Session) -> Scene:
    """Six households in two units; two reached, one not home (with a hostile note)."""
    tenant = make_tenant(session, households=6)
    campaign = make_campaign(
        session, tenant.community, topics=["fake_customer_service_video", "refund_scam"]
    )
    rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
    hh = tenant.households
    add_contact(session, campaign, hh[0].id, Outcome.reached, round_id=rnd.id)
    add_contact(session, campaign, hh[1].id, Outcome.reached, day=21, round_id=rnd.id)
    add_contact(session, campaign, hh[2].id, Outcome.not_home, notes=HOSTILE, round_id=rnd.id)
    session.add(
        Incident(
            community_id=tenant.community.id,
            campaign_id=campaign.id,
            occurred_at=utc_on(2, 3),
            fraud_type="refund_scam",
            channel="FaceTime",
            summary=HOSTILE,
            amount_lost=Decimal("0"),
            amount_prevented=Decimal("5000"),
        )
    )
    session.commit()
    return Scene(tenant=tenant, campaign=campaign, round=rnd)
