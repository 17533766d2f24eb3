"""The auth service's clock, for tests of waits that must not sleep."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.auth import service as auth_service
from app.db import utcnow


class Clock:
    """The auth service's clock, stopped, and moved only by the test (never by sleeping)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.base = utcnow()
        self.offset = timedelta(0)
        monkeypatch.setattr(auth_service, "utcnow", self.now)

    def now(self) -> datetime:
        return self.base + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)
