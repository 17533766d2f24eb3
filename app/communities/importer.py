"""Household roster import from CSV or XLSX, as property offices keep them in Excel.

Takes the roster as it is: a title row above the header, Chinese or English headers, values
such as ``3幢`` / ``2单元`` / ``15层``, occupancy written as 自住 / 出租 / 空置, a free-text note
that may say 独居老人, and CSV files in UTF-8 (with or without BOM) or GB18030. Rows are
numbered as the spreadsheet shows them. Owners' names and phone numbers are dropped unless the
community has recorded consent and the row says the resident agreed.

Re-importing the same file changes nothing; a file with any rejected row imports nothing
unless ``partial`` is set. Existing households are read in one query and new ones inserted in
bulk, so a 20,000-household roster imports in seconds.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import DEFUSEDXML, load_workbook
from sqlalchemy.orm import Session

from app.auth.permissions import PLANNERS, Actor
from app.communities import repository as repo
from app.communities import service as communities
from app.communities.models import Community
from app.communities.schemas import (
    ChangeValue,
    ImportChange,
    ImportNew,
    ImportRejection,
    ImportResult,
)
from app.enums import Occupancy
from app.errors import Invalid
from app.handoff import HandedIn
from app.schemas import control_character

MAX_BYTES = 8 * 1024 * 1024
MAX_ROWS = 100_000
HEADER_SCAN_ROWS = 10
MIN_FLOOR, MAX_FLOOR = -5, 200

COLUMNS: dict[str, tuple[str, ...]] = {
    "building": ("building", "楼栋", "楼号", "幢", "栋", "楼幢", "幢号", "栋号", "楼栋号"),
    "unit": ("unit", "单元", "单元号"),
    "floor": ("floor", "楼层", "层", "层数", "所在楼层"),
    "room": ("room", "房号", "室", "房间号", "门牌号", "房间"),
    "code": ("code", "编号", "户号", "户编号", "householdcode"),
    "occupancy": ("occupancy", "居住状态", "入住状态", "状态", "居住情况"),
    "flags": ("flags", "标记", "标签"),
    "note": ("note", "notes", "备注", "说明"),
    "name": ("name", "owner", "业主姓名", "业主", "姓名", "户主", "户主姓名"),
    "phone": ("phone", "联系电话", "电话", "手机", "手机号", "联系方式"),
    "consent": ("consent", "同意", "授权", "同意留存"),
}
_HEADER_LOOKUP = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
OCCUPANCY = {
    "occupied": Occupancy.occupied,
    "自住": Occupancy.occupied,
    "出租": Occupancy.occupied,
    "已入住": Occupancy.occupied,
    "入住": Occupancy.occupied,
    "租住": Occupancy.occupied,
    "vacant": Occupancy.vacant,
    "空置": Occupancy.vacant,
    "空房": Occupancy.vacant,
    "闲置": Occupancy.vacant,
    "unknown": Occupancy.unknown,
    "未知": Occupancy.unknown,
    "": Occupancy.unknown,
}
NOTE_FLAGS = (
    (("独居老人", "独居", "空巢老人"), "elderly_alone"),
    (("被骗", "受骗", "曾被骗"), "previous_victim"),
    (("外籍", "不会普通话", "听不懂普通话"), "non_native_speaker"),
)
YES = {"是", "同意", "yes", "y", "true", "1", "已同意"}
_FLAG = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_LABEL = re.compile(r"^[^\s/\\-]{1,16}$")


def _norm_header(value: Any) -> str:
    return re.sub(r"[\s_:：*（）()]", "", str(value or "")).lower()


def _text(value: Any) -> str:
    """A cell as text: Excel's 3.0 becomes "3"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _strip_suffix(value: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if value.endswith(suffix) and len(value) > len(suffix):
            return value[: -len(suffix)].strip()
    return value


@dataclass
class ParsedRow:
    """One roster row, normalised; ``None`` where the file's cell is empty."""

    row: int
    building: str
    unit: str
    room: str
    code: str
    floor: int | None
    floor_from_room: int | None
    occupancy: Occupancy | None
    flags: set[str] = field(default_factory=set)
    contact_name: str | None = None
    contact_phone: str | None = None


@dataclass
class Roster:
    """A parsed file: its good rows, its rejected rows, and whether it carries flags at all."""

    rows: list[ParsedRow]
    rejected: list[ImportRejection]
    has_flags: bool


