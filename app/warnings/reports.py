"""Resident reports (居民求助) from the flyer's QR code: a public page and a throttled POST.

Each campaign has one unguessable token; ``/r/{token}`` shows the campaign's advice, 96110 and
a short form, with no login. A report opens an incident with status ``reported`` and a
medium-risk warning for the officers (the household is not known from a campaign's flyer),
and notifies them. The throttle counts receipts in our own table, so it holds across API
processes: per client address (a keyed digest, the address itself is not kept) and per token.
Nothing is answered back beyond what the flyer already prints.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.campaigns.catalogue import ANTI_FRAUD_HOTLINE, get_fraud_type
from app.campaigns.models import Campaign
from app.communities import repository as communities_repo
from app.communities.models import Community, Household
from app.config import get_settings
from app.db import utcnow
from app.enums import RiskLevel
from app.errors import AppError, NotFound
from app.incidents import service as incidents
from app.notifications import service as notifications
from app.warnings import repository as repo
from app.warnings import service
from app.warnings.models import ReportReceipt, ReportToken
from app.warnings.schemas import PublicReportAccepted, PublicReportCreate

PER_CLIENT = (5, timedelta(minutes=10))
PER_TOKEN = (30, timedelta(hours=1))


class TooManyRequests(AppError, status=429, title="Too many requests"):
    """The caller sent too many reports; try again later or call the hotline."""


def token_for_campaign(session: Session, campaign: Campaign) -> str:
    """The campaign's report token, made on first use (commits when it makes one)."""
    found = repo.token_of_campaign(session, campaign.id)
    if found is not None:
        return found.token
    token = secrets.token_urlsafe(24)
    session.add(
        ReportToken(token=token, community_id=campaign.community_id, campaign_id=campaign.id)
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        again = repo.token_of_campaign(session, campaign.id)
        assert again is not None
        return again.token
    return token


def report_url(session: Session, campaign: Campaign, public_base_url: str) -> str:
    """Where the flyer's QR code points: ``{public_base_url}/r/{token}``."""
    return f"{public_base_url.rstrip('/')}/r/{token_for_campaign(session, campaign)}"


@dataclass(frozen=True)
class ReportPage:
    """What the public page shows: exactly what the flyer prints."""

    token: str
    community_name: str
    campaign_name: str
    service_centre_phone: str | None
    topics: list[tuple[str, str, str, str]]  # name_zh, name_en, advice_zh, advice_en
    hotline: str


def page(session: Session, *, token: str) -> ReportPage:
    """The public page's content for a token (404 for an unknown one)."""
    found = repo.get_token(session, token)
    if found is None:
        raise NotFound("This code is not known")
    campaign = session.get(Campaign, found.campaign_id)
    community = session.get(Community, found.community_id)
    assert campaign is not None
    assert community is not None
    topics = []
    for code in campaign.topics or []:
        fraud = get_fraud_type(code)
        if fraud is not None:
            topics.append((fraud.name_zh, fraud.name_en, fraud.advice_zh, fraud.advice_en))
    return ReportPage(
        token=token,
        community_name=community.name,
        campaign_name=campaign.name,
        service_centre_phone=community.service_centre_phone,
        topics=topics,
        hotline=ANTI_FRAUD_HOTLINE,
    )


def _client_key(client: str) -> str:
    secret = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(secret, client.encode(), hashlib.sha256).hexdigest()[:32]


def receive(session: Session, *, payload: PublicReportCreate, client: str) -> PublicReportAccepted:
    """Take a resident's report: throttle, then open an incident and a medium-risk warning."""
    found = repo.get_token(session, payload.token)
    if found is None:
        raise NotFound("This code is not known")
    now = utcnow()
    key = _client_key(client)
    limit, window = PER_CLIENT
    if repo.count_receipts(session, client_key=key, since=now - window) >= limit:
        raise TooManyRequests(
            f"Too many reports from this device; please call {ANTI_FRAUD_HOTLINE} or the service"
            " centre",
            extra={"retry_after": int(window.total_seconds())},
        )
    limit, window = PER_TOKEN
    if repo.count_receipts(session, token=payload.token, since=now - window) >= limit:
        raise TooManyRequests(
            f"Too many reports for this flyer just now; please call {ANTI_FRAUD_HOTLINE}",
            extra={"retry_after": int(window.total_seconds())},
        )
    session.add(ReportReceipt(token=payload.token, client_key=key, received_at=now))
    community = session.get(Community, found.community_id)
    assert community is not None
    household = None
    if payload.household_code:
        household = communities_repo.get_household_by_code(
            session, community.id, payload.household_code
        )
    incident = incidents.open_incident(
        session,
        community_id=community.id,
        campaign_id=found.campaign_id,
        occurred_at=now,
        fraud_type="other",
        channel=payload.channel,
        summary=payload.summary,
        household_id=household.id if isinstance(household, Household) else None,
        reported_by=None,
        note="resident report from the flyer's QR page",
    )
    outcome = service.Outcome()
    warning = service.new_warning(
        session,
        community=community,
        household=household,
        address=None,
        risk_level=RiskLevel.medium,
        received_at=now,
        fraud_type=None,
        person_name=None,
        phone=payload.callback_phone,
        notes=payload.summary[:2000],
        source="report",
        source_ref=None,
        incident_id=incident.id,
        created_by=None,
        now=now,
        outcome=outcome,
    )
    people = repo.assignees_of(session, [warning.id]).get(warning.id, [])
    if notifications.notify(
        session,
        community=community,
        event=notifications.Event(
            kind="resident_report",
            key=f"resident_report:i{incident.id}",
            text=f"【居民求助 Resident report】{payload.channel}：{payload.summary[:80]}",
            warning_id=warning.id,
            incident_id=incident.id,
            data={"incident_id": incident.id, "warning_id": warning.id, "channel": payload.channel},
        ),
        recipients=people,
        now=now,
    ):
        outcome.messages = True
    session.commit()
    outcome.kick()
    return PublicReportAccepted(
        message_zh="已收到，社区工作人员会尽快联系您。如已转账请立即拨打 96110 或 110。",
        message_en="Received: the community staff will contact you soon. If you have already "
        "transferred money, call 96110 or 110 now.",
        hotline=ANTI_FRAUD_HOTLINE,
    )
