"""Resident reports from the flyer's QR code: the public page and the throttled POST."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.context import build_flyer
from app.enums import IncidentStatus
from app.incidents.models import Incident
from app.warnings import reports
from app.warnings import repository as repo
from app.warnings.models import EarlyWarning, ReportReceipt
from tests.factories import make_campaign, make_tenant


def _token(session: Session, campaign: object) -> str:
    return reports.token_for_campaign(session, campaign)  # type: ignore[arg-type]


class TestPublicReports:
    def test_page_shows_the_flyers_advice_and_no_login(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        campaign = make_campaign(session, t.community, topics=["fake_customer_service_video"])
        token = _token(session, campaign)
        assert len(token) >= 32
        assert _token(session, campaign) == token  # one per campaign
        r = client.get(f"/r/{token}")
        assert r.status_code == 200
        assert "96110" in r.text
        assert "不听、不信、不转账" in r.text
        assert t.community.service_centre_phone in r.text
        assert "<script" not in r.text
        assert "login" not in r.text.lower()
        assert client.get("/r/" + "x" * 32).status_code == 404

    def test_report_opens_an_incident_and_a_medium_warning_for_the_officers(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        token = _token(session, campaign)
        r = client.post(
            "/api/v1/public/reports",
            json={
                "token": token,
                "channel": "FaceTime",
                "summary": "自称客服要开通保障",
                "callback_phone": "13800001111",
            },
        )
        assert r.status_code == 202
        body = r.json()
        assert set(body) == {"status", "message_zh", "message_en", "hotline"}
        assert body["hotline"] == "96110"
        incident = session.scalars(select(Incident)).one()
        assert incident.status == IncidentStatus.reported
        assert incident.campaign_id == campaign.id
        warning = session.scalars(select(EarlyWarning)).one()
        assert warning.risk_level == "medium"
        assert warning.incident_id == incident.id
        listed = client.get(
            f"/api/v1/communities/{t.community.id}/warnings", headers=t.headers["officer"]
        ).json()["items"]
        assert listed[0]["assignee_ids"] == [t.officer.id]
        assert listed[0]["source"] == "report"
        kinds = {
            n["kind"]
            for n in client.get(
                "/api/v1/members/me/notifications", headers=t.headers["officer"]
            ).json()["items"]
        }
        assert kinds == {"resident_report", "warning_new"}

    def test_throttled_per_address_and_per_token(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        token = _token(session, make_campaign(session, t.community))
        body = {"token": token, "channel": "电话", "summary": "可疑来电"}
        statuses = [client.post("/api/v1/public/reports", json=body).status_code for _ in range(6)]
        assert statuses == [202] * 5 + [429]
        refused = client.post("/api/v1/public/reports", json=body)
        assert refused.json()["retry_after"] > 0
        assert session.scalar(select(ReportReceipt.id).order_by(ReportReceipt.id.desc())) == 5
        # other addresses share the token's budget: 30 an hour in all
        for i in range(30):
            with TestClient(client.app, client=(f"10.0.0.{i}", 1234)) as other:
                other.post("/api/v1/public/reports", json=body)
        with TestClient(client.app, client=("10.9.9.9", 1234)) as late:
            assert late.post("/api/v1/public/reports", json=body).status_code == 429

    def test_bad_reports_change_nothing(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        token = _token(session, make_campaign(session, t.community))
        for bad in (
            {"token": "x" * 32, "channel": "电话", "summary": "可疑"},
            {"token": token, "channel": "", "summary": "可疑"},
            {"token": token, "channel": "电话", "summary": ""},
            {"token": token, "channel": "电话", "summary": "x", "callback_phone": "abc"},
            {"token": token, "channel": "电话", "summary": "x", "extra": 1},
        ):
            assert client.post("/api/v1/public/reports", json=bad).status_code in (404, 422)
        assert session.scalars(select(Incident)).all() == []

    def test_the_form_works_without_a_script(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        token = _token(session, make_campaign(session, t.community))
        page = client.get(f"/r/{token}?h={t.households[0].code}")
        assert f'value="{t.households[0].code}"' in page.text
        r = client.post(
            f"/r/{token}",
            data={
                "channel": "视频通话 video call",
                "summary": "有人让我共享屏幕",
                "household_code": t.households[0].code,
            },
        )
        assert r.status_code == 202
        assert "已收到" in r.text
        warning = session.scalars(select(EarlyWarning)).one()
        assert warning.household_id == t.households[0].id

    def test_the_flyer_qr_opens_the_report_page(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        assert repo.token_of_campaign(session, campaign.id) is None
        r = client.get(f"/api/v1/campaigns/{campaign.id}/flyers.pdf", headers=t.headers["officer"])
        assert r.status_code == 200
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        assert "96110" in text
        session.rollback()
        made = repo.token_of_campaign(session, campaign.id)  # the flyer asked for its page
        assert made is not None
        flyer = build_flyer(
            lang="zh",
            size="A5",
            community="c",
            campaign="k",
            campaign_id=campaign.id,
            topics=[],
            building=None,
            contacts=[],
            address=None,
            household_codes=["3-1-101"],
            public_base_url="https://doorstep.example.org",
            report_url=f"https://doorstep.example.org/r/{made.token}",
        )
        assert (
            flyer.copies[0].qr_payload == f"https://doorstep.example.org/r/{made.token}?h=3-1-101"
        )