Rows = Iterator[tuple[int, list[Any]]]
MB = 1024 * 1024
# A hostile workbook is read only within these bounds (a roster of 20,000 households unpacks to
# about 8 MB): its unpacked size, the members it holds, the columns and rows read, the time.
MAX_UNZIPPED = 40 * MB
MAX_ZIP_MEMBERS = 200
MAX_COLUMNS = 64
MAX_SHEET_ROWS = 150_000
MAX_PARSE_SECONDS = 20.0
# What reading a damaged or hostile workbook can raise, from zipfile, zlib, the XML parser
# (defusedxml's refusals are ValueErrors, a malformed part a SyntaxError) and openpyxl itself.
_UNREADABLE_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    AttributeError,
    TypeError,
    ValueError,
    SyntaxError,
)
if not DEFUSEDXML:  # openpyxl parses with defusedxml only when it is installed
    raise ImportError("defusedxml is required: XLSX rosters are parsed with it (entity attacks)")


def _check_archive(data: bytes) -> None:
    """Refuse a workbook whose zip would unpack beyond the bounds, before anything unpacks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError) as exc:
        raise Invalid("The file looks like an XLSX workbook but cannot be read") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise Invalid(f"The workbook holds more than {MAX_ZIP_MEMBERS} parts; 工作簿内容过多")
    # ZipExtFile stops at each member's declared size, so the declared sizes bound the work.
    if sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise Invalid(
            f"The workbook unpacks to more than {MAX_UNZIPPED // MB} MB; 解压后超过 "
            f"{MAX_UNZIPPED // MB} MB，请另存为 CSV 或拆分"
        )


def _xlsx_rows(data: bytes) -> Rows:
    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE_XLSX as exc:
        raise Invalid("The file looks like an XLSX workbook but cannot be read") from exc
    try:
        sheet = workbook.worksheets[0]
        # The file's own <dimension> may lie either way (A1:XFD60000 around one cell a row, or
        # A1 around a full roster): read what is there, never wider than MAX_COLUMNS.
        sheet.reset_dimensions()
        cells = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        for number, row in enumerate(cells, start=1):
            yield number, list(row)
    except _UNREADABLE_XLSX as exc:
        raise Invalid(f"The workbook cannot be read: {type(exc).__name__}") from exc
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Rows:
    if b"\x00" in data[:4096]:
        raise Invalid("The file is neither CSV nor XLSX (binary content)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Invalid("The CSV is neither UTF-8 nor GB18030")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="": a lone carriage return (old Mac line ends) ends a row, as csv expects.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, row[:MAX_COLUMNS]
    except csv.Error as exc:
        # A field over 128 KiB, a quote left open, a NUL, …
        line = number + 1
        raise Invalid(
            f"第{line}行附近无法按 CSV 读取 row {line}: the CSV cannot be read ({exc})"
        ) from exc


def _rows_from_bytes(data: bytes) -> Rows:
    """(spreadsheet row number, cells) of the first sheet or of the CSV, within the bounds."""
    rows = _xlsx_rows(data) if data[:4] == b"PK\x03\x04" else _csv_rows(data)
    # CPU time of this thread, not wall time: a busy machine does not refuse a good file, and
    # other requests' work does not count against this one.
    deadline = time.thread_time() + MAX_PARSE_SECONDS
    for number, cells in rows:
        if number > MAX_SHEET_ROWS:
            raise Invalid(f"The file has more than {MAX_SHEET_ROWS} rows; split it")
        if time.thread_time() > deadline:
            raise Invalid(
                f"The file took more than {MAX_PARSE_SECONDS:.0f} s of CPU to read; split it "
                f"or save it as CSV 文件读取超时，请拆分或另存为 CSV"
            )
        yield number, cells


def _find_header(rows: Rows) -> tuple[dict[str, int], int]:
    for number, cells in rows:
        mapping: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = _HEADER_LOOKUP.get(_norm_header(cell))
            if key is not None and key not in mapping:
                mapping[key] = index
        if {"building", "unit", "room"} <= set(mapping):
            return mapping, number
        if number >= HEADER_SCAN_ROWS:
            break
    raise Invalid(
        "No header row found: the file needs columns building, unit, floor, room "
        "(楼栋、单元、楼层、房号) in its first rows"
    )


def _parse(number: int, cells: list[Any], cols: dict[str, int]) -> ParsedRow | str:
    """A normalised row, or the reason it is rejected."""

    def cell(key: str) -> str:
        index = cols.get(key)
        return _text(cells[index]) if index is not None and index < len(cells) else ""

    for key in cols:
        found = control_character(cell(key))
        if found is not None:
            return f"{key} 列含有控制字符 contains a control character ({found})"
    building = _strip_suffix(cell("building"), ("号楼", "幢", "栋", "楼", "#", "号"))
    unit = _strip_suffix(cell("unit"), ("单元",))
    room = _strip_suffix(cell("room"), ("室", "号"))
    missing = [
        zh
        for key, zh in (("building", "楼栋 building"), ("unit", "单元 unit"), ("room", "房号 room"))
        if not {"building": building, "unit": unit, "room": room}[key]
    ]
    if missing:
        return f"缺少 missing: {', '.join(missing)}"
    for label, value in (("楼栋 building", building), ("单元 unit", unit), ("房号 room", room)):
        if not _LABEL.match(value):
            return f"{label} {value!r} 格式不对 is not a valid label"
    floor_text = _strip_suffix(cell("floor"), ("层", "楼", "f", "F"))
    floor: int | None = None
    if floor_text:
        try:
            floor = int(float(floor_text))
        except (ValueError, OverflowError):
            return f"楼层 floor {floor_text!r} 不是整数 is not a whole number"
        if not MIN_FLOOR <= floor <= MAX_FLOOR:
            return f"楼层 floor {floor} 超出范围 is out of range"
    floor_from_room = None
    if room.isascii() and room.isdigit() and len(room) >= 3:
        guess = int(room[:-2])
        floor_from_room = guess if MIN_FLOOR <= guess <= MAX_FLOOR else None
    occupancy_text = cell("occupancy").lower()
    occupancy = OCCUPANCY.get(occupancy_text) if occupancy_text else None
    if occupancy_text and occupancy is None:
        return f"居住状态 occupancy {occupancy_text!r} 无法识别 is not known"
    flags: set[str] = set()
    for token in re.split(r"[,，;；、\s]+", cell("flags")):
        if token:
            if not _FLAG.match(token):
                return f"标记 flag {token!r} 格式不对 is not valid"
            flags.add(token)
    note = cell("note")
    for words, flag in NOTE_FLAGS:
        if any(w in note for w in words):
            flags.add(flag)
    code = cell("code") or communities.default_household_code(building, unit, room)
    if len(code) > 64 or re.search(r"[\s/\\]", code):
        return f"编号 code {code!r} 格式不对 is not valid"
    parsed = ParsedRow(
        row=number,
        building=building,
        unit=unit,
        room=room,
        code=code,
        floor=floor,
        floor_from_room=floor_from_room,
        occupancy=occupancy,
        flags=flags,
    )
    if cell("consent").lower() in YES:
        parsed.contact_name = cell("name")[:100] or None
        parsed.contact_phone = cell("phone")[:40] or None
    return parsed


def _rejection(number: int, reason: str) -> ImportRejection:
    return ImportRejection(row=number, reason=f"第{number}行：{reason}")


def parse_roster(data: bytes) -> Roster:
    """Every row of the file, parsed or rejected with its row number and reason."""
    if not data.strip():
        raise Invalid("The file is empty")
    if len(data) > MAX_BYTES:
        raise Invalid(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    rows = _rows_from_bytes(data)
    cols, _ = _find_header(rows)
    parsed: list[ParsedRow] = []
    rejected: list[ImportRejection] = []
    seen: dict[str, int] = {}
    count = 0
    for number, cells in rows:
        if not any(_text(c) for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise Invalid(f"The file has more than {MAX_ROWS} rows; split it")
        result = _parse(number, cells, cols)
        if isinstance(result, str):
            rejected.append(_rejection(number, result))
        elif result.code in seen:
            rejected.append(
                _rejection(
                    number,
                    f"与第{seen[result.code]}行重复 "
                    f"duplicate of row {seen[result.code]} ({result.code})",
                )
            )
        else:
            seen[result.code] = number
            parsed.append(result)
    return Roster(rows=parsed, rejected=rejected, has_flags="flags" in cols or "note" in cols)


# --- the merge: what the file changes in what is stored ------------------------------------

ReachedLookup = Callable[[Session, int], dict[int, list[str]]]
"""(session, community id) → household id → the names of the campaigns counting it reached."""

reached_lookup: HandedIn[ReachedLookup] = HandedIn(
    "reached-household lookup", provider="app.contacts.repository"
)
"""Contacts and campaigns sit above the registry in the layers, so ``app.contacts.repository``
provides this query when it is imported (the app, the worker and ``doorstep import`` all import
it). Without it an import refuses to run: a reached household must never turn vacant
unconfirmed."""


@dataclass(frozen=True)
class MergeRules:
    """How an import treats what the office already recorded (DESIGN §7)."""

    replace_flags: bool = False
    """The file's flags replace a household's flags (default: they are added)."""
    confirm_vacant: bool = False
    """Turn households that a campaign counts as reached vacant when the file says so."""
    keep_contacts: bool = False
    """The community has recorded consent: keep names and phones the file's rows agree to."""


