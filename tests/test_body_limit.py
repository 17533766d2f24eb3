"""Request bodies are bounded before they are read, and a large one needs a valid login first."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.contacts.models import Contact
from app.contacts.schemas import MAX_BATCH, MAX_NOTES
from tests.factories import make_campaign, make_tenant

MB = 1024 * 1024


def contacts(session: Session) -> int:
    """Contacts stored, in a fresh snapshot."""
    session.rollback()
    return session.scalar(select(func.count()).select_from(Contact)) or 0


class Pulled:
    """A request body sent in chunks (no Content-Length) that counts what the server read."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.produced = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.produced += len(chunk)
            yield chunk


def multipart(size: int, boundary: str = "b0undary") -> tuple[list[bytes], str]:
    """A roster upload of ``size`` bytes as multipart chunks of 1 MiB."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\nbuilding,unit,room\r\n"
    ).encode()
    body = (
        [head] + [b"1,1,101\r\n" * (MB // 9)] * (size // MB) + [f"\r\n--{boundary}--\r\n".encode()]
    )
    return body, f"multipart/form-data; boundary={boundary}"


class TestBeforeTheBody:
    def test_a_large_upload_without_login_is_401_and_unread(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        chunks, content_type = multipart(5 * MB)
        body = Pulled(chunks)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/households/import",
            headers={"Content-Type": content_type},
            content=body,
        )
        assert r.status_code == 401, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert body.produced <= len(chunks[0])  # at most the first chunk was even produced

    def test_a_large_upload_with_a_bad_token_is_401(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        chunks, content_type = multipart(3 * MB)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/households/import",
            headers={"Content-Type": content_type, "Authorization": "Bearer not-a-token"},
            content=b"".join(chunks),
        )
        assert r.status_code == 401, r.text

    def test_a_declared_150_mb_body_is_refused_unread(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        for headers in ({}, t.headers["officer"]):
            body = Pulled([b"x" * 1024])
            r = client.post(
                "/api/v1/contacts/batch",
                headers={
                    **headers,
                    "Content-Type": "application/json",
                    "Content-Length": str(150 * MB),
                },
                content=body,
            )
            assert r.status_code in (401, 413), r.text
            assert body.produced <= 1024
        assert r.status_code == 413

    def test_a_chunked_upload_past_the_limit_is_413(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        t = make_tenant(session, households=0)
        chunks, content_type = multipart(settings.max_upload_body_bytes + 2 * MB)
        body = Pulled(chunks)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/households/import",
            headers={**t.headers["officer"], "Content-Type": content_type},
            content=body,
        )
        assert r.status_code == 413, r.text
        assert "larger than" in r.json()["detail"]

    def test_json_over_the_limit_is_413(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        t = make_tenant(session, households=0)
        r = client.post(
            "/api/v1/contacts/batch",
            headers={**t.headers["staff"], "Content-Type": "application/json"},
            content=b'{"contacts": [' + b" " * settings.max_json_body_bytes + b"]}",
        )
        assert r.status_code == 413, r.text
        assert contacts(session) == 0

    def test_a_small_login_form_needs_no_token(self, client: TestClient) -> None:
        r = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x" * 9})
        assert r.status_code in (400, 401), r.text


class TestAFullBatchFits:
    def test_500_contacts_with_the_longest_notes(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        t = make_tenant(session, households=1)
        today = date.today()
        campaign = make_campaign(
            session,
            t.community,
            starts_on=today - timedelta(days=5),
            ends_on=today + timedelta(days=5),
        )
        when = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        items = [
            {
                "id": str(uuid.uuid4()),
                "campaign_id": campaign.id,
                "household_id": t.households[0].id,
                "channel": "walk_in",
                "outcome": "reached",
                "occurred_at": when,
                "flyer_given": True,
                "app_installed": True,
                "pledge_signed": True,
                "residents_reached": 50,
                "notes": "独" * MAX_NOTES,
            }
            for _ in range(MAX_BATCH)
        ]
        body = json.dumps({"contacts": items}, ensure_ascii=False).encode()
        assert len(body) > 3_000_000
        assert settings.max_json_body_bytes - len(body) < 1 * MB  # only a few hundred KB more
        r = client.post(
            "/api/v1/contacts/batch",
            headers={**t.headers["officer"], "Content-Type": "application/json"},
            content=body,
        )
        assert r.status_code == 200, r.text[:300]
        assert {x["status"] for x in r.json()["results"]} == {201}
        assert contacts(session) == MAX_BATCH
