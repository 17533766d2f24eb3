"""View-models of the documents: frozen dataclasses made from query results, never the ORM.

Templates see only these, so every document can be built and tested without a database, and
a render process receives plain picklable data. The ``build_*`` functions are pure: they take
facts (rows the repository read, the coverage figures) and shape them for print: grouping,
natural ordering, formatting of dates, amounts and percentages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from app.campaigns.catalogue import (
    ANTI_FRAUD_APP_EN,
    ANTI_FRAUD_APP_ZH,
    ANTI_FRAUD_HOTLINE,
    THREE_NOS_EN,
    THREE_NOS_ZH,
    get_fraud_type,
)
from app.coverage.schemas import CoverageRead, LedgerRead, LedgerRow, Ratio
from app.documents.labels import Lang, label_for, labels

STATUSES = ("reached", "refused", "materials_left", "not_home", "unvisited")
CHANNELS = ("door", "event", "walk_in", "phone")
MAX_NOTE = 34
ROWS_PER_PAGE = 36
EN_SPACE = "\u2002"
MAX_SUMMARY = 160
MAX_INCIDENTS = 30
FLYER_SIZES = ("A5", "A4")
MAX_ALSO = 3
"""Topics named in the "also watch out for" line (none in English: the names are long)."""
FLYER_ROOM: dict[tuple[str, str], tuple[int, int]] = {
    ("A5", "zh"): (1, 0),
    ("A5", "en"): (1, 0),
    ("A4", "zh"): (2, 0),
    ("A4", "en"): (1, 1),
}
BUILDING_WORDS = ("幢", "栋")
FLAG_MARKS: dict[str, str] = {
    "elderly_alone": "★",
    "previous_victim": "◆",
    "non_native_speaker": "◎",
    "disabled": "◇",
    "lives_alone": "☆",
    "tenant": "□",
}
"""Flags printed as symbols with a legend: a walk sheet may be left in a stairwell, and
"独居老人" in words beside a door number tells a stranger too much."""
OTHER_FLAG_MARK = "※"


_DIGITS_OR_NOT = re.compile(r"[0-9]+|[^0-9]+")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "2" before "10" and "12A" after "12": ASCII digits compare as numbers.

    Any other character, including the Unicode digits ``int()`` refuses (``3²``, ``½``) or
    reads differently (``١٠٢``), compares as text, so no stored value can break a sort.
    """
    return tuple(
        (0, int(part)) if part[0] in "0123456789" else (1, part.lower())
        for part in _DIGITS_OR_NOT.findall(text)
    )


def clip(text: str | None, limit: int) -> str:
    """One line of at most ``limit`` characters (user text, shown as text)."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def percent(value: float | None) -> str:
    """0.8734 → "87.3%"; nothing eligible → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


def flag_mark(flag: str) -> str:
    """The discreet symbol of a household flag (※ for a flag without its own)."""
    return FLAG_MARKS.get(flag, OTHER_FLAG_MARK)


def flag_legend(flags: Iterable[str], lang: Lang | None = None) -> tuple[tuple[str, str], ...]:
    """(symbol, words) for each distinct flag given, in the legend's order.

    ``lang=None`` prints both languages, Chinese first.
    """
    order = list(FLAG_MARKS)
    seen: dict[str, str] = {}
    for flag in sorted(set(flags), key=lambda f: (order.index(f) if f in order else 99, f)):
        zh, en = labels(f"flag_{flag}")
        words = {"zh": zh, "en": en}[lang] if lang else f"{zh} {en}"
        mark = flag_mark(flag)
        seen[mark] = seen[mark] + "、" + words if mark in seen else words
    return tuple(seen.items())


def building_word(names: Iterable[str | None]) -> str:
    """幢 or 栋: the word the community's own building names use (幢 when they use neither)."""
    counts = dict.fromkeys(BUILDING_WORDS, 0)
    for name in names:
        for word in BUILDING_WORDS:
            if name and word in name:
                counts[word] += 1
    return "栋" if counts["栋"] > counts["幢"] else "幢"


def _names_the_code(code: str, name: str) -> bool:
    """Whether a building's name is just its code with a suffix: "4幢", "4号楼", "4 栋"."""
    if name == code:
        return True
    if not name.startswith(code):
        return False
    nxt = name[len(code)]
    return not (nxt.isascii() and nxt.isalnum())


def building_label(code: str, name: str | None, word: str = "幢", lang: Lang = "zh") -> str:
    """A building named once: "4幢" (never "4 4幢"), "4幢 锦绣楼" when the name says more."""
    name = " ".join((name or "").split())
    if lang == "en":
        extra = "" if not name or _names_the_code(code, name) else f" ({name})"
        return f"Building {code}{extra}"
    if not name or name == code:
        return f"{code}{word}"
    if _names_the_code(code, name):
        return name
    return f"{code}{word} {name}"


def money(value: float) -> str:
    """12345.5 → "12,345.50"."""
    return f"{value:,.2f}"