@dataclass(frozen=True)
class Stored:
    """What the community holds, read in a few queries before the merge."""

    buildings: dict[str, int]
    households: dict[str, repo.HouseholdFields]
    flags: dict[int, set[str]]
    reached: dict[int, list[str]]


@dataclass
class Plan:
    """What an import does: computed without touching the database, then written at once."""

    new_buildings: list[str] = field(default_factory=list)
    inserts: list[ParsedRow] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    flag_sets: dict[int, set[str]] = field(default_factory=dict)
    changes: list[ImportChange] = field(default_factory=list)
    needs_confirmation: list[ImportChange] = field(default_factory=list)
    rejected: list[ImportRejection] = field(default_factory=list)
    unchanged: int = 0

    def result(self, *, dry_run: bool) -> ImportResult:
        """The answer: counts, rejected rows and every changed field."""
        return ImportResult(
            created=len(self.inserts),
            updated=len(self.updates),
            unchanged=self.unchanged,
            rejected=sorted(self.rejected, key=lambda r: r.row),
            changes=self.changes,
            created_households=[ImportNew(row=r.row, code=r.code) for r in self.inserts],
            needs_confirmation=self.needs_confirmation,
            dry_run=dry_run,
        )


def _field_changes(
    r: ParsedRow, old: repo.HouseholdFields, old_building: str | None, rules: MergeRules
) -> list[ImportChange]:
    """The fields the row changes; an empty cell (``None``) changes nothing."""
    pairs: list[tuple[str, ChangeValue, ChangeValue]] = [
        ("building", old_building, r.building),
        ("unit", old.unit, r.unit),
        ("floor", old.floor, r.floor),
        ("room", old.room, r.room),
        ("occupancy", old.occupancy.value, r.occupancy.value if r.occupancy else None),
    ]
    if rules.keep_contacts:
        pairs += [
            ("contact_name", old.contact_name, r.contact_name),
            ("contact_phone", old.contact_phone, r.contact_phone),
        ]
    return [
        ImportChange(row=r.row, code=r.code, field=name, old=before, new=after)
        for name, before, after in pairs
        if after is not None and before != after
    ]


