"""Shared arrangements for the warning tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.communities.models import BuildingOwner
from tests.factories import Tenant


def factory(app: FastAPI) -> sessionmaker[Session]:
    """The app's writing session factory (what the worker's jobs use)."""
    made: sessionmaker[Session] = app.state.sessionmaker
    return made


def own(session: Session, tenant: Tenant, *users: Any) -> None:
    """Make users the grid owners of the tenant's building."""
    for user in users:
        session.add(BuildingOwner(building_id=tenant.building.id, user_id=user.id))
    session.commit()


def warn(
    client: TestClient,
    tenant: Tenant,
    *,
    risk: str = "high",
    received_at: datetime | None = None,
    household: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """Create a warning through the API as the officer; returns its body."""
    body = {
        "household_id": tenant.households[household].id,
        "risk_level": risk,
        "received_at": (received_at or datetime.now(UTC)).isoformat(),
        **extra,
    }
    r = client.post(
        f"/api/v1/communities/{tenant.community.id}/warnings",
        json=body,
        headers=tenant.headers["officer"],
    )
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def attempt(
    method: str = "door",
    outcome: str = "reached",
    *,
    at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An attempt body with a fresh client UUID."""
    return {
        "id": str(uuid.uuid4()),
        "method": method,
        "outcome": outcome,
        "occurred_at": (at or datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
        **extra,
    }
