"""Hostile and broken roster files get a clear 4xx, within bounded memory and work."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.communities import importer
from app.communities.models import Household
from app.config import PROJECT_ROOT
from app.errors import Invalid
from tests.factories import Tenant, make_tenant

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def upload(client: TestClient, t: Tenant, content: bytes, name: str) -> tuple[int, dict[str, Any]]:
    """Post a file to the import endpoint as the officer."""
    r = client.post(
        f"/api/v1/communities/{t.community.id}/households/import",
        headers=t.headers["officer"],
        files={"file": (name, content, "application/octet-stream")},
    )
    return r.status_code, r.json()


def households(session: Session, t: Tenant) -> int:
    """The tenant's stored households."""
    session.rollback()
    return (
        session.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.community_id == t.community.id)
        )
        or 0
    )


def workbook(rows: list[list[Any]]) -> bytes:
    """A real workbook (openpyxl's own), as a base to replace parts of."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_parts(base: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook with some of its parts replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename not in parts:
                dst.writestr(info, src.read(info.filename), zipfile.ZIP_DEFLATED)
        for name, body in parts.items():
            dst.writestr(name, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def inline(ref: str, value: str) -> str:
    """One inline-string cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def sheet_xml(rows: list[str], *, dimension: str = "A1:D3", doctype: str = "") -> bytes:
    """A worksheet part with the given <row> elements."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="{NS}">'
        f'<dimension ref="{dimension}"/><sheetData>{"".join(rows)}</sheetData></worksheet>'
    ).encode()


def roster_row(r: int, room: str, *, far: bool = False) -> str:
    """A row building 3, unit 1, floor 1, the room; with a cell in column XFD if ``far``."""
    cells = inline(f"A{r}", "3") + inline(f"B{r}", "1") + f'<c r="C{r}"><v>1</v></c>'
    cells += inline(f"D{r}", room)
    if far:
        cells += f'<c r="XFD{r}"><v>1</v></c>'
    return f'<row r="{r}">{cells}</row>'


HEADER = (
    '<row r="1">'
    + inline("A1", "building")
    + inline("B1", "unit")
    + inline("C1", "floor")
    + inline("D1", "room")
    + "</row>"
)
BASE = workbook([["building", "unit", "floor", "room"]])
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_shared_strings(base: bytes) -> bytes:
    """The workbook with its content types naming a shared-strings part, which openpyxl reads
    whole when the workbook opens (openpyxl writes inline strings and names none)."""
    with zipfile.ZipFile(io.BytesIO(base)) as src:
        types = src.read("[Content_Types].xml").decode()
    override = f'<Override PartName="/{STRINGS}" ContentType="{SST_TYPE}"/>'
    return replace_parts(
        base, {"[Content_Types].xml": types.replace("</Types>", override + "</Types>").encode()}
    )


def bomb(name: str, prefix: bytes, megabytes: int, suffix: bytes, others: bytes) -> bytes:
    """A workbook whose part ``name`` unpacks to ``megabytes`` MB of spaces (~1 KB per MB).

    Deflate after a full flush starts afresh, so one compressed megabyte is repeated.
    """
    chunk = b" " * (1024 * 1024)
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = z.compress(prefix) + z.flush(zlib.Z_FULL_FLUSH)
    block = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)
    tail = z.compress(suffix) + z.flush()
    body = head + block * megabytes + tail
    crc = zlib.crc32(prefix)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    size = len(prefix) + megabytes * len(chunk) + len(suffix)

    entries: list[tuple[bytes, int, int, int, bytes]] = []  # name, crc, csize, usize, data
    with zipfile.ZipFile(io.BytesIO(others)) as src:
        for info in src.infolist():
            if info.filename == name:
                continue
            raw = src.read(info.filename)
            z2 = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = z2.compress(raw) + z2.flush()
            entries.append((info.filename.encode(), zlib.crc32(raw), len(packed), len(raw), packed))
    entries.append((name.encode(), crc, len(body), size, body))

    out = io.BytesIO()
    central = io.BytesIO()
    for fname, fcrc, csize, usize, data in entries:
        offset = out.tell()
        out.write(
            struct.pack(
                "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, fcrc, csize, usize, len(fname), 0
            )
        )
        out.write(fname + data)
        central.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                33,
                fcrc,
                csize,
                usize,
                len(fname),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + fname
        )
    start = out.tell()
    out.write(central.getvalue())
    out.write(
        struct.pack(
            "<4s4H2LH",
            b"PK\x05\x06",
            0,
            0,
            len(entries),
            len(entries),
            len(central.getvalue()),
            start,
            0,
        )
    )
    return out.getvalue()


LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY a "hahahahahahahahahaha">'
    + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in pairwise("abcdefghi"))
    + "]>"
)


class TestCsv:
    @pytest.mark.parametrize(
        "content",
        [
            b"building,unit,room\n1,1,10\r1\n",
            b"building,unit,room\n1,1," + b"x" * (140 * 1024) + b"\n",
            b"building,unit,room\n1,1,101\n" + b"1,1,1\x0002\n",
        ],
        ids=["cr-in-unquoted-field", "field-over-128-kib", "nul-past-the-start"],
    )
    def test_unreadable_csv_is_a_clear_4xx(
        self, client: TestClient, session: Session, content: bytes
    ) -> None:
        t = make_tenant(session, households=0)
        status, body = upload(client, t, content, "r.csv")
        assert status == 422, body
        assert body["detail"]
        assert households(session, t) == 0

    def test_a_quoted_line_break_is_fine(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        status, body = upload(client, t, b'building,unit,room,note\n1,1,101,"a\r\nb"\n', "r.csv")
        assert (status, body["created"]) == (200, 1), body


class TestXmlAttacks:
    def test_billion_laughs_in_a_sheet(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        sheet = sheet_xml([HEADER, roster_row(2, "&i;")], doctype=LAUGHS)
        status, body = upload(client, t, replace_parts(BASE, {SHEET: sheet}), "r.xlsx")
        assert status == 422, body
        assert households(session, t) == 0

    def test_external_entity_in_shared_strings(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        strings = (
            '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>&x;</t></si></sst>'
        ).encode()
        base = with_shared_strings(workbook([["building", "unit", "floor", "room"]]))
        sheet = sheet_xml([HEADER, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'])
        status, body = upload(
            client, t, replace_parts(base, {STRINGS: strings, SHEET: sheet}), "r.xlsx"
        )
        assert status == 422, body
        assert "root:" not in json.dumps(body)
        assert households(session, t) == 0

    def test_external_entity_in_a_sheet(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        doctype = '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        sheet = sheet_xml([HEADER, roster_row(2, "&x;")], doctype=doctype)
        status, body = upload(client, t, replace_parts(BASE, {SHEET: sheet}), "r.xlsx")
        assert status == 422, body
        assert households(session, t) == 0

    def test_a_malformed_sheet(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        broken = sheet_xml([HEADER, roster_row(2, "101")])[:-20]
        status, body = upload(client, t, replace_parts(BASE, {SHEET: broken}), "r.xlsx")
        assert status == 422, body


class TestBounds:
    def test_a_zip_bomb_is_refused_before_it_unpacks(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        content = bomb(
            STRINGS,
            f'<sst xmlns="{NS}"><si><t>'.encode(),
            1024,
            b"</t></si></sst>",
            with_shared_strings(BASE),
        )
        assert len(content) < 2 * 1024 * 1024
        status, body = upload(client, t, content, "bomb.xlsx")
        assert status == 422, body
        assert "MB" in body["detail"]

    def test_cells_far_to_the_right_are_ignored(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        rows = [HEADER, roster_row(2, "101", far=True), roster_row(3, "102", far=True)]
        sheet = sheet_xml(rows, dimension="A1:XFD60000")
        status, body = upload(client, t, replace_parts(BASE, {SHEET: sheet}), "r.xlsx")
        assert (status, body["created"]) == (200, 2), body

    def test_a_sheet_a_million_rows_tall_is_refused(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        rows = [
            HEADER,
            roster_row(2, "101"),
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        ]
        sheet = sheet_xml(rows, dimension="A1:XFD1048576")
        status, body = upload(client, t, replace_parts(BASE, {SHEET: sheet}), "r.xlsx")
        assert status == 422, body
        assert "rows" in body["detail"]
        assert households(session, t) == 0

    def test_reading_stops_at_the_time_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        clock = iter(range(0, 10_000, 5))
        monkeypatch.setattr(time, "thread_time", lambda: float(next(clock)))
        content = b"building,unit,room\n" + b"".join(b"1,1,%d\n" % (100 + i) for i in range(50))
        with pytest.raises(Invalid, match="took more than"):
            importer.parse_roster(content)


BOUNDED = """
import json, resource, sys
limit = {memory}
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
from app.communities.importer import parse_roster
from app.errors import Invalid
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    roster = parse_roster(data)
    answer = {{"rows": len(roster.rows), "rejected": len(roster.rejected)}}