def plan_import(roster: Roster, stored: Stored, rules: MergeRules) -> Plan:
    """Merge the file into what is stored, by the rules; touches no database.

    An empty cell changes nothing; flags are added unless ``replace_flags``; a household a
    campaign counts as reached is turned vacant only with ``confirm_vacant``.
    """
    plan = Plan(rejected=list(roster.rejected))
    plan.new_buildings = sorted({r.building for r in roster.rows} - set(stored.buildings))
    building_codes = {building_id: code for code, building_id in stored.buildings.items()}
    for r in roster.rows:
        old = stored.households.get(r.code)
        if old is None:
            if r.floor is None and r.floor_from_room is None:
                plan.rejected.append(_rejection(r.row, "缺少楼层 missing floor"))
                continue
            plan.inserts.append(r)
            continue
        changes = _field_changes(r, old, building_codes.get(old.building_id), rules)
        old_flags = stored.flags.get(old.id, set())
        if rules.replace_flags and roster.has_flags:
            new_flags = set(r.flags)
        else:
            new_flags = old_flags | r.flags
        if new_flags != old_flags:
            changes.append(
                ImportChange(
                    row=r.row,
                    code=r.code,
                    field="flags",
                    old=sorted(old_flags),
                    new=sorted(new_flags),
                )
            )
        vacating = [c for c in changes if c.field == "occupancy" and c.new == Occupancy.vacant]
        campaigns = stored.reached.get(old.id)
        if vacating and campaigns and not rules.confirm_vacant:
            names = "、".join(f"「{name}」" for name in campaigns)
            plan.rejected.append(
                _rejection(
                    r.row,
                    f"{r.code} 在活动{names}中已计为已宣传，改为空置需确认 is counted as "
                    f"reached in a campaign; send confirm_vacant=true to set it vacant",
                )
            )
            plan.needs_confirmation.extend(vacating)
            continue
        if not changes:
            plan.unchanged += 1
            continue
        plan.changes.extend(changes)
        new = {c.field: c.new for c in changes}
        values: dict[str, Any] = {
            "id": old.id,
            "building_id": old.building_id,
            "unit": new.get("unit", old.unit),
            "floor": new.get("floor", old.floor),
            "room": new.get("room", old.room),
            "occupancy": Occupancy(str(new.get("occupancy", old.occupancy))),
            "contact_name": new.get("contact_name", old.contact_name),
            "contact_phone": new.get("contact_phone", old.contact_phone),
        }
        if "building" in new:
            values["building_id"] = stored.buildings.get(r.building)
            values["building"] = r.building  # resolved once new buildings have ids
        if "contact_name" in new or "contact_phone" in new:
            values["contact_consent"] = True
        plan.updates.append(values)
        if new_flags != old_flags:
            plan.flag_sets[old.id] = new_flags
    return plan


