"""The station's feedback sheet (预警反馈表, ``warnings.xlsx``): every warning and its outcome.

Chinese headers first with English beneath; times in the community's time zone; cells that a
spreadsheet would run as formulas are neutralised. Names and phones are in it (the station
sent them), so only officers and managers download it, and each download is recorded as a
read of every warning's personal data in it.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy.orm import Session

from app.auth.permissions import PLANNERS, Actor
from app.communities.models import Community
from app.db import utcnow
from app.warnings import repository as repo
from app.warnings import service
from app.warnings.schemas import WarningQuery

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = (
    ("序号", "No."),
    ("预警编号", "Station ref"),
    ("户号", "Household"),
    ("地址", "Address"),
    ("姓名", "Name"),
    ("电话", "Phone"),
    ("风险等级", "Risk"),
    ("诈骗类型", "Fraud type"),
    ("下发时间", "Received"),
    ("期限", "Due"),
    ("状态", "Status"),
    ("升级", "Escalation"),
    ("见面时间", "Reached at"),
    ("是否按时", "In time"),
    ("用时（分钟）", "Minutes"),
    ("尝试次数", "Attempts"),
    ("尝试记录", "Attempt log"),
    ("已劝阻", "Dissuaded"),
    ("损失金额（元）", "Money lost"),
    ("关闭原因", "Close reason"),
)
STATUS_ZH = {"open": "待见面 open", "reached": "已见面 reached",
             "unreachable": "联系不上 unreachable", "closed": "已关闭 closed"}  # fmt: skip
METHOD_ZH = {"door": "上门", "phone": "电话"}
OUTCOME_ZH = {"reached": "见到", "not_home": "不在家", "unreachable": "联系不上", "refused": "拒绝"}


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def feedback_sheet(
    session: Session,
    *,
    actor: Actor,
    community: Community,
    start: datetime | None,
    end: datetime | None,
) -> tuple[bytes, str]:
    """The sheet's bytes and file name."""
    actor.require(community.id, PLANNERS, what="Community")
    tz = ZoneInfo(community.timezone)
    every = WarningQuery(limit=100_000)
    rows, _total = repo.list_warnings(
        session, community.id, every, now=utcnow(), only_for_staff=None
    )
    rows = [
        w for w in rows
        if (start is None or w.received_at >= start) and (end is None or w.received_at < end)
    ]  # fmt: skip
    rows.sort(key=lambda w: (w.received_at, w.id))
    reads = service.read_warnings(session, actor=actor, warnings=rows, via="export")
    attempts = repo.attempts_of(session, [w.id for w in rows])
    refs = {w.id: w.source_ref for w in rows}

    def local(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "预警反馈 Feedback"
    sheet.append([f"{community.name} 预警劝阻反馈表 Warning feedback — {local(utcnow())}"])
    sheet.append([zh for zh, _en in HEADERS])
    sheet.append([en for _zh, en in HEADERS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, w in enumerate(reads, start=1):
        tried = attempts.get(w.id, [])
        log = "；".join(
            f"{local(a.occurred_at)} {METHOD_ZH[a.method]}{OUTCOME_ZH[a.outcome]}" for a in tried
        )
        lost = sum((a.money_lost or 0) for a in tried)
        ref = refs.get(w.id) or ""
        sheet.append(
            [
                _safe(v)
                for v in (
                    number,
                    "" if ref.startswith("row:") else ref,
                    w.household_code or "",
                    w.address or "",
                    w.person_name or "",
                    w.phone or "",
                    service.LEVEL_ZH[w.risk_level],
                    w.fraud_type or "",
                    local(w.received_at),
                    local(w.due_at),
                    STATUS_ZH[str(w.status)],
                    w.escalation_level,
                    local(w.reached_at),
                    "" if w.reached_in_time is None else ("是" if w.reached_in_time else "否"),
                    w.minutes_to_reach if w.minutes_to_reach is not None else "",
                    len(tried),
                    log,
                    "是" if any(a.dissuaded for a in tried) else "",
                    float(lost) if lost else "",
                    w.close_reason or "",
                )
            ]
        )
    widths = (6, 14, 12, 24, 10, 14, 8, 16, 17, 17, 14, 6, 17, 8, 10, 8, 40, 8, 12, 20)
    for column, width in zip("ABCDEFGHIJKLMNOPQRST", widths, strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    out = io.BytesIO()
    book.save(out)
    today = utcnow().astimezone(tz).date().isoformat()
    return out.getvalue(), f"warnings-{community.slug or community.id}-{today}.xlsx"
