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
FLYER_ROOM: dict[tuple[str, str], tuple[int, int]] = {
    ("A5", "zh"): (1, 0),
    ("A5", "en"): (0, 1),
    ("A4", "zh"): (2, 0),
    ("A4", "en"): (1, 0),
}


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
    grid_officer: Person | None
    service_centre_phone: str | None
    address: str | None
    copies: tuple[FlyerCopy, ...]

    def t(self, key: str) -> str:
        """A label in the flyer's language."""
        return label_for(key, self.lang)


def build_flyer(
    *,
    lang: Lang,
    size: str,
    community: str,
    campaign: str,
    campaign_id: int,
    topics: Sequence[str],
    building_code: str | None,
    building_name: str | None,
    grid_officer: Person | None,
    service_centre_phone: str | None,
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
    building = None
    if building_code is not None:
        building = building_code + (f" {building_name}" if building_name else "")
    return FlyerContext(
        lang=lang,
        size=size,
        community=community,
        campaign=campaign,
        building=building,
        topics=tuple(chosen),
        also=tuple(t.name for t in every[len(chosen) :][:MAX_ALSO]),
        three_nos=THREE_NOS_ZH if lang == "zh" else THREE_NOS_EN,
        hotline=ANTI_FRAUD_HOTLINE,
        app_name=ANTI_FRAUD_APP_ZH if lang == "zh" else ANTI_FRAUD_APP_EN,
        grid_officer=grid_officer,
        service_centre_phone=service_centre_phone,
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
    note: str
    new_floor: bool

    @property
    def status_line(self) -> str:
        """Mark and status joined by en spaces: one justified unit on the printed line."""
        return EN_SPACE.join(part for part in (self.mark, self.status) if part)


@dataclass(frozen=True)
class SheetPage:
    """One printed page of one unit (单元): a unit too long for a page continues on the next."""

    building: str
    unit: str
    part: int
    parts: int
    households: int
    reached: int
    rows: tuple[SheetRow, ...]


@dataclass(frozen=True)
class RoundSheet:
    """One round's walk sheet: a page (or more) per unit."""

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
    rows_per_page: int = ROWS_PER_PAGE

    @property
    def total_pages(self) -> int:
        """Pages of the whole document (a round without households still prints one)."""
        return sum(max(1, len(sheet.pages)) for sheet in self.sheets) or 1

    columns: tuple[tuple[float, str, str], ...] = (
        (11, "floor", "Floor"),
        (34, "code", "Code"),
        (30, "status_now", "Status now"),
        (9.5, "status_reached", ""),
        (9.5, "status_refused", ""),
        (9.5, "status_materials_left", ""),
        (9.5, "status_not_home", ""),
        (9.5, "status_vacant", ""),
        (9.5, "tick_flyer", ""),
        (9.5, "tick_app", ""),
        (9.5, "tick_pledge", ""),
        (36.6, "notes", "Notes"),
    )


STATUS_MARKS = {
    "reached": "✓",
    "refused": "×",
    "materials_left": "△",
    "not_home": "○",
    "vacant": "空",
    "unvisited": "",
}


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
        flags = "".join(f"【{label_for(f'flag_{f}')}】" for f in h.flags)
        rows.append(
            SheetRow(
                floor=str(h.floor) if h.floor != previous else "",
                code=h.code.replace(" ", EN_SPACE),
                mark=STATUS_MARKS.get(status, ""),
                status=zh,
                status_en=en.replace(" ", EN_SPACE),
                note=clip(flags + (h.last_note or ""), MAX_NOTE),
                new_floor=h.floor != previous and previous is not None,
            )
        )
        previous = h.floor
    return tuple(rows)


def group_units(
    households: Iterable[HouseholdFact], per_page: int = ROWS_PER_PAGE
) -> tuple[SheetPage, ...]:
    """Households by building and unit (natural order), floors upward, a page per unit."""
    by_unit: dict[tuple[str, str], list[HouseholdFact]] = defaultdict(list)
    names: dict[str, str | None] = {}
    for h in households:
        by_unit[(h.building_code, h.unit)].append(h)
        names[h.building_code] = h.building_name
    pages = []
    for building, unit in sorted(by_unit, key=lambda k: (natural_key(k[0]), natural_key(k[1]))):
        rows = by_unit[(building, unit)]
        floors: dict[int, list[HouseholdFact]] = defaultdict(list)
        for h in rows:
            floors[h.floor].append(h)
        ordered = [sorted(floors[f], key=lambda h: natural_key(h.room)) for f in sorted(floors)]
        chunks = _paginate(ordered, per_page)
        name = names.get(building)
        label = building + (f" {name}" if name else "")
        reached = sum(1 for h in rows if h.status == "reached")
        for part, chunk in enumerate(chunks, start=1):
            pages.append(
                SheetPage(
                    building=label,
                    unit=unit,
                    part=part,
                    parts=len(chunks),
                    households=len(rows),
                    reached=reached,
                    rows=_sheet_rows(chunk),
                )
            )
    return tuple(pages)


def build_walk_sheets(
    *, header: Header, rounds: Sequence[RoundFact], tz: ZoneInfo
) -> WalkSheetContext:
    """Walk sheets of the given rounds, in round order."""
    sheets = []
    for rnd in rounds:
        start, end = rnd.starts_at.astimezone(tz), rnd.ends_at.astimezone(tz)
        same_day = start.date() == end.date()
        time = (
            start.strftime("%Y-%m-%d %H:%M")
            + " – "
            + end.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
        )
        sheets.append(
            RoundSheet(
                round_id=rnd.id,
                time=time,
                status=rnd.status,
                assignees="、".join(p.name for p in rnd.assignees),
                notes=clip(rnd.notes, 120),
                pages=group_units(rnd.households),
            )
        )
    return WalkSheetContext(header=header, sheets=tuple(sheets))


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
    """One household not yet reached, with the mark of its status."""

    code: str
    status: str


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


def _pending(households: Iterable[HouseholdFact]) -> tuple[PendingBuilding, ...]:
    tree: dict[str, dict[str, dict[int, list[HouseholdFact]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    names: dict[str, str | None] = {}
    for h in households:
        if h.excluded or h.status == "reached":
            continue
        tree[h.building_code][h.unit][h.floor].append(h)
        names[h.building_code] = h.building_name
    result = []
    for building in sorted(tree, key=natural_key):
        units = []
        for unit in sorted(tree[building], key=natural_key):
            floors = tuple(
                PendingFloor(
                    floor=floor,
                    households=tuple(
                        Pending(h.code, h.status)
                        for h in sorted(
                            tree[building][unit][floor], key=lambda h: natural_key(h.room)
                        )
                    ),
                )
                for floor in sorted(tree[building][unit])
            )
            units.append(
                PendingUnit(unit=unit, count=sum(len(f.households) for f in floors), floors=floors)
            )
        name = names.get(building)
        result.append(
            PendingBuilding(
                building=building + (f" {name}" if name else ""),
                count=sum(u.count for u in units),
                units=tuple(units),
            )
        )
    return tuple(result)


def build_report(
    *,
    header: Header,
    coverage: CoverageRead,
    households: Iterable[HouseholdFact],
    incidents: Sequence[IncidentFact],
    tz: ZoneInfo,
) -> ReportContext:
    """The coverage report from the coverage endpoint's figures and the households' states."""
    eligible = coverage.eligible
    by_status = tuple(
        _count(
            f"status_{key}",
            getattr(coverage.by_status, key),
            percent(getattr(coverage.by_status, key) / eligible if eligible else None),
        )
        for key in STATUSES
    )
    buildings = tuple(
        BuildingLine(
            code=b.code,
            name=b.name or "",
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
    pending = _pending(households)
    return ReportContext(
        header=header,
        target=Fraction(0, 0, coverage.target_coverage),
        target_percent=percent(coverage.target_coverage),
        coverage=Fraction(coverage.reached, coverage.eligible, coverage.coverage),
        households=coverage.households,
        excluded=coverage.excluded,
        by_status=by_status,
        buildings=buildings,
        days=days,
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
class LedgerContext:
    """The daily ledger rolled up and ranked across the communities a manager can see."""

    range: str
    generated: str
    lines: tuple[LedgerLine, ...]
    totals: LedgerLine | None


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


def build_ledger(*, ledger: LedgerRead, generated_at: datetime, tz: ZoneInfo) -> LedgerContext:
    """The ledger as printed: the coverage endpoint's ranking, with a totals line."""
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
    return LedgerContext(
        range=_period(ledger.date_from, ledger.date_to),
        generated=_stamp(generated_at, tz),
        lines=lines,
        totals=totals,
    )
