"""Imports every model so that metadata (and alembic) sees the whole schema."""

from app.auth.models import AccessToken, LoginThrottle, Membership, User
from app.campaigns.models import (
    Campaign,
    Event,
    EventAssignee,
    EventBuilding,
    Round,
    RoundAssignee,
    RoundBuilding,
)
from app.communities.models import (
    Building,
    BuildingOwner,
    Community,
    Household,
    HouseholdFlag,
)
from app.contacts.models import Contact
from app.coverage.models import CoverageDay, CoverageState
from app.db import Base
from app.documents.models import DocumentJob
from app.incidents.models import Incident, IncidentChange
from app.notifications.models import Notification, OutboxMessage
from app.planner.models import AvailabilityWindow, CampaignAvailability
from app.verification.models import Verification, VerificationResult
from app.warnings.models import (
    EarlyWarning,
    ReportReceipt,
    ReportToken,
    WarningAccess,
    WarningAssignee,
    WarningAttempt,
)

__all__ = [
    "AccessToken",
    "AvailabilityWindow",
    "Base",
    "Building",
    "BuildingOwner",
    "Campaign",
    "CampaignAvailability",
    "Community",
    "Contact",
    "CoverageDay",
    "CoverageState",
    "DocumentJob",
    "EarlyWarning",
    "Event",
    "EventAssignee",
    "EventBuilding",
    "Household",
    "HouseholdFlag",
    "Incident",
    "IncidentChange",
    "LoginThrottle",
    "Membership",
    "Notification",
    "OutboxMessage",
    "ReportReceipt",
    "ReportToken",
    "Round",
    "RoundAssignee",
    "RoundBuilding",
    "User",
    "Verification",
    "VerificationResult",
    "WarningAccess",
    "WarningAssignee",
    "WarningAttempt",
]
