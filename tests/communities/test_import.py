"""The household import takes property offices' rosters as they are."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.communities.models import Building, Household, HouseholdFlag
from tests.factories import Tenant, make_tenant

DATA = Path(__file__).resolve().parents[1] / "fixtures"
XLSX = DATA / "roster-jiangnan-star.xlsx"
GB_CSV = DATA / "roster-jiangnan-star-gb18030.csv"


def upload(
    client: TestClient, t: Tenant, content: bytes, name: str = "roster.csv", partial: bool = False
) -> tuple[int, dict]:  # type: ignore[type-arg]
    """Post a file to the import endpoint as an officer."""
    r = client.post(
        f"/api/v1/communities/{t.community.id}/households/import",
        params={"partial": str(partial).lower()},
        headers=t.headers["officer"],
        files={"file": (name, content, "application/octet-stream")},
    )
    return r.status_code, r.json()


def count(session: Session, model: type[Any], t: Tenant) -> int:
    """Rows of a model in the tenant's community, in a fresh snapshot."""
    session.rollback()
    stmt = select(func.count()).select_from(model)
    if model is HouseholdFlag:
        stmt = stmt.join(Household, Household.id == HouseholdFlag.household_id)
        return session.scalar(stmt.where(Household.community_id == t.community.id)) or 0
    return session.scalar(stmt.where(model.community_id == t.community.id)) or 0


class TestSharedRosters:
    @pytest.mark.parametrize("path", [XLSX, GB_CSV], ids=["xlsx", "gb18030-csv"])
    def test_imports_as_it_is_and_reimport_changes_nothing(
        self, client: TestClient, session: Session, path: Path
    ) -> None:
        t = make_tenant(session, households=0)
        status, body = upload(client, t, path.read_bytes(), path.name)
        assert status == 200, body
        assert (body["created"], body["rejected"]) == (840, [])
        assert count(session, Household, t) == 840
        assert count(session, Building, t) == 12 + 1  # the tenant's own building too
        assert count(session, HouseholdFlag, t) > 0  # 独居老人 in the notes
        vacant = session.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.community_id == t.community.id, Household.occupancy == "vacant")
        )
        assert vacant is not None
        assert vacant > 0
        names = session.scalar(
            select(func.count())
            .select_from(Household)
            .where(
                Household.community_id == t.community.id,
                Household.contact_phone.is_not(None) | Household.contact_name.is_not(None),
            )
        )
        assert names == 0  # no consent recorded: owners' names and phones are not kept
        status, again = upload(client, t, path.read_bytes(), path.name)
        assert (status, again["created"], again["updated"], again["unchanged"]) == (200, 0, 0, 840)


class TestImportRules:
    def test_english_utf8_bom_csv_with_flags(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        csv_text = (
            "building,unit,floor,room,occupancy,flags\n"
            "3,2,15,1502,occupied,elderly_alone\n"
            "3,2,15,1503,vacant,\n"
        )
        status, body = upload(client, t, ("\ufeff" + csv_text).encode("utf-8"))
        assert status == 200, body
        assert body["created"] == 2
        h = session.scalars(select(Household).where(Household.code == "3-2-1502")).one()
        assert h.floor == 15
        assert (
            session.scalar(select(HouseholdFlag.flag).where(HouseholdFlag.household_id == h.id))
            == "elderly_alone"
        )

    def test_changed_occupancy_counts_as_updated(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        upload(client, t, b"building,unit,room\n5,1,101\n5,1,102\n")
        status, body = upload(
            client, t, b"building,unit,room,occupancy\n5,1,101,vacant\n5,1,102,\n"
        )
        assert (status, body["updated"], body["unchanged"]) == (200, 1, 1)

    def test_bad_rows_are_named_and_nothing_is_imported(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        content = (
            "楼栋,单元,楼层,房号,居住状态\n"
            "1幢,1单元,1,101,自住\n"
            "1幢,,2,201,自住\n"  # row 3: no unit
            "1幢,1单元,三楼,301,自住\n"  # row 4: floor not a number
            "1幢,1单元,1,101,空置\n"  # row 5: duplicate of row 2
            "1幢,1单元,4,401,外星\n"
        ).encode("gb18030")  # row 6: unknown occupancy
        status, body = upload(client, t, content)
        assert status == 422
        assert [e["row"] for e in body["errors"]] == [3, 4, 5, 6]
        assert "重复" in body["errors"][2]["reason"]
        assert body["result"]["created"] == 0
        assert count(session, Household, t) == 0
        status, body = upload(client, t, content, partial=True)
        assert (status, body["created"], len(body["rejected"])) == (200, 1, 4)
        assert count(session, Household, t) == 1

    def test_xlsx_with_title_row_numbers_rows_as_excel_shows_them(
        self, client: TestClient, session: Session
    ) -> None:
        wb = Workbook()
        ws = wb.active
        ws.append(["江南星城小区住户花名册"])
        ws.append(["楼栋", "单元", "楼层", "房号", "备注"])
        ws.append(["2幢", "1单元", 3, 301, "独居老人"])
        ws.append(["2幢", "1单元", 3, None, ""])
        buf = io.BytesIO()
        wb.save(buf)
        t = make_tenant(session, households=0)
        status, body = upload(client, t, buf.getvalue(), "roster.xlsx")
        assert status == 422
        assert body["errors"][0]["row"] == 4

    @pytest.mark.parametrize(
        "content",
        [
            b"",
            b"\x00\x01\x02garbage" * 50,
            b"PK\x03\x04not really a zip",
            b"name,age\nzhang,3\n",
            "楼栋\n1\n".encode("gb18030"),
        ],
        ids=["empty", "binary", "fake-zip", "no-header", "header-incomplete"],
    )
    def test_garbage_is_a_clear_4xx(
        self, client: TestClient, session: Session, content: bytes
    ) -> None:
        t = make_tenant(session, households=0)
        status, body = upload(client, t, content)
        assert 400 <= status < 500, body
        assert body["detail"]
        assert count(session, Household, t) == 0

    def test_staff_cannot_import(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/households/import",
            headers=t.headers["staff"],
            files={"file": ("r.csv", b"building,unit,room\n1,1,101\n", "text/csv")},
        )
        assert r.status_code == 403


class TestCarriageReturns:
    """Found by schemathesis: a lone carriage return in a CSV answered 500."""

    def test_rows_ended_by_carriage_returns_import(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        status, body = upload(client, t, b"building,unit,floor,room\r3,1,1,101\r3,1,1,102\r")
        assert status == 200, body
        assert body["created"] == 2

    def test_garbage_with_a_carriage_return_is_refused(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        status, body = upload(client, t, "½-§~\x8b°n\ró".encode())
        assert 400 <= status < 500, body
        assert count(session, Household, t) == 0