# --- facts: what the repository reads ------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFact:
    """One household as the documents need it, with its campaign status."""

    id: int
    code: str
    building_id: int
    building_code: str
    building_name: str | None
    unit: str
    floor: int
    room: str
    flags: tuple[str, ...] = ()
    status: str = "unvisited"
    excluded: bool = False
    contacts: int = 0
    last_note: str | None = None
    building_word: str = "幢"

    @property
    def building(self) -> str:
        """The building as printed, named once ("4幢")."""
        return building_label(self.building_code, self.building_name, self.building_word)

    @property
    def building_en(self) -> str:
        """The building in English ("Building 4")."""
        return building_label(self.building_code, self.building_name, lang="en")


@dataclass(frozen=True)
class Person:
    """Someone printed on a document: a grid officer, a visitor."""

    name: str
    phone: str | None = None


@dataclass(frozen=True)
class IncidentFact:
    """One scam report as the report lists it."""

    occurred_at: datetime
    fraud_type: str
    channel: str
    summary: str
    amount_lost: float | None
    amount_prevented: float | None
    status: str


@dataclass(frozen=True)
class RoundFact:
    """One visit round with its households."""

    id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    notes: str | None
    assignees: tuple[Person, ...]
    households: tuple[HouseholdFact, ...]


def household_order(h: HouseholdFact) -> tuple[object, ...]:
    """Building, unit, floor, room: the order every document lists households in."""
    return (natural_key(h.building_code), natural_key(h.unit), h.floor, natural_key(h.room))


def ordered_households(households: Iterable[HouseholdFact]) -> list[HouseholdFact]:
    """Households in building, unit, floor, room order."""
    return sorted(households, key=household_order)


# --- shared pieces --------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """Who and what a document is about, printed at its top and in running headers."""

    community: str
    campaign: str
    period: str
    generated: str
    address: str = ""


@dataclass(frozen=True)
class Fraction:
    """A figure with its numerator and denominator."""

    numerator: int
    denominator: int
    value: float | None

    @property
    def percent(self) -> str:
        """The value as a percentage, "—" when the denominator is zero."""
        return percent(self.value)

    @property
    def width(self) -> float:
        """The value as a 0-100 bar width."""
        return 0.0 if self.value is None else max(0.0, min(100.0, self.value * 100))

    @classmethod
    def of(cls, ratio: Ratio) -> Fraction:
        """reached ÷ eligible from a coverage ratio."""
        return cls(ratio.reached, ratio.eligible, ratio.coverage)


@dataclass(frozen=True)
class Count:
    """A labelled count (a status, a channel, an extra)."""

    key: str
    zh: str
    en: str
    count: int
    share: str = ""


def _count(key: str, count: int, share: str = "") -> Count:
    zh, en = labels(key)
    return Count(key=key, zh=zh, en=en, count=count, share=share)


def _period(starts_on: date, ends_on: date) -> str:
    return f"{starts_on.isoformat()} – {ends_on.isoformat()}"


