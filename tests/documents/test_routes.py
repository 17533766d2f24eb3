"""The document endpoints: figures, codes, languages, fonts, roles, caching and jobs."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from app.enums import Role
from tests.documents.conftest import Scene
from tests.documents.helpers import font_names, page_count, pdf_text
from tests.factories import auth, make_member, make_tenant, round_day


class TestReport:
    def test_figures_equal_the_coverage_endpoint(self, client: TestClient, scene: Scene) -> None:
        headers = scene.tenant.headers["manager"]
        cid = scene.campaign.id
        cov = client.get(f"/api/v1/campaigns/{cid}/coverage", headers=headers).json()
        response = client.get(f"/api/v1/campaigns/{cid}/report.pdf", headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert "coverage-" in response.headers["content-disposition"]
        text = pdf_text(response.content)
        assert f"{cov['reached']} / {cov['eligible']}" in text
        assert f"{cov['coverage'] * 100:.1f}%" in text
        assert "覆盖率" in text
        assert "Coverage" in text

    def test_appendix_lists_households_not_reached(self, client: TestClient, scene: Scene) -> None:
        body = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/report.pdf",
            headers=scene.tenant.headers["manager"],
        ).content
        appendix = pdf_text(body).split("附录：", 1)[1]
        # rooms are printed under their unit: "1 单元 Unit 1 · 2", then "2F  201 …" a floor
        units = dict(re.findall(r"(\S+) 单元 Unit \S+ · \d+\n((?:\s*\d+F .*(?:\n|$))*)", appendix))
        reached = {h.code for h in scene.tenant.households[:2]}
        for h in scene.tenant.households:
            printed = bool(re.search(rf"(?<![0-9]){h.room}(?![0-9])", units.get(h.unit, "")))
            assert printed == (h.code not in reached), h.code

    def test_hostile_incident_is_printed_as_text(self, client: TestClient, scene: Scene) -> None:
        body = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/report.pdf",
            headers=scene.tenant.headers["manager"],
        ).content
        flat = "".join(pdf_text(body).split())
        assert '<imgsrc="file:///etc/passwd">' in flat
        assert "<script>" in flat

    def test_embeds_the_projects_own_font(self, client: TestClient, scene: Scene) -> None:
        body = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/report.pdf",
            headers=scene.tenant.headers["manager"],
        ).content
        names = font_names(body)
        assert names, names
        assert all(n.endswith(("+NotoSansSC", "+NotoSansSC-Bold")) for n in names), names


class TestWalkSheets:
    def test_small_units_share_a_page(self, client: TestClient, scene: Scene) -> None:
        body = client.get(
            f"/api/v1/rounds/{scene.round.id}/walk-sheet.pdf", headers=scene.tenant.headers["staff"]
        ).content
        assert page_count(body) == 1  # the building's two units of three households
        assert pdf_text(body).count("单元 Building") == 2

    def test_a_page_per_unit_on_request(self, client: TestClient, scene: Scene) -> None:
        body = client.get(
            f"/api/v1/rounds/{scene.round.id}/walk-sheet.pdf?page_per_unit=true",
            headers=scene.tenant.headers["staff"],
        ).content
        assert page_count(body) == 2  # the building's two units
        text = pdf_text(body)
        for h in scene.tenant.households:
            assert h.code in text
        assert "已宣传" in text
        assert "Reached" in text
        assert "<img" in text  # the hostile note, as text

    def test_campaign_walk_sheets_hold_every_round(self, client: TestClient, scene: Scene) -> None:
        body = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/walk-sheets.pdf?page_per_unit=true",
            headers=scene.tenant.headers["officer"],
        ).content
        assert page_count(body) == 2

    def test_staff_get_only_their_own_rounds(
        self, client: TestClient, session: Session, scene: Scene
    ) -> None:
        other = make_member(session, scene.tenant.community, Role.staff)
        headers = auth(session, other)
        assert (
            client.get(
                f"/api/v1/rounds/{scene.round.id}/walk-sheet.pdf", headers=headers
            ).status_code
            == 404
        )
        for doc in ("walk-sheets.pdf", "report.pdf", "flyers.pdf", "coverage.csv"):
            response = client.get(
                f"/api/v1/campaigns/{scene.campaign.id}/{doc}",
                headers=scene.tenant.headers["staff"],
            )
            assert response.status_code == 403, doc

    def test_other_community_answers_404(
        self, client: TestClient, session: Session, scene: Scene
    ) -> None:
        stranger = make_tenant(session, households=1)
        headers = stranger.headers["manager"]
        assert (
            client.get(
                f"/api/v1/rounds/{scene.round.id}/walk-sheet.pdf", headers=headers
            ).status_code
            == 404
        )
        for doc in ("walk-sheets.pdf", "report.pdf", "flyers.pdf", "coverage.xlsx"):
            response = client.get(f"/api/v1/campaigns/{scene.campaign.id}/{doc}", headers=headers)
            assert response.status_code == 404, doc


class TestFlyers:
    def test_chinese_by_default_with_the_three_nos(self, client: TestClient, scene: Scene) -> None:
        response = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/flyers.pdf?building_id={scene.tenant.building.id}",
            headers=scene.tenant.headers["officer"],
        )
        text = "".join(pdf_text(response.content).split())
        assert "不听、不信、不转账" in text
        assert "96110" in text
        assert "冒充客服视频通话诈骗" in text

    def test_english_on_request(self, client: TestClient, scene: Scene) -> None:
        response = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/flyers.pdf?building_id={scene.tenant.building.id}&lang=en",
            headers=scene.tenant.headers["officer"],
        )
        text = " ".join(pdf_text(response.content).split())
        assert "Don't listen, don't believe, don't transfer" in text
        assert "不听" not in text

    def test_one_flyer_per_household_with_its_code(self, client: TestClient, scene: Scene) -> None:
        response = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/flyers.pdf"
            f"?building_id={scene.tenant.building.id}&per_household=true",
            headers=scene.tenant.headers["manager"],
        )
        assert page_count(response.content) == len(scene.tenant.households)
        text = pdf_text(response.content)
        for h in scene.tenant.households:
            assert h.code in text

    def test_unknown_language_is_refused(self, client: TestClient, scene: Scene) -> None:
        response = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/flyers.pdf?lang=fr",
            headers=scene.tenant.headers["manager"],
        )
        assert response.status_code == 422


class TestRepeatDownloads:
    def test_unchanged_document_answers_304(self, client: TestClient, scene: Scene) -> None:
        url = f"/api/v1/campaigns/{scene.campaign.id}/report.pdf"
        headers = scene.tenant.headers["manager"]
        first = client.get(url, headers=headers)
        again = client.get(url, headers={**headers, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304

    def test_a_new_contact_changes_the_document(
        self, client: TestClient, session: Session, scene: Scene
    ) -> None:
        from app.enums import Outcome
        from tests.documents.conftest import add_contact

        url = f"/api/v1/campaigns/{scene.campaign.id}/report.pdf"
        headers = scene.tenant.headers["manager"]
        first = client.get(url, headers=headers)
        add_contact(session, scene.campaign, scene.tenant.households[5].id, Outcome.reached)
        again = client.get(url, headers={**headers, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 200
        assert "3 / " in pdf_text(again.content)


class TestBackgroundJobs:
    def test_async_render_then_fetch(self, client: TestClient, scene: Scene) -> None:
        headers = scene.tenant.headers["manager"]
        response = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/walk-sheets.pdf",
            headers={**headers, "Prefer": "respond-async"},
        )
        assert response.status_code == 202
        status_url = response.headers["location"]
        for _ in range(300):
            job = client.get(status_url, headers=headers).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert job["status"] == "done", job
        result = client.get(job["result_url"], headers=headers)
        assert result.status_code == 200
        assert page_count(result.content) == 1  # two small units on one page

    def test_jobs_of_another_community_are_hidden(
        self, client: TestClient, session: Session, scene: Scene
    ) -> None:
        response = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/report.pdf",
            headers={**scene.tenant.headers["manager"], "Prefer": "respond-async"},
        )
        stranger = make_tenant(session, households=1)
        assert (
            client.get(
                response.headers["location"], headers=stranger.headers["manager"]
            ).status_code
            == 404
        )


class TestExports:
    def test_csv_has_bom_figures_and_statuses(self, client: TestClient, scene: Scene) -> None:
        response = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/coverage.csv",
            headers=scene.tenant.headers["manager"],
        )
        assert response.status_code == 200
        assert response.content.startswith(b"\xef\xbb\xbf")
        text = response.content.decode("utf-8-sig")
        lines = text.splitlines()
        assert lines[0] == "户号,楼栋,单元,楼层,房号,宣传状态,不计入,走访次数,重点标记"
        assert len(lines) == 1 + len(scene.tenant.households)  # one table: the households
        assert scene.tenant.households[0].code in text
        assert ",已宣传,否," in text
        english = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/coverage.csv?lang=en",
            headers=scene.tenant.headers["manager"],
        ).content.decode("utf-8-sig")
        assert english.startswith("Household,Building,Unit,Floor,Room,Status")
        assert ",Reached,no," in english

    def test_formula_cells_are_neutralised(
        self, client: TestClient, session: Session, scene: Scene
    ) -> None:
        scene.tenant.building.name = '=HYPERLINK("http://evil")'
        scene.tenant.households[3].code = "@SUM(1)"
        scene.tenant.households[4].code = "-2+3"
        scene.tenant.households[5].code = "＝HYPERLINK(1)"
        session.commit()
        csv_text = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/coverage.csv",
            headers=scene.tenant.headers["manager"],
        ).content.decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(csv_text)) for c in row]
        assert not any(c.startswith(("=", "@", "+", "-")) for c in cells)
        assert "'@SUM(1)" in csv_text
        assert "'-2+3" in csv_text
        assert "'＝HYPERLINK(1)" in csv_text
        body = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/coverage.xlsx",
            headers=scene.tenant.headers["manager"],
        ).content
        book = load_workbook(io.BytesIO(body))
        values = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
        assert '\'=HYPERLINK("http://evil")' in values
        assert not any(isinstance(v, str) and v.startswith(("=", "@", "+", "＝")) for v in values)

    def test_a_control_character_in_a_code_still_exports(
        self, client: TestClient, session: Session, scene: Scene
    ) -> None:
        # Found by schemathesis: an XLSX cannot hold U+0001, and the export answered 500.
        scene.tenant.households[1].code = "3-1-\x01102"
        session.commit()
        response = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/coverage.xlsx",
            headers=scene.tenant.headers["manager"],
        )
        assert response.status_code == 200
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content))
        values = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
        assert "3-1-102" in values


class TestLedgerReport:
    def test_a_row_per_day_of_the_default_period(self, client: TestClient, scene: Scene) -> None:
        response = client.get("/api/v1/reports/ledger.pdf", headers=scene.tenant.headers["manager"])
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert "默认：截至今日的 30 天" in text
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        days = {(today - timedelta(days=n)).isoformat() for n in range(30)}
        printed = set(re.findall(r"^(\d{4}-\d{2}-\d{2}) ", text, flags=re.M))
        assert days <= printed
        assert text.count("各社区排名 Communities ranked") == 1  # the ranking, headed once
        assert text.count("每日台账 Daily ledger") == 1

    def test_ranks_the_communities_a_manager_sees(self, client: TestClient, scene: Scene) -> None:
        response = client.get(
            f"/api/v1/reports/ledger.pdf?from={round_day(-19)}&to={round_day(10)}",
            headers=scene.tenant.headers["manager"],
        )
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert scene.tenant.community.name in text

    def test_reversed_range_is_refused(self, client: TestClient, scene: Scene) -> None:
        response = client.get(
            f"/api/v1/reports/ledger.pdf?from={round_day(11)}&to={round_day(-19)}",
            headers=scene.tenant.headers["manager"],
        )
        assert response.status_code == 422


class TestWorkbook:
    def _book(self, client: TestClient, scene: Scene, query: str = "") -> Workbook:
        body = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/coverage.xlsx{query}",
            headers=scene.tenant.headers["manager"],
        ).content
        return load_workbook(io.BytesIO(body))

    def test_chinese_sheets_headers_and_values(self, client: TestClient, scene: Scene) -> None:
        book = self._book(client, scene)
        assert book.sheetnames == ["覆盖率", "渠道与成效", "每日台账", "住户"]
        households = book["住户"]
        header = [c.value for c in households[1]]
        assert header == [
            "户号",
            "楼栋",
            "单元",
            "楼层",
            "房号",
            "宣传状态",
            "不计入",
            "走访次数",
            "重点标记",
        ]
        statuses = {row[5].value for row in households.iter_rows(min_row=2)}
        assert statuses <= {"已宣传", "拒绝", "留资料", "不在家", "未走访", "空置"}
        assert {row[6].value for row in households.iter_rows(min_row=2)} <= {"是", "否"}

    def test_percentages_dates_widths_and_frozen_header(
        self, client: TestClient, scene: Scene
    ) -> None:
        book = self._book(client, scene)
        figures = book["覆盖率"]
        coverage = figures.cell(row=2, column=8)
        assert isinstance(coverage.value, float)
        assert coverage.number_format == "0.0%"
        days = book["每日台账"]
        first_day = days.cell(row=2, column=1)
        assert isinstance(first_day.value, datetime)
        assert first_day.number_format == "yyyy-mm-dd"
        for sheet in book:
            assert sheet.freeze_panes == "A2", sheet.title
            for i, cell in enumerate(sheet[1], start=1):
                width = sheet.column_dimensions[get_column_letter(i)].width
                shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(cell.value))
                assert width >= shown, (sheet.title, cell.value, width)

    def test_english_on_request(self, client: TestClient, scene: Scene) -> None:
        book = self._book(client, scene, "?lang=en")
        assert book.sheetnames == ["Coverage", "Channels and extras", "Daily ledger", "Households"]
        assert book["Households"].cell(row=1, column=6).value == "Status"