except Invalid as exc:
    answer = {{"refused": exc.detail}}
answer["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(answer))
"""
PEAK_MB = 200
"""How far parsing each hostile file below raises a process's peak memory above what the
process held once the app was imported and the file read."""


def parse_in_a_bounded_process(path: Path) -> dict[str, Any]:
    """parse_roster on the file in a subprocess limited to 2 GB and 60 s of CPU."""
    script = BOUNDED.format(memory=2 * 1024**3, cpu=60)
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


class TestBoundedWork:
    def test_zip_bomb_memory(self, tmp_path: Path) -> None:
        path = tmp_path / "bomb.xlsx"
        path.write_bytes(
            bomb(
                STRINGS,
                f'<sst xmlns="{NS}"><si><t>'.encode(),
                1024,
                b"</t></si></sst>",
                with_shared_strings(BASE),
            )
        )
        answer = parse_in_a_bounded_process(path)
        assert "refused" in answer
        assert answer["peak_mb"] < PEAK_MB

    def test_one_cell_in_column_xfd_on_60000_rows(self, tmp_path: Path) -> None:
        rows = [HEADER] + [roster_row(r, str(100 + r), far=True) for r in range(2, 60_002)]
        path = tmp_path / "wide.xlsx"
        path.write_bytes(replace_parts(BASE, {SHEET: sheet_xml(rows, dimension="A1:XFD60001")}))
        answer = parse_in_a_bounded_process(path)
        assert answer.get("rows") == 60_000
        assert answer["peak_mb"] < PEAK_MB