def _read_stored(session: Session, community_id: int) -> Stored:
    return Stored(
        buildings=repo.building_ids_by_code(session, community_id),
        households=repo.household_fields(session, community_id),
        flags=repo.flags_in_community(session, community_id),
        reached=reached_lookup.get()(session, community_id),
    )


def _write(session: Session, community_id: int, plan: Plan, rules: MergeRules) -> None:
    """Store the plan: a handful of bulk statements."""
    repo.insert_buildings(session, community_id, plan.new_buildings)
    buildings = (
        repo.building_ids_by_code(session, community_id) if plan.new_buildings else dict[str, int]()
    )
    if plan.inserts:
        buildings = buildings or repo.building_ids_by_code(session, community_id)
        rows = []
        for r in plan.inserts:
            values: dict[str, Any] = {
                "community_id": community_id,
                "code": r.code,
                "building_id": buildings[r.building],
                "unit": r.unit,
                "floor": r.floor if r.floor is not None else r.floor_from_room,
                "room": r.room,
                "occupancy": r.occupancy or Occupancy.unknown,
            }
            if rules.keep_contacts and (r.contact_name or r.contact_phone):
                values |= {
                    "contact_name": r.contact_name,
                    "contact_phone": r.contact_phone,
                    "contact_consent": True,
                }
            rows.append(values)
        repo.insert_households(session, rows)
        ids = {code: h.id for code, h in repo.household_fields(session, community_id).items()}
        for r in plan.inserts:
            if r.flags:
                plan.flag_sets[ids[r.code]] = r.flags
    if plan.updates:
        for values in plan.updates:
            if "building" in values:
                values["building_id"] = buildings[values.pop("building")]
            values.setdefault("contact_consent", None)
        # One shape per statement: rows that set consent and rows that leave it alone.
        with_consent = [v for v in plan.updates if v["contact_consent"] is not None]
        without = [
            {k: v for k, v in values.items() if k != "contact_consent"}
            for values in plan.updates
            if values["contact_consent"] is None
        ]
        repo.update_households(session, with_consent)
        repo.update_households(session, without)
    if plan.flag_sets:
        repo.replace_flag_sets(session, plan.flag_sets)


def import_households(
    session: Session,
    *,
    actor: Actor,
    community: Community,
    data: bytes,
    filename: str | None,
    partial: bool,
    dry_run: bool = False,
    replace_flags: bool = False,
    confirm_vacant: bool = False,
) -> ImportResult:
    """Import a roster into a community: all or nothing unless ``partial``.

    The file is parsed before the write transaction begins (on SQLite, the write lock is held
    only for reading the community's households and writing the changes); with ``dry_run``
    the answer is the same and nothing is stored.
    """
    actor.require(community.id, PLANNERS, what="Community")
    rules = MergeRules(
        replace_flags=replace_flags,
        confirm_vacant=confirm_vacant,
        keep_contacts=community.contact_consent_recorded,
    )
    # End the transaction that loaded the actor and the community: parsing may take seconds
    # and must not hold SQLite's write lock (loaded objects stay usable: no expiry on commit).
    session.commit()
    roster = parse_roster(data)

    plan = plan_import(roster, _read_stored(session, community.id), rules)
    if plan.rejected and not partial:
        session.rollback()
        nothing = ImportResult(
            created=0,
            updated=0,
            unchanged=0,
            rejected=plan.result(dry_run=dry_run).rejected,
            needs_confirmation=plan.needs_confirmation,
            dry_run=dry_run,
        )
        raise Invalid(
            f"{len(plan.rejected)} row(s) rejected; nothing was imported (send ?partial=true "
            f"to import the good rows)",
            errors=[r.model_dump() for r in nothing.rejected],
            extra={
                "result": nothing.model_dump(),
                "preview": plan.result(dry_run=True).model_dump(),
            },
        )
    if dry_run:
        session.rollback()
        return plan.result(dry_run=True)
    _write(session, community.id, plan, rules)
    session.commit()
    return plan.result(dry_run=False)
