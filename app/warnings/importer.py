"""The station's warning list (预警名单) from CSV or XLSX, by the household import's row rules.

The same reading as the roster import: a title row above the header, Chinese or English
headers, UTF-8 or GB18030 CSV, rows numbered as the spreadsheet shows them, every bad row
rejected with its number and reason, nothing imported while any row is bad unless
``partial``. A row names its household by code, by building/unit/room, or by an address such
as ``3幢2单元1502室`` matched to a household code where it can be; an address that matches
none is kept as written and the warning goes to the officers. The station's warning number
(预警编号), or a digest of the row when there is none, makes a re-import change nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.auth.permissions import PLANNERS, Actor
from app.campaigns.catalogue import FRAUD_TYPES
from app.communities import importer as roster
from app.communities import service as communities
from app.communities.models import Community, Household
from app.communities.schemas import ImportRejection
from app.db import utcnow
from app.enums import RiskLevel
from app.errors import Invalid
from app.warnings import repository as repo
from app.warnings import service
from app.warnings.schemas import WarningImportResult

MAX_BYTES = roster.MAX_BYTES
MAX_ROWS = 20_000

COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "预警编号", "预警单号", "工单号", "warningid", "warningno"),
    "code": ("code", "户号", "户编号", "房屋编号", "householdcode"),
    "building": roster.COLUMNS["building"],
    "unit": roster.COLUMNS["unit"],
    "room": roster.COLUMNS["room"],
    "address": ("address", "地址", "住址", "家庭住址", "居住地址", "现住址"),
    "name": ("name", "姓名", "当事人", "预警对象", "联系人"),
    "phone": ("phone", "电话", "手机", "手机号", "联系电话", "手机号码", "电话号码"),
    "risk": ("risk", "risklevel", "风险等级", "预警等级", "等级", "级别", "风险"),
    "received": ("received", "receivedat", "预警时间", "下发时间", "接收时间", "推送时间", "时间"),
    "fraud": ("fraudtype", "fraud", "诈骗类型", "案件类型", "类型", "涉诈类型"),
    "notes": ("notes", "note", "备注", "说明", "情况"),
}
_LOOKUP = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
RISK = {
    "high": RiskLevel.high, "高": RiskLevel.high, "高风险": RiskLevel.high, "高危": RiskLevel.high,
    "红": RiskLevel.high, "红色": RiskLevel.high, "一级": RiskLevel.high,
    "medium": RiskLevel.medium, "中": RiskLevel.medium, "中风险": RiskLevel.medium,
    "中危": RiskLevel.medium, "橙": RiskLevel.medium, "黄": RiskLevel.medium,
    "二级": RiskLevel.medium,
    "low": RiskLevel.low, "低": RiskLevel.low, "低风险": RiskLevel.low, "低危": RiskLevel.low,
    "蓝": RiskLevel.low, "三级": RiskLevel.low,
}  # fmt: skip
_ADDRESS = re.compile(
    r"(?P<building>[0-9A-Za-z]+)\s*(?:号楼|幢|栋|#|号)\s*(?P<unit>[0-9A-Za-z]+)\s*单元\s*"
    r"(?P<room>[0-9A-Za-z]+)\s*(?:室|号|房)?\s*$"
)
_DASHED = re.compile(r"(?P<code>[0-9A-Za-z]+-[0-9A-Za-z]+-[0-9A-Za-z]+)\s*$")
_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分",
    "%Y-%m-%d",
)
_FRAUD_BY_NAME = {f.name_zh: f.code for f in FRAUD_TYPES} | {f.code: f.code for f in FRAUD_TYPES}


@dataclass
class Row:
    """One warning row, normalised."""

    row: int
    ref: str
    household: tuple[int, int] | None  # id, building id
    address: str | None
    risk: RiskLevel
    received_at: datetime
    fraud_type: str | None
    name: str | None
    phone: str | None
    notes: str | None


def _header(rows: Any) -> dict[str, int]:
    for number, cells in rows:
        mapping: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = _LOOKUP.get(roster._norm_header(cell))
            if key is not None and key not in mapping:
                mapping[key] = index
        where = {"code", "address"} & set(mapping) or {"building", "unit", "room"} <= set(mapping)
        if "risk" in mapping and where:
            return mapping
        if number >= roster.HEADER_SCAN_ROWS:
            break
    raise Invalid(
        "No header row found: the list needs a risk level (风险等级) and a household code (户号)"
        " or an address (地址) in its first rows"
    )


def _when(value: Any, tz: ZoneInfo, now: datetime) -> datetime | str:
    if value is None or value == "":
        return now
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
    else:
        text = roster._text(value)
        try:
            moment = datetime.fromisoformat(text)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)
        except ValueError:
            for fmt in _FORMATS:
                try:
                    moment = datetime.strptime(text, fmt).replace(tzinfo=tz)
                    break
                except ValueError:
                    continue
            else:
                return f"预警时间 received time {text!r} 无法识别 is not a date and time"
    if moment > now + timedelta(days=1):
        return "预警时间 received time 在未来 is in the future"
    if moment < now - timedelta(days=365):
        return "预警时间 received time 超过一年 is more than a year ago"
    return moment


def _parse(
    number: int,
    cells: list[Any],
    cols: dict[str, int],
    households: dict[str, tuple[int, int]],
    tz: ZoneInfo,
    now: datetime,
) -> Row | str:
    def cell(key: str) -> str:
        index = cols.get(key)
        return roster._text(cells[index]) if index is not None and index < len(cells) else ""

    risk_text = cell("risk").lower()
    risk = RISK.get(risk_text) or RISK.get(risk_text.removesuffix("风险"))
    if risk is None:
        return f"风险等级 risk level {risk_text!r} 无法识别 is not high/medium/low (高/中/低)"
    index = cols.get("received")
    raw_time = cells[index] if index is not None and index < len(cells) else None
    received = _when(raw_time, tz, now)
    if isinstance(received, str):
        return received
    code = cell("code")
    address = cell("address")[:300] or None
    if not code and cell("building") and cell("unit") and cell("room"):
        building = roster._strip_suffix(cell("building"), ("号楼", "幢", "栋", "楼", "#", "号"))
        unit = roster._strip_suffix(cell("unit"), ("单元",))
        room = roster._strip_suffix(cell("room"), ("室", "号"))
        code = communities.default_household_code(building, unit, room)
    household = None
    if code:
        household = households.get(code)
        if household is None:
            return f"户号 household {code!r} 不在本社区 is not in this community"
    elif address:
        match = _ADDRESS.search(address) or _DASHED.search(address)
        if match is not None:
            parts = match.groupdict()
            guess = parts.get("code") or communities.default_household_code(
                parts["building"], parts["unit"], parts["room"]
            )
            household = households.get(guess)
    else:
        return "缺少户号或地址 missing household code or address"
    phone = re.sub(r"[^\d+\-() ]", "", cell("phone"))[:40] or None
    fraud = cell("fraud")
    notes = cell("notes")
    if fraud and fraud not in _FRAUD_BY_NAME:
        notes = f"{fraud}；{notes}" if notes else fraud  # kept in words when not in the catalogue
    ref = cell("ref")
    if not ref:
        basis = "|".join([code, address or "", cell("name"), phone or "", received.isoformat()])
        ref = "row:" + hashlib.sha256(basis.encode()).hexdigest()[:40]
    if len(ref) > 64:
        return f"预警编号 warning number {ref[:20]!r}… 太长 is too long"
    return Row(
        row=number,
        ref=ref,
        household=household,
        address=None if household else address,
        risk=risk,
        received_at=received,
        fraud_type=_FRAUD_BY_NAME.get(fraud),
        name=cell("name")[:100] or None,
        phone=phone,
        notes=notes[:2000] or None,
    )


def import_warnings(
    session: Session, *, actor: Actor, community: Community, data: bytes, partial: bool
) -> WarningImportResult:
    """Import the station's list into a community: all or nothing unless ``partial``."""
    actor.require(community.id, PLANNERS, what="Community")
    if not data.strip():
        raise Invalid("The file is empty")
    if len(data) > MAX_BYTES:
        raise Invalid(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    rows = roster._rows_from_bytes(data)
    cols = _header(rows)
    households = repo.households_by_code(session, community.id)
    tz = ZoneInfo(community.timezone)
    now = utcnow()
    parsed: list[Row] = []
    rejected: list[ImportRejection] = []
    seen: dict[str, int] = {}
    count = 0
    for number, cells in rows:
        if not any(roster._text(c) for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise Invalid(f"The file has more than {MAX_ROWS} rows; split it")
        result = _parse(number, cells, cols, households, tz, now)
        if isinstance(result, str):
            rejected.append(ImportRejection(row=number, reason=f"第{number}行：{result}"))
        elif result.ref in seen:
            rejected.append(
                ImportRejection(
                    row=number,
                    reason=f"第{number}行：与第{seen[result.ref]}行重复 duplicate of row "
                    f"{seen[result.ref]}",
                )
            )
        else:
            seen[result.ref] = number
            parsed.append(result)
    if rejected and not partial:
        raise Invalid(
            f"{len(rejected)} row(s) rejected; nothing was imported (send ?partial=true to "
            f"import the good rows)",
            errors=[r.model_dump() for r in rejected],
        )
    known = repo.existing_refs(session, community.id, [r.ref for r in parsed])
    new_rows = [r for r in parsed if r.ref not in known]
    owners = repo.owners_by_building(session, community.id)
    fallback = service.assignees_for(session, community.id, None)
    outcome = service.Outcome()
    for r in new_rows:
        household = session.get(Household, r.household[0]) if r.household else None
        people = owners.get(r.household[1], []) if r.household else []
        service.new_warning(
            session,
            community=community,
            household=household,
            address=r.address,
            risk_level=r.risk,
            received_at=r.received_at,
            fraud_type=r.fraud_type,
            person_name=r.name,
            phone=r.phone,
            notes=r.notes,
            source="import",
            source_ref=r.ref,
            incident_id=None,
            created_by=actor.id if actor.id > 0 else None,
            now=now,
            assignees=people or fallback,
            outcome=outcome,
        )
    session.commit()
    outcome.kick()
    matched = sum(1 for r in new_rows if r.household)
    return WarningImportResult(
        created=len(new_rows),
        unchanged=len(parsed) - len(new_rows),
        matched=matched,
        unmatched=len(new_rows) - matched,
        rejected=rejected,
    )
