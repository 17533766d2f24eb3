"""The coverage report prints claimed next to verified coverage, and follows new call-backs."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.documents.context import percent
from tests.documents.helpers import pdf_text
from tests.verification.test_routes import coverage, draw, make_street, result


def test_report_prints_the_call_back_check(client: TestClient, session: Session) -> None:
    street = make_street(session, per_recorder=(20, 20, 10), not_reached=10)
    items = draw(client, street, size=50, seed=8).json()["items"]
    liar = street.recorders[2]
    manager = street.t.headers["manager"]
    url = f"/api/v1/campaigns/{street.campaign.id}/report.pdf"
    before = "".join(pdf_text(client.get(url, headers=manager).content).split())
    assert "已抽取50户，尚无回访结果" in before
    denied = 0
    for item in items[:-1]:
        outcome = "confirmed"
        if item["recorder_id"] == liar.id and denied < 6:
            outcome, denied = "denied", denied + 1
        assert result(client, manager, item["id"], outcome).status_code == 201
    v = coverage(client, street)["verification"]
    text = "".join(pdf_text(client.get(url, headers=manager).content).split())
    assert "上报覆盖率" in text
    assert "核实覆盖率" in text
    assert "Verifiedcoverage" in text
    low, high = percent(v["verified_coverage"]["low"]), percent(v["verified_coverage"]["high"])
    assert f"{low}–{high}" in text  # side by side with the claimed 50 / 60
    assert "50/60" in text
    assert f"真实覆盖率在{low}至{high}之间" in text
    assert "⚑6/10否认" in text
