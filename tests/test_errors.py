"""Failures answer problem+json with the right status, never a 2xx and never a stack trace."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.communities.models import Building
from tests.factories import make_tenant


class TestFailedCommit:
    def test_a_commit_that_fails_answers_503_and_stores_nothing(
        self, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        t = make_tenant(session)

        def broken_commit(self: Session) -> None:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

        monkeypatch.setattr(Session, "commit", broken_commit)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/buildings",
            json={"code": "77"},
            headers=t.headers["officer"],
        )
        monkeypatch.undo()
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "Traceback" not in r.text
        session.expire_all()
        assert (
            session.scalar(select(func.count()).select_from(Building).where(Building.code == "77"))
            == 0
        )


class TestProblemJson:
    def test_unknown_path_is_problem_404(self, client: TestClient) -> None:
        r = client.get("/api/v1/no-such-thing")
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")

    def test_malformed_json_is_422_not_500(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/buildings",
            content=b"{not json",
            headers={**t.headers["officer"], "Content-Type": "application/json"},
        )
        assert r.status_code == 422
        assert r.json()["title"] == "Validation failed"

    def test_path_id_that_is_not_a_number_names_the_field(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        r = client.get("/api/v1/communities/abc", headers=t.headers["manager"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "community_id"

    def test_huge_id_is_404_not_500(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        r = client.get(f"/api/v1/households/{2**63}", headers=t.headers["manager"])
        assert r.status_code in (404, 422)
