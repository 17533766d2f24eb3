"""No stored value breaks a document or an export; control characters are refused coming in.

Rows written before the input rules (or by hand) may hold superscript digits, control
characters and, on SQLite, a NUL. Every document and export still answers, and shows the rest.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, Round
from app.communities.models import Household
from app.documents.context import natural_key
from app.enums import Outcome
from app.incidents.models import Incident
from tests.documents.conftest import add_contact
from tests.documents.helpers import pdf_text
from tests.factories import (
    Tenant,
    make_building,
    make_campaign,
    make_household,
    make_round,
    make_tenant,
)


@dataclass
class Hostile:
    """A tenant whose stored text holds what the input rules now refuse."""

    tenant: Tenant
    campaign: Campaign
    round: Round
    households: list[Household]


def control(session: Session) -> str:
    """A control character the backend stores (PostgreSQL refuses NUL, SQLite keeps it)."""
    return "\x00" if session.get_bind().dialect.name == "sqlite" else "\x01"


@pytest.fixture
def hostile(session: Session) -> Hostile:
    """Superscript digits and control characters in every field documents print."""
    c = control(session)
    t = make_tenant(session, households=0)
    t.community.name = f"江南{c}星城\x07"
    building = make_building(session, t.community, code="3²", name=f"三{c}幢\x1b")
    households = [
        make_household(session, building, unit="1", floor=3, room="3²", code="3²-1-3²"),
        make_household(session, building, unit="1", floor=3, room="30\x07", code=f"3-1-30{c}"),
        make_household(session, building, unit="²", floor=1, room="101", code="3-²-101"),
        make_household(session, building, unit=f"2{c}", floor=1, room="١٠٢", code="3-2-102"),
        make_household(session, building, unit="2", floor=2, room="201\x0b", code="3-2-201"),
    ]
    today = date.today()
    campaign = make_campaign(
        session,
        t.community,
        name=f"冬季\x08反诈{c}",
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=10),
    )
    rnd = make_round(
        session,
        campaign,
        [building],
        [t.staff],
        starts_at=datetime.now(UTC) - timedelta(days=2),
        notes=f"楼道\x0c门禁{c}",
    )
    add_contact(session, campaign, households[0].id, Outcome.reached, round_id=rnd.id)
    add_contact(
        session, campaign, households[1].id, Outcome.not_home, notes=f"敲门\x07{c}", round_id=rnd.id
    )
    session.add(
        Incident(
            community_id=t.community.id,
            campaign_id=campaign.id,
            occurred_at=datetime.now(UTC) - timedelta(days=1),
            fraud_type="refund_scam",
            channel=f"Face\x1bTime{c}",
            summary=f"退款\x00诈骗{c}".replace("\x00", c),
            amount_lost=Decimal("0"),
            amount_prevented=Decimal("100"),
        )
    )
    session.commit()
    return Hostile(tenant=t, campaign=campaign, round=rnd, households=households)


def documents(h: Hostile) -> dict[str, str]:
    """Every document and export that prints the hostile rows."""
    cid, bid = h.campaign.id, h.households[0].building_id
    today = date.today()
    return {
        "report": f"/api/v1/campaigns/{cid}/report.pdf",
        "walk-sheet": f"/api/v1/rounds/{h.round.id}/walk-sheet.pdf",
        "walk-sheets": f"/api/v1/campaigns/{cid}/walk-sheets.pdf",
        "flyers-zh": f"/api/v1/campaigns/{cid}/flyers.pdf?building_id={bid}",
        "flyers-en": f"/api/v1/campaigns/{cid}/flyers.pdf?building_id={bid}&lang=en",
        "flyers-each": f"/api/v1/campaigns/{cid}/flyers.pdf?building_id={bid}&per_household=true",
        "ledger": "/api/v1/reports/ledger.pdf"
        f"?from={(today - timedelta(days=20)).isoformat()}&to={today.isoformat()}",
        "csv": f"/api/v1/campaigns/{cid}/coverage.csv",
        "xlsx": f"/api/v1/campaigns/{cid}/coverage.xlsx",
        "coverage": f"/api/v1/campaigns/{cid}/coverage",
        "checklist": f"/api/v1/rounds/{h.round.id}/households",
    }


DOCUMENTS = [
    "report",
    "walk-sheet",
    "walk-sheets",
    "flyers-zh",
    "flyers-en",
    "flyers-each",
    "ledger",
    "csv",
    "xlsx",
    "coverage",
    "checklist",
]


class TestStoredCharacters:
    @pytest.mark.parametrize("name", DOCUMENTS)
    def test_every_document_answers(self, client: TestClient, hostile: Hostile, name: str) -> None:
        response = client.get(documents(hostile)[name], headers=hostile.tenant.headers["manager"])
        assert response.status_code == 200, response.text[:500]
        if name == "csv":
            text = response.content.decode("utf-8-sig")
            assert "3²-1-3²" in text
            assert "\x07" not in text
            assert "\x00" not in text
        elif name == "xlsx":
            book = load_workbook(io.BytesIO(response.content), read_only=True)
            cells = {
                str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r
            }
            assert "3²-1-3²" in cells
            assert "3-2-102" in cells
        elif response.headers["content-type"] == "application/pdf" and name != "ledger":
            text = pdf_text(response.content)
            assert "3²" in text or "3-2-102" in text or "96110" in text

    def test_walk_sheet_lists_every_household(self, client: TestClient, hostile: Hostile) -> None:
        response = client.get(
            documents(hostile)["walk-sheet"], headers=hostile.tenant.headers["manager"]
        )
        text = "".join(pdf_text(response.content).split())
        for code in ("3²-1-3²", "3-²-101", "3-2-102", "3-2-201"):
            assert code in text


class TestNaturalKey:
    @pytest.mark.parametrize("text", ["3²", "²", "١٠٢", "12A", "B\x00", "", "½", "〇"])
    def test_any_text_has_a_key(self, text: str) -> None:
        assert isinstance(natural_key(text), tuple)

    def test_numbers_still_sort_as_numbers(self) -> None:
        codes = ["10", "2", "12A", "3²", "12", "1"]
        assert sorted(codes, key=natural_key) == ["1", "2", "3²", "10", "12", "12A"]


BAD = ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b", "a\ud800b"]


class TestRefusedComingIn:
    @pytest.mark.parametrize("value", BAD, ids=["nul", "bel", "esc", "del", "c1", "surrogate"])
    def test_building_name_with_a_control_character(
        self, client: TestClient, session: Session, value: str
    ) -> None:
        t = make_tenant(session, households=0)
        response = client.post(
            f"/api/v1/communities/{t.community.id}/buildings",
            headers={**t.headers["officer"], "Content-Type": "application/json"},
            content=_json({"code": "9", "name": value}),
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "name"

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("households", {"unit": "1\x07", "floor": 1, "room": "101"}),
            ("households", {"unit": "1", "floor": 1, "room": "101", "code": "X\x00"}),
            ("campaigns", {"name": "冬\x00季"}),
            ("incidents", {"summary": "a\x01b"}),
        ],
        ids=["unit", "code", "campaign", "incident"],
    )
    def test_every_body_refuses_them(
        self, client: TestClient, session: Session, path: str, body: dict[str, object]
    ) -> None:
        t = make_tenant(session, households=0)
        today = date.today()
        full: dict[str, object] = {
            "households": {"building_id": t.building.id},
            "campaigns": {
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=7)).isoformat(),
                "target_coverage": 0.9,
                "topics": ["refund_scam"],
            },
            "incidents": {
                "occurred_at": datetime.now(UTC).isoformat(),
                "fraud_type": "refund_scam",
                "channel": "phone",
                "status": "reported",
            },
        }[path]  # type: ignore[assignment]
        response = client.post(
            f"/api/v1/communities/{t.community.id}/{path}",
            headers={**t.headers["officer"], "Content-Type": "application/json"},
            content=_json({**full, **body}),
        )
        assert response.status_code == 422, response.text
        assert "control character" in response.text

    def test_a_notes_field_keeps_line_breaks_and_tabs(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        response = client.post(
            f"/api/v1/communities/{t.community.id}/buildings",
            headers=t.headers["officer"],
            json={"code": "9", "name": "九幢\t(北)"},
        )
        assert response.status_code == 201, response.text

    def test_an_imported_row_with_one_is_rejected(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        content = b"building,unit,room\n5,1,101\n5,1\x07,102\n"
        response = client.post(
            f"/api/v1/communities/{t.community.id}/households/import",
            headers=t.headers["officer"],
            files={"file": ("r.csv", content, "text/csv")},
        )
        assert response.status_code == 422
        assert [e["row"] for e in response.json()["errors"]] == [3]
        assert "U+0007" in response.json()["errors"][0]["reason"]


def _json(value: object) -> bytes:
    """JSON with every non-ASCII character escaped, as a hostile client sends it."""
    import json

    return json.dumps(value, ensure_ascii=True).encode()