def _stamp(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M") + f" ({tz.key})"


def make_header(
    *,
    community: str,
    campaign: str,
    starts_on: date,
    ends_on: date,
    generated_at: datetime,
    tz: ZoneInfo,
    address: str | None = None,
) -> Header:
    """The header every campaign document carries."""
    return Header(
        community=community,
        campaign=campaign,
        period=_period(starts_on, ends_on),
        generated=_stamp(generated_at, tz),
        address=address or "",
    )


# --- flyer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """One fraud type of the campaign, in the flyer's language."""

    name: str
    summary: str
    advice: str
    full: bool = True


@dataclass(frozen=True)
class FlyerCopy:
    """One printed flyer: for the building, or for one household (with its code)."""

    household_code: str | None
    qr_payload: str


@dataclass(frozen=True)
class FlyerContact:
    """Someone a resident can call, named: a role, a name (or the centre), a phone."""

    role: str
    name: str
    phone: str | None


@dataclass(frozen=True)
class FlyerContext:
    """Flyers of one campaign for one building (or the whole community)."""

    lang: Lang
    size: str
    community: str
    campaign: str
    building: str | None
    topics: tuple[Topic, ...]
    also: tuple[str, ...]
    three_nos: str
    hotline: str
    app_name: str
    contacts: tuple[FlyerContact, ...]
    address: str | None
    copies: tuple[FlyerCopy, ...]
    blank_personal: bool = False
    """Leave the QR box empty (the flyer under a per-household layer)."""

    @property
    def per_household(self) -> bool:
        """Whether each copy carries a household's code."""
        return any(c.household_code for c in self.copies)

    def t(self, key: str) -> str:
        """A label in the flyer's language."""
        return label_for(key, self.lang)


def flyer_contacts(
    *,
    lang: Lang,
    grid_officer: Person | None,
    service_centre_phone: str | None,
    community_officer: Person | None = None,
) -> tuple[FlyerContact, ...]:
    """Whom the flyer names: the building's grid officer, the service centre's number, and a
    community officer when neither has a number, so that someone is always named."""
    contacts = []
    if grid_officer is not None:
        contacts.append(
            FlyerContact(label_for("grid_officer", lang), grid_officer.name, grid_officer.phone)
        )
    centre = label_for("service_centre", lang)
    if service_centre_phone:
        contacts.append(FlyerContact(centre, "", service_centre_phone))
    if not any(c.phone for c in contacts) and community_officer is not None:
        role = label_for("community_officer", lang)
        contacts.append(FlyerContact(role, community_officer.name, community_officer.phone))
    if not contacts:
        contacts.append(FlyerContact(centre, "", None))
    return tuple(contacts)


def build_flyer(
    *,
    lang: Lang,
    size: str,
    community: str,
    campaign: str,
    campaign_id: int,
    topics: Sequence[str],
    building: str | None,
    contacts: Sequence[FlyerContact],
    address: str | None,
    household_codes: Sequence[str] | None,
    public_base_url: str,
    report_url: str | None = None,
) -> FlyerContext:
    """A flyer, or one per household code (each code printed and inside its QR code).

    With ``report_url`` (the campaign's public report page, ``/r/{token}``) the QR code opens
    that page, for residents; without it, the staff's walk-in page as before.
    """
    every = []
    for code in topics:
        fraud = get_fraud_type(code)
        if fraud is None:
            continue
        if lang == "zh":
            every.append(Topic(fraud.name_zh, fraud.summary_zh, fraud.advice_zh))
        else:
            every.append(Topic(fraud.name_en, fraud.summary_en, fraud.advice_en))
    # What one page holds with the catalogue's longest texts: (topics told in full, topics
    # with their advice only); the rest are named in one line, so a copy is always one page.
    full, advice_only = FLYER_ROOM[(size, lang)]
    chosen = [
        Topic(t.name, t.summary, t.advice, full=i < full)
        for i, t in enumerate(every[: full + advice_only])
    ]
    base = public_base_url.rstrip("/")
    copies: tuple[FlyerCopy, ...]
    if report_url is not None:
        codes: Sequence[str | None] = household_codes or [None]
        copies = tuple(
            FlyerCopy(code, report_url if code is None else f"{report_url}?h={quote(code)}")
            for code in codes
        )
    elif household_codes is None:
        copies = (FlyerCopy(None, f"{base}/walk-in?campaign={campaign_id}"),)
    else:
        copies = tuple(
            FlyerCopy(code, f"{base}/walk-in?campaign={campaign_id}&code={code}")
            for code in household_codes
        )
    return FlyerContext(
        lang=lang,
        size=size,
        community=community,
        campaign=campaign,
        building=building,
        topics=tuple(chosen),
        also=tuple(t.name for t in every[len(chosen) :][: MAX_ALSO if lang == "zh" else 0]),
        three_nos=THREE_NOS_ZH if lang == "zh" else THREE_NOS_EN,
        hotline=ANTI_FRAUD_HOTLINE,
        app_name=ANTI_FRAUD_APP_ZH if lang == "zh" else ANTI_FRAUD_APP_EN,
        contacts=tuple(contacts),
        address=address,
        copies=copies,
    )


# --- walk sheets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    """One household line of a walk sheet."""

    floor: str
    code: str
    mark: str
    status: str
    status_en: str
    flags: str
    note: str
    new_floor: bool

    @property
    def status_line(self) -> str:
        """Mark and status joined by en spaces: one justified unit on the printed line."""
        return EN_SPACE.join(part for part in (self.mark, self.status) if part)


@dataclass(frozen=True)
class SheetBlock:
    """One unit (单元) on a page, or the part of a long unit that this page holds."""

    building: str
    building_en: str
    unit: str
    part: int
    parts: int
    households: int
    reached: int
    rows: tuple[SheetRow, ...]

    @property
    def height_mm(self) -> float:
        """How tall the grid of rows is printed."""
        return len(self.rows) * ROW_MM

    @property
    def sparse(self) -> tuple[tuple[str, SheetRow], ...]:
        """The rows that print flags or a note, each with the top of its line (mm below the
        grid's top): those columns are empty on almost every row, and a block of lines would
        lay out every empty line too."""
        return tuple(
            (f"{i * ROW_MM:.2f}", row) for i, row in enumerate(self.rows) if row.flags or row.note
        )


@dataclass(frozen=True)
class SheetPage:
    """One printed page: one or more units of one round (a long unit continues over pages)."""

    number: int
    blocks: tuple[SheetBlock, ...]
    first_of_round: bool
    legend_flags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RoundSheet:
    """One round's walk sheet: its pages."""

    round_id: int
    time: str
    status: str
    assignees: str
    notes: str
    pages: tuple[SheetPage, ...]


@dataclass(frozen=True)
class WalkSheetContext:
    """The walk sheets of one or more rounds, in one document."""

    header: Header
    sheets: tuple[RoundSheet, ...]
    page_per_unit: bool = False
    total_pages: int = 1
    first_page: int = 1
    """The number printed on this document's first page (a chunk of a longer document)."""

    columns: tuple[tuple[float, str, str], ...] = (
        (10, "floor", "Floor"),
        (30, "code", "Code"),
        (24, "status_now", "Status now"),
        (9, "flags", "Priority"),
        (9, "status_reached", ""),
        (9, "status_refused", ""),
        (9, "status_materials_left", ""),
        (9, "status_not_home", ""),
        (9, "status_vacant", ""),
        (9, "tick_flyer", ""),
        (9, "tick_app", ""),
        (9, "tick_pledge", ""),
        (13, "residents_col", "Residents"),
        (30, "notes", "Notes"),
    )


STATUS_MARKS = {
    "reached": "✓",
    "refused": "×",
    "materials_left": "△",
    "not_home": "○",
    "vacant": "空",
    "unvisited": "",
}
ROW_MM = 6.3
PAGE_MM = 243.0
"""The height on an A4 walk sheet for units: the page less margins, the round's line, the
legend and the signature line."""
BLOCK_MM = 14.5
"""A unit's own heading and column header above its rows."""
NOTE_LINE_MM = 4.6
NOTE_LINE_CHARS = 58
MAX_ROUND_NOTES = 2_000


def _line_status(h: HouseholdFact) -> str:
    return "vacant" if h.excluded and h.status != "reached" else h.status


def _paginate(floors: list[list[HouseholdFact]], per_page: int) -> list[list[HouseholdFact]]:
    """Cut a unit's floors into pages, keeping each floor on one page when it fits."""
    pages: list[list[HouseholdFact]] = [[]]
    for floor in floors:
        if pages[-1] and len(pages[-1]) + len(floor) > per_page:
            pages.append([])
        for h in floor:
            if len(pages[-1]) == per_page:
                pages.append([])
            pages[-1].append(h)
    return pages


def _sheet_rows(households: list[HouseholdFact]) -> tuple[SheetRow, ...]:
    rows = []
    previous: int | None = None
    for h in households:
        status = _line_status(h)
        zh, en = labels(f"status_{status}")
        rows.append(
            SheetRow(
                floor=str(h.floor) if h.floor != previous else "",
                code=h.code.replace(" ", EN_SPACE),
                mark=STATUS_MARKS.get(status, ""),
                status=zh,
                status_en=en.replace(" ", EN_SPACE),
                flags="".join(dict.fromkeys(flag_mark(f) for f in h.flags)),
                note=clip(h.last_note, MAX_NOTE),
                new_floor=h.floor != previous and previous is not None,
            )
        )
        previous = h.floor
    return tuple(rows)


def unit_blocks(
    households: Iterable[HouseholdFact], per_page: int
) -> list[list[tuple[SheetBlock, frozenset[str]]]]:
    """Households by building and unit (natural order), floors upward; each unit cut into
    parts of at most ``per_page`` rows (a floor kept whole when it fits). With each block,
    the flags it prints."""
    by_unit: dict[tuple[str, str], list[HouseholdFact]] = defaultdict(list)
    for h in households:
        by_unit[(h.building_code, h.unit)].append(h)
    units = []
    for building, unit in sorted(by_unit, key=lambda k: (natural_key(k[0]), natural_key(k[1]))):
        rows = by_unit[(building, unit)]
        floors: dict[int, list[HouseholdFact]] = defaultdict(list)
        for h in rows:
            floors[h.floor].append(h)
        ordered = [sorted(floors[f], key=lambda h: natural_key(h.room)) for f in sorted(floors)]
        chunks = _paginate(ordered, per_page)
        reached = sum(1 for h in rows if h.status == "reached")
        units.append(
            [
                (
                    SheetBlock(
                        building=rows[0].building,
                        building_en=rows[0].building_en,
                        unit=unit,
                        part=part,
                        parts=len(chunks),
                        households=len(rows),
                        reached=reached,
                        rows=_sheet_rows(chunk),
                    ),
                    frozenset(f for h in chunk for f in h.flags),
                )
                for part, chunk in enumerate(chunks, start=1)
            ]
        )
    return units


def _notes_mm(notes: str) -> float:
    if not notes:
        return 0.0
    lines = sum(1 + len(line) // NOTE_LINE_CHARS for line in notes.splitlines() or [""])
    return lines * NOTE_LINE_MM + 1.5


def pack_pages(
    households: Iterable[HouseholdFact],
    *,
    page_per_unit: bool = False,
    notes: str = "",
    first_number: int = 1,
) -> tuple[SheetPage, ...]:
    """A round's units laid onto A4 pages: as many whole units a page as fit (or one unit a
    page with ``page_per_unit``), a unit longer than a page continued on the next. The round's
    notes, printed whole on its first page, take their room first."""
    per_page = int((PAGE_MM - BLOCK_MM) // ROW_MM)
    pages: list[SheetPage] = []
    blocks: list[SheetBlock] = []
    flags: set[str] = set()
    room = PAGE_MM - _notes_mm(notes)

    def flush() -> None:
        nonlocal blocks, flags, room
        if blocks:
            pages.append(
                SheetPage(
                    number=first_number + len(pages),
                    blocks=tuple(blocks),
                    first_of_round=not pages,
                    legend_flags=flag_legend(flags),
                )
            )
        blocks, flags, room = [], set(), PAGE_MM

    for parts in unit_blocks(households, per_page):
        for block, block_flags in parts:
            need = BLOCK_MM + block.height_mm
            if blocks and (need > room or (page_per_unit and block.part == 1)):
                flush()
            if need > room and not blocks and room < PAGE_MM:
                # the round's notes left too little room for this unit: start it afresh
                pages.append(
                    SheetPage(number=first_number + len(pages), blocks=(), first_of_round=True)
                )
                room = PAGE_MM
            blocks.append(block)
            flags |= block_flags
            room -= need
    flush()
    return tuple(pages)


def build_walk_sheets(
    *,
    header: Header,
    rounds: Sequence[RoundFact],
    tz: ZoneInfo,
    page_per_unit: bool = False,
    first_page: int = 1,
    total_pages: int | None = None,
) -> WalkSheetContext:
    """Walk sheets of the given rounds, in round order, each round starting a page.

    ``first_page`` and ``total_pages`` number the pages of a chunk of a longer document.
    """
    sheets = []
    number = first_page
    for rnd in rounds:
        start, end = rnd.starts_at.astimezone(tz), rnd.ends_at.astimezone(tz)
        same_day = start.date() == end.date()
        time = (
            start.strftime("%Y-%m-%d %H:%M")
            + " – "
            + end.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
        )
        notes = (rnd.notes or "").strip()[:MAX_ROUND_NOTES]
        pages = pack_pages(
            rnd.households, page_per_unit=page_per_unit, notes=notes, first_number=number
        )
        number += max(1, len(pages))
        sheets.append(
            RoundSheet(
                round_id=rnd.id,
                time=time,
                status=rnd.status,
                assignees="、".join(p.name for p in rnd.assignees),
                notes=notes,
                pages=pages,
            )
        )
    count = number - first_page
    return WalkSheetContext(
        header=header,
        sheets=tuple(sheets),
        page_per_unit=page_per_unit,
        total_pages=total_pages or max(1, count),
        first_page=first_page,
    )


def walk_sheet_pages(sheets: Sequence[RoundFact], *, page_per_unit: bool = False) -> int:
    """How many pages the walk sheets of these rounds print (to number chunks)."""
    total = 0
    for rnd in sheets:
        notes = (rnd.notes or "").strip()[:MAX_ROUND_NOTES]
        total += max(1, len(pack_pages(rnd.households, page_per_unit=page_per_unit, notes=notes)))
    return total


# --- coverage report ------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildingLine:
    """One building's figures."""

    code: str
    name: str
    households: int
    excluded: int
    coverage: Fraction
    not_home: int
    unvisited: int


@dataclass(frozen=True)
class DayLine:
    """One local day of the ledger."""

    date: str
    contacts: int
    visited: int
    reached: int
    newly_reached: int
    cumulative: Fraction
    app_installs: int
    pledges_signed: int
    flyers_given: int
    future: bool = False


@dataclass(frozen=True)
class FlagLine:
    """Coverage of households with one flag."""

    zh: str
    en: str
    coverage: Fraction


@dataclass(frozen=True)
class IncidentLine:
    """One scam report, printed as text."""

    date: str
    fraud_type: str
    channel: str
    summary: str
    amount_lost: str
    amount_prevented: str
    status: str


@dataclass(frozen=True)
class Pending:
    """One household not yet reached, with the mark of its status and of its flags."""

    code: str
    status: str
    room: str = ""
    flags: str = ""

    @property
    def printed(self) -> str:
        """The room with its marks, as the appendix prints it under its unit."""
        return f"{self.room or self.code}{STATUS_MARKS.get(self.status, '')}{self.flags}"


@dataclass(frozen=True)
class PendingFloor:
    """The not-yet-reached households of one floor."""

    floor: int
    households: tuple[Pending, ...]


@dataclass(frozen=True)
class PendingUnit:
    """The not-yet-reached households of one unit."""

    unit: str
    count: int
    floors: tuple[PendingFloor, ...]


@dataclass(frozen=True)
class PendingBuilding:
    """The not-yet-reached households of one building."""

    building: str
    count: int
    units: tuple[PendingUnit, ...]
    flagged: int = 0


@dataclass(frozen=True)
class ReportContext:
    """The coverage report of one campaign: every figure is the coverage endpoint's."""

    header: Header
    target: Fraction
    target_percent: str
    coverage: Fraction
    households: int
    excluded: int
    by_status: tuple[Count, ...]
    buildings: tuple[BuildingLine, ...]
    days: tuple[DayLine, ...]
    channels: tuple[Count, ...]
    extras: tuple[Count, ...]
    flagged_any: Fraction
    flagged: tuple[FlagLine, ...]
    revisits: tuple[Count, ...]
    incident_counts: tuple[Count, ...]
    incident_amounts: tuple[tuple[str, str, str], ...]
    incidents: tuple[IncidentLine, ...]
    incidents_not_listed: int
    pending: tuple[PendingBuilding, ...]
    pending_total: int
    marks: tuple[tuple[str, str, str], ...] = field(default=())
    verification: VerificationBlock | None = None
    lang: Lang = "zh"
    ledger_days: tuple[DayLine, ...] = ()
    flag_marks: tuple[tuple[str, str], ...] = ()
    pending_flagged: int = 0

    def t(self, key: str) -> str:
        """A label in the report's language."""
        return label_for(key, self.lang)


def _pending(households: Iterable[HouseholdFact], lang: Lang) -> tuple[PendingBuilding, ...]:
    tree: dict[str, dict[str, dict[int, list[HouseholdFact]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    names: dict[str, str] = {}
    for h in households:
        if h.excluded or h.status == "reached":
            continue
        tree[h.building_code][h.unit][h.floor].append(h)
        names[h.building_code] = h.building if lang == "zh" else h.building_en
    result = []
    for building in sorted(tree, key=natural_key):
        units = []
        flagged = 0
        for unit in sorted(tree[building], key=natural_key):
            floors = []
            for floor in sorted(tree[building][unit]):
                rows = sorted(tree[building][unit][floor], key=lambda h: natural_key(h.room))
                flagged += sum(1 for h in rows if h.flags)
                floors.append(
                    PendingFloor(
                        floor=floor,
                        households=tuple(
                            Pending(
                                h.code,
                                h.status,
                                room=h.room,
                                flags="".join(dict.fromkeys(flag_mark(f) for f in h.flags)),
                            )
                            for h in rows
                        ),
                    )
                )
            units.append(
                PendingUnit(
                    unit=unit, count=sum(len(f.households) for f in floors), floors=tuple(floors)
                )
            )
        result.append(
            PendingBuilding(
                building=names[building],
                count=sum(u.count for u in units),
                units=tuple(units),
                flagged=flagged,
            )
        )
    return tuple(result)


def _campaign_days(
    days: Sequence[DayLine], starts_on: date | None, ends_on: date | None, today: date | None
) -> tuple[DayLine, ...]:
    """Every day of the campaign, days without visits and days to come included (those
    without a cumulative figure), so a chart's time axis is the campaign's."""
    if starts_on is None or ends_on is None or ends_on < starts_on:
        return tuple(days)
    known = {d.date: d for d in days}
    first = min([starts_on.isoformat(), *known])
    last = max([ends_on.isoformat(), *known])
    result = []
    cumulative = Fraction(0, days[0].cumulative.denominator if days else 0, None)
    day = date.fromisoformat(first)
    while day.isoformat() <= last:
        key = day.isoformat()
        if key in known:
            line = known[key]
            cumulative = line.cumulative
        else:
            future = today is not None and day > today
            line = DayLine(
                date=key,
                contacts=0,
                visited=0,
                reached=0,
                newly_reached=0,
                cumulative=cumulative,
                app_installs=0,
                pledges_signed=0,
                flyers_given=0,
                future=future,
            )
        result.append(line)
        day = date.fromordinal(day.toordinal() + 1)
    return tuple(result)


def build_report(
    *,
    header: Header,
    coverage: CoverageRead,
    households: Iterable[HouseholdFact],
    incidents: Sequence[IncidentFact],
    tz: ZoneInfo,
    lang: Lang = "zh",
    starts_on: date | None = None,
    ends_on: date | None = None,
    today: date | None = None,
) -> ReportContext:
    """The coverage report from the coverage endpoint's figures and the households' states.

    ``lang="en"`` prints it in English; the daily chart runs over the campaign's dates.
    """
    households = list(households)
    eligible = coverage.eligible
    by_status = tuple(
        _count(
            f"status_{key}",
            getattr(coverage.by_status, key),
            percent(getattr(coverage.by_status, key) / eligible if eligible else None),
        )
        for key in STATUSES
    )
    word = next((h.building_word for h in households), "幢")
    buildings = tuple(
        BuildingLine(
            code=b.code,
            name=building_label(b.code, b.name, word, lang),
            households=b.households,
            excluded=b.excluded,
            coverage=Fraction.of(b),
            not_home=b.by_status.not_home,
            unvisited=b.by_status.unvisited,
        )
        for b in coverage.by_building
    )
    days = tuple(
        DayLine(
            date=d.date.isoformat(),
            contacts=d.contacts,
            visited=d.visited,
            reached=d.reached,
            newly_reached=d.newly_reached,
            cumulative=Fraction(d.cumulative_reached, eligible, d.cumulative_coverage),
            app_installs=d.app_installs,
            pledges_signed=d.pledges_signed,
            flyers_given=d.flyers_given,
        )
        for d in coverage.by_day
    )
    reached = coverage.reached
    channels = tuple(
        _count(
            f"channel_{key}",
            getattr(coverage.by_channel, key),
            percent(getattr(coverage.by_channel, key) / reached if reached else None),
        )
        for key in CHANNELS
    )
    ex = coverage.extras
    extras = (
        _count("extra_flyer_given", ex.flyers_given),
        _count("extra_app_installed", ex.app_installs),
        _count("extra_pledge_signed", ex.pledges_signed),
        _count("extra_residents_reached", ex.residents_reached),
    )
    flagged = tuple(
        FlagLine(*labels(f"flag_{flag}"), Fraction.of(ratio))
        for flag, ratio in sorted(coverage.flagged.by_flag.items())
    )
    rv = coverage.revisits
    revisits = (
        _count("first_not_home", rv.first_not_home),
        _count("revisited", rv.revisited),
        _count("reached_since", rv.reached_since),
        _count("not_yet_revisited", rv.not_yet_revisited),
        _count("never_visited", coverage.never_visited),
    )
    inc = coverage.incidents
    listed = sorted(incidents, key=lambda i: i.occurred_at, reverse=True)[:MAX_INCIDENTS]
    incident_lines = tuple(
        IncidentLine(
            date=i.occurred_at.astimezone(tz).strftime("%Y-%m-%d"),
            fraud_type=_fraud_name(i.fraud_type),
            channel=clip(i.channel, 40),
            summary=clip(i.summary, MAX_SUMMARY),
            amount_lost=money(i.amount_lost or 0),
            amount_prevented=money(i.amount_prevented or 0),
            status=i.status,
        )
        for i in listed
    )
    pending = _pending(households, lang)
    every_day = _campaign_days(days, starts_on, ends_on, today)
    pending_flags = [
        f for h in households if not h.excluded and h.status != "reached" for f in h.flags
    ]
    return ReportContext(
        header=header,
        target=Fraction(0, 0, coverage.target_coverage),
        target_percent=percent(coverage.target_coverage),
        coverage=Fraction(coverage.reached, coverage.eligible, coverage.coverage),
        households=coverage.households,
        excluded=coverage.excluded,
        by_status=by_status,
        buildings=buildings,
        days=every_day,
        channels=channels,
        extras=extras,
        flagged_any=Fraction.of(coverage.flagged.any),
        flagged=flagged,
        revisits=revisits,
        incident_counts=(
            _count("incidents_total", inc.total),
            _count("dissuaded", inc.dissuaded),
        ),
        incident_amounts=(
            (*labels("amount_lost"), money(inc.amount_lost)),
            (*labels("amount_prevented"), money(inc.amount_prevented)),
        ),
        incidents=incident_lines,
        incidents_not_listed=max(0, len(incidents) - len(listed)),
        pending=pending,
        pending_total=sum(b.count for b in pending),
        marks=tuple(
            (STATUS_MARKS[status], *labels(f"status_{status}"))
            for status in ("not_home", "materials_left", "refused")
        ),
        verification=build_verification(coverage),
        lang=lang,
        ledger_days=tuple(d for d in every_day if not d.future and (d.visited or d.contacts))
        or days,
        flag_marks=flag_legend(pending_flags, lang),
        pending_flagged=sum(b.flagged for b in pending),
    )


# --- the verification sample (抽查回访), printed beside the headline ------------------------


@dataclass(frozen=True)
class RecorderCheck:
    """One recorder's call-backs, and why they are flagged if they are."""

    name: str
    sampled: int
    confirmed: int
    denied: int
    rate: str
    flagged: bool
    why_zh: str = ""
    why_en: str = ""


@dataclass(frozen=True)
class VerificationBlock:
    """Claimed next to verified coverage, with the interval, the sample and one sentence."""

    claimed: Fraction
    low: str
    high: str
    counts: tuple[Count, ...]
    sentence_zh: str
    sentence_en: str
    recorders: tuple[RecorderCheck, ...]


def _p(value: float | None) -> str:
    """``p = 0.0012``, or ``p < 0.0001`` for anything smaller."""
    return "p = —" if value is None else ("p < 0.0001" if value < 0.0001 else f"p = {value:.4f}")


def build_verification(coverage: CoverageRead) -> VerificationBlock:
    """The report's call-back block from the coverage answer's ``verification``."""
    v = coverage.verification
    decided = v.confirmed + v.denied
    low, high = percent(v.verified_coverage.low), percent(v.verified_coverage.high)
    claimed = percent(coverage.coverage)
    if not v.sampled:
        zh = f"尚未抽查回访。抽取约 {v.suggested_size} 户回访，误差可控制在 ±5 个百分点以内。"
        en = f"No call-backs yet: about {v.suggested_size} give a ±5-point interval."
    elif not decided:
        zh, en = f"已抽取 {v.sampled} 户，尚无回访结果。", f"{v.sampled} drawn; none answered yet."
    else:
        rate = percent(v.confirmed_rate)
        zh = (
            f"回访 {decided} 户有结果（共抽取 {v.sampled} 户，{v.unreachable} 户联系不上），"
            f"其中 {rate} 确认有人上门宣传；据此有 95% 的把握，真实覆盖率在 {low} 至 {high}"
            f" 之间，上报为 {claimed}。"
        )
        en = (
            f"Of {decided} households called back with an answer ({v.sampled} drawn,"
            f" {v.unreachable} unreachable), {rate} confirmed the visit: the true coverage is,"
            f" with 95% confidence, between {low} and {high}, against {claimed} claimed."
        )
    recorders = tuple(
        RecorderCheck(
            name=r.recorder_name or "—",
            sampled=r.sampled,
            confirmed=r.confirmed,
            denied=r.denied,
            rate=percent(r.confirmed_rate),
            flagged=r.flagged,
            why_zh=(
                f"{r.denied}/{r.confirmed + r.denied} 否认，其他人员否认率"
                f" {percent(r.expected_denial_rate)}，{_p(r.p_value)}"
                if r.flagged
                else ""
            ),
            why_en=(
                f"{r.denied} of {r.confirmed + r.denied} denied; others"
                f" {percent(r.expected_denial_rate)}; {_p(r.p_value)}"
                if r.flagged
                else ""
            ),
        )
        for r in v.by_recorder
    )
    return VerificationBlock(
        claimed=Fraction(coverage.reached, coverage.eligible, coverage.coverage),
        low=low if decided else "—",
        high=high if decided else "—",
        counts=(
            _count("v_sampled", v.sampled),
            _count("v_confirmed", v.confirmed),
            _count("v_denied", v.denied),
            _count("v_unreachable", v.unreachable),
            _count("v_pending", v.pending),
        ),
        sentence_zh=zh,
        sentence_en=en,
        recorders=recorders,
    )


def _fraud_name(code: str) -> str:
    fraud = get_fraud_type(code)
    return f"{fraud.name_zh} / {fraud.name_en}" if fraud else clip(code, 40)


# --- ledger across communities --------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    """One community over the dates, ranked."""

    rank: int
    community: str
    households: int
    coverage: Fraction
    visited: int
    contacts: int
    app_installs: int
    pledges_signed: int
    flyers_given: int
    residents_reached: int
    incidents: int
    scams_dissuaded: int


@dataclass(frozen=True)
class LedgerDayLine:
    """One local day of the ledger, summed over the communities."""

    date: str
    visited: int
    reached: int
    newly_reached: int
    app_installs: int
    pledges_signed: int
    flyers_given: int
    residents_reached: int


@dataclass(frozen=True)
class LedgerContext:
    """The daily ledger rolled up and ranked across the communities a manager can see."""

    range: str
    generated: str
    lines: tuple[LedgerLine, ...]
    totals: LedgerLine | None
    days: tuple[LedgerDayLine, ...] = ()
    day_totals: LedgerDayLine | None = None
    default_period: bool = False


def _ledger_line(r: LedgerRow) -> LedgerLine:
    return LedgerLine(
        rank=r.rank,
        community=r.community_name,
        households=r.households,
        coverage=Fraction(r.reached, r.eligible, r.coverage),
        visited=r.visited,
        contacts=r.contacts,
        app_installs=r.app_installs,
        pledges_signed=r.pledges_signed,
        flyers_given=r.flyers_given,
        residents_reached=r.residents_reached,
        incidents=r.incidents,
        scams_dissuaded=r.scams_dissuaded,
    )


def build_ledger(
    *, ledger: LedgerRead, generated_at: datetime, tz: ZoneInfo, default_period: bool = False
) -> LedgerContext:
    """The ledger as printed: a row per day of the period summed over the communities, then
    the communities ranked by coverage, each table with its totals line."""
    lines = tuple(_ledger_line(r) for r in ledger.items)
    totals = None
    if lines:
        rows = ledger.items
        totals = LedgerLine(
            rank=0,
            community=label_for("total") + " Total",
            households=sum(r.households for r in rows),
            coverage=Fraction.of(ledger.overall),
            visited=sum(r.visited for r in rows),
            contacts=sum(r.contacts for r in rows),
            app_installs=sum(r.app_installs for r in rows),
            pledges_signed=sum(r.pledges_signed for r in rows),
            flyers_given=sum(r.flyers_given for r in rows),
            residents_reached=sum(r.residents_reached for r in rows),
            incidents=sum(r.incidents for r in rows),
            scams_dissuaded=sum(r.scams_dissuaded for r in rows),
        )
    fields = (
        "visited",
        "reached",
        "newly_reached",
        "app_installs",
        "pledges_signed",
        "flyers_given",
        "residents_reached",
    )
    sums: dict[date, dict[str, int]] = {}
    for row in ledger.items:
        for d in row.days:
            counts = sums.setdefault(d.date, dict.fromkeys(fields, 0))
            for key in fields:
                counts[key] += getattr(d, key)
    days = []
    day = ledger.date_from
    while day <= ledger.date_to:
        days.append(LedgerDayLine(date=day.isoformat(), **sums.get(day, dict.fromkeys(fields, 0))))
        day = date.fromordinal(day.toordinal() + 1)
    day_totals = LedgerDayLine(
        date=label_for("total") + " Total",
        **{key: sum(getattr(d, key) for d in days) for key in fields},
    )
    return LedgerContext(
        range=_period(ledger.date_from, ledger.date_to),
        generated=_stamp(generated_at, tz),
        lines=lines,
        totals=totals,
        days=tuple(days),
        day_totals=day_totals if days else None,
        default_period=default_period,
    )
