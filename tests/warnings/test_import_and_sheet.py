"""The station's list imported by the roster's row rules; the feedback sheet for the station."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from tests.factories import make_tenant
from tests.warnings.helpers import attempt, own, warn


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8-sig")


def _local(minutes_ago: int) -> str:
    moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


class TestImport:
    def test_codes_addresses_and_re_import(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        own(session, t, t.staff)
        h0, h1 = t.households[0], t.households[1]
        b, u, r = h1.code.split("-")
        data = _csv(
            [
                ["XX派出所 预警名单"],
                ["预警编号", "户号", "地址", "姓名", "手机号", "风险等级", "预警时间", "诈骗类型"],
                ["YJ001", h0.code, "", "王建国", "13812345678", "高", _local(10), "冒充客服"],
                [
                    "YJ002",
                    "",
                    f"江南星城{b}幢{u}单元{r}室",
                    "李梅",
                    "13900001111",
                    "中",
                    _local(5),
                    "",
                ],
                ["YJ003", "", "某路88号", "赵强", "", "低风险", "", "刷单返利"],
            ]
        )
        url = f"/api/v1/communities/{t.community.id}/warnings/import"
        res = client.post(url, files={"file": ("list.csv", data)}, headers=t.headers["officer"])
        assert res.status_code == 200, res.text
        assert res.json() == {
            "created": 3,
            "unchanged": 0,
            "matched": 2,
            "unmatched": 1,
            "rejected": [],
        }
        items = client.get(
            f"/api/v1/communities/{t.community.id}/warnings", headers=t.headers["officer"]
        ).json()["items"]
        by_name = {w["person_name"]: w for w in items}
        assert by_name["王建国"]["household_id"] == h0.id
        assert by_name["王建国"]["assignee_ids"] == [t.staff.id]
        assert by_name["王建国"]["risk_level"] == "high"
        assert by_name["李梅"]["household_id"] == h1.id
        assert by_name["赵强"]["household_id"] is None
        assert by_name["赵强"]["address"] == "某路88号"
        assert by_name["赵强"]["assignee_ids"] == [t.officer.id]
        again = client.post(url, files={"file": ("list.csv", data)}, headers=t.headers["officer"])
        assert again.json()["created"] == 0
        assert again.json()["unchanged"] == 3

    def test_bad_rows_import_nothing_unless_partial(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        h0 = t.households[0]
        future = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["户号", "风险等级", "预警时间", "姓名"])
        sheet.append([h0.code, "高", datetime.now().replace(microsecond=0), "甲"])
        sheet.append(["9-9-999", "高", None, "乙"])
        sheet.append([h0.code, "紧急", None, "丙"])
        sheet.append(["", "中", None, "丁"])
        sheet.append([h0.code, "低", future, "戊"])
        sheet.append([h0.code, "低", "昨天", "己"])
        out = io.BytesIO()
        book.save(out)
        url = f"/api/v1/communities/{t.community.id}/warnings/import"
        files = {"file": ("list.xlsx", out.getvalue())}
        r = client.post(url, files=files, headers=t.headers["officer"])
        assert r.status_code == 422
        assert [e["row"] for e in r.json()["errors"]] == [3, 4, 5, 6, 7]
        assert "第3行" in r.json()["errors"][0]["reason"]
        listed = client.get(
            f"/api/v1/communities/{t.community.id}/warnings", headers=t.headers["officer"]
        ).json()
        assert listed["total"] == 0
        r = client.post(url + "?partial=true", files=files, headers=t.headers["officer"])
        assert r.json()["created"] == 1
        assert len(r.json()["rejected"]) == 5

    def test_a_file_without_the_columns_is_refused(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}/warnings/import"
        for data in (b"", b"a,b\n1,2\n", b"\x00\x01binary"):
            r = client.post(url, files={"file": ("x.csv", data)}, headers=t.headers["officer"])
            assert r.status_code == 422
        staff = client.post(url, files={"file": ("x.csv", b"a")}, headers=t.headers["staff"])
        assert staff.status_code == 403


class TestFeedbackSheet:
    def test_chinese_headers_every_warning_and_reads_recorded(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="high", person_name="=王建国", phone="13812345678")
        warn(client, t, risk="low")
        client.post(
            f"/api/v1/warnings/{w['id']}/attempts",
            json=attempt("phone", "not_home"),
            headers=t.headers["officer"],
        )
        client.post(
            f"/api/v1/warnings/{w['id']}/attempts",
            json=attempt("door", "reached"),
            headers=t.headers["officer"],
        )
        r = client.get(
            f"/api/v1/communities/{t.community.id}/warnings.xlsx", headers=t.headers["manager"]
        )
        assert r.status_code == 200
        sheet = load_workbook(io.BytesIO(r.content)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][:3] == ("序号", "预警编号", "户号")
        assert rows[2][:3] == ("No.", "Station ref", "Household")
        assert len(rows) == 5
        first = rows[3]
        assert first[4] == "'=王建国"  # a formula-looking name is neutralised
        assert first[10] == "已见面 reached"
        assert first[13] == "是"
        assert first[15] == 2
        assert "电话不在家" in first[16]
        log = client.get(f"/api/v1/warnings/{w['id']}/accesses", headers=t.headers["manager"])
        assert "export" in [a["via"] for a in log.json()]
        staff = client.get(
            f"/api/v1/communities/{t.community.id}/warnings.xlsx", headers=t.headers["staff"]
        )
        assert staff.status_code == 403
