"""A transaction that PostgreSQL picked as a deadlock's victim runs again; other failures do not."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from app.db import TRANSACTION_ATTEMPTS, retrying


class _Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


class _Session:
    def __init__(self) -> None:
        self.rollbacks = 0

    def rollback(self) -> None:
        self.rollbacks += 1


def _failing(sqlstate: str, times: int) -> tuple[list[int], Any]:
    calls: list[int] = []

    def work() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("UPDATE …", {}, _Orig(sqlstate))
        return "stored"

    return calls, work


class TestRetrying:
    @pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
    def test_a_deadlock_victim_is_rolled_back_and_run_again(self, sqlstate: str) -> None:
        session = _Session()
        calls, work = _failing(sqlstate, times=TRANSACTION_ATTEMPTS - 1)
        assert retrying(session, work) == "stored"  # type: ignore[arg-type]
        assert len(calls) == TRANSACTION_ATTEMPTS
        assert session.rollbacks == TRANSACTION_ATTEMPTS - 1

    def test_gives_up_after_the_last_attempt(self) -> None:
        session = _Session()
        calls, work = _failing("40P01", times=TRANSACTION_ATTEMPTS)
        with pytest.raises(OperationalError):
            retrying(session, work)  # type: ignore[arg-type]
        assert len(calls) == TRANSACTION_ATTEMPTS

    def test_a_lost_connection_is_not_retried(self) -> None:
        session = _Session()
        calls, work = _failing("08006", times=1)
        with pytest.raises(OperationalError):
            retrying(session, work)  # type: ignore[arg-type]
        assert len(calls) == 1
        assert session.rollbacks == 0
