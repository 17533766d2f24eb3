"""Spreadsheet exports of the coverage figures and every household's status.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, ``|``,
``%``, a tab or line break, or the full-width ``＝``, ``＋``, ``－``, ``＠`` that a Chinese input
method types, after any leading spaces) get a leading apostrophe, so a building called
``=HYPERLINK(…)`` stays text. The CSV is UTF-8 with a byte-order mark, so Excel opens Chinese
correctly.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from app.coverage.schemas import CoverageRead
from app.documents.context import HouseholdFact, natural_key
from app.documents.labels import labels
from app.documents.safe_text import CELL_PLACEHOLDER, printable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
# The minus sign, which NFKC leaves alone, reads as a leading minus to some spreadsheets.
_MINUS_SIGN = "\u2212"
Cell = str | int | float | None


def _starts_a_formula(text: str) -> bool:
    """Whether the text opens like a formula, in ASCII or full-width (＝, ＋, －, ＠, ｜, ％).

    The first character past any leading spaces is compared after NFKC folding, which turns
    the full-width and small forms (``＝``, ``﹦``, ``＋``) into their ASCII originals.
    """
    first = text.lstrip(" \u3000\u00a0")[:1]
    if not first:
        return False
    folded = unicodedata.normalize("NFKC", first)[:1]
    return folded in FORMULA_STARTS or folded == _MINUS_SIGN


def neutralise(value: Cell) -> Cell:
    """A cell value that no spreadsheet will evaluate and every format can write."""
    if isinstance(value, str):
        # A workbook's XML refuses most C0 characters and UTF-8 cannot encode a lone surrogate.
        value = printable(value, CELL_PLACEHOLDER)
        if _starts_a_formula(value):
            return "'" + value
    return value


def _h(key: str) -> str:
    zh, en = labels(key)
    return f"{zh} {en}"


def figure_rows(cov: CoverageRead) -> list[list[Cell]]:
    """The headline and per-building figures, each with numerator and denominator."""
    rows: list[list[Cell]] = [
        [
            "scope",
            "code",
            "name",
            "households",
            "excluded",
            "eligible",
            "reached",
            "coverage",
            "refused",
            "materials_left",
            "not_home",
            "unvisited",
        ],
    ]
    s = cov.by_status
    rows.append(
        [
            "campaign",
            "",
            "",
            cov.households,
            cov.excluded,
            cov.eligible,
            cov.reached,
            cov.coverage,
            s.refused,
            s.materials_left,
            s.not_home,
            s.unvisited,
        ]
    )
    for b in cov.by_building:
        bs = b.by_status
        rows.append(
            [
                "building",
                b.code,
                b.name or "",
                b.households,
                b.excluded,
                b.eligible,
                b.reached,
                b.coverage,
                bs.refused,
                bs.materials_left,
                bs.not_home,
                bs.unvisited,
            ]
        )
    return rows


def channel_rows(cov: CoverageRead) -> list[list[Cell]]:
    """Households reached per channel and the extras."""
    rows: list[list[Cell]] = [["figure", "count"]]
    for key, value in cov.by_channel.model_dump().items():
        rows.append([f"channel_{key}", value])
    for key, value in cov.extras.model_dump().items():
        rows.append([key, value])
    rv = cov.revisits
    rows += [
        ["first_not_home", rv.first_not_home],
        ["revisited", rv.revisited],
        ["reached_since", rv.reached_since],
        ["not_yet_revisited", rv.not_yet_revisited],
        ["never_visited", cov.never_visited],
        ["incidents", cov.incidents.total],
        ["scams_dissuaded", cov.incidents.dissuaded],
        ["amount_lost", cov.incidents.amount_lost],
        ["amount_prevented", cov.incidents.amount_prevented],
    ]
    return rows


def day_rows(cov: CoverageRead) -> list[list[Cell]]:
    """The daily ledger."""
    rows: list[list[Cell]] = [
        [
            "date",
            "contacts",
            "visited",
            "reached",
            "newly_reached",
            "cumulative_reached",
            "cumulative_coverage",
            "app_installs",
            "pledges_signed",
            "flyers_given",
            "residents_reached",
        ]
    ]
    for d in cov.by_day:
        rows.append(
            [
                d.date.isoformat(),
                d.contacts,
                d.visited,
                d.reached,
                d.newly_reached,
                d.cumulative_reached,
                d.cumulative_coverage,
                d.app_installs,
                d.pledges_signed,
                d.flyers_given,
                d.residents_reached,
            ]
        )
    return rows


def household_rows(households: Iterable[HouseholdFact]) -> list[list[Cell]]:
    """Every household with its campaign status, in building, unit, floor, room order."""
    rows: list[list[Cell]] = [
        [
            "household_code",
            "building",
            "unit",
            "floor",
            "room",
            "status",
            "excluded",
            "contacts",
            "flags",
        ]
    ]
    ordered = sorted(
        households,
        key=lambda h: (
            natural_key(h.building_code),
            natural_key(h.unit),
            h.floor,
            natural_key(h.room),
        ),
    )
    for h in ordered:
        rows.append(
            [
                h.code,
                h.building_code,
                h.unit,
                h.floor,
                h.room,
                h.status,
                "yes" if h.excluded else "no",
                h.contacts,
                " ".join(h.flags),
            ]
        )
    return rows


def to_csv(sections: Sequence[tuple[str, list[list[Cell]]]]) -> bytes:
    """One CSV with titled sections separated by a blank line; UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, (title, rows) in enumerate(sections):
        if i:
            writer.writerow([])
        writer.writerow([neutralise(title)])
        for row in rows:
            writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sections: Sequence[tuple[str, list[list[Cell]]]]) -> bytes:
    """One workbook, a sheet per section."""
    book = Workbook(write_only=True)
    for title, rows in sections:
        sheet = book.create_sheet(title=title[:31])
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sections(
    cov: CoverageRead, households: Iterable[HouseholdFact]
) -> list[tuple[str, list[list[Cell]]]]:
    """The export's sections: figures, channels and extras, days, households."""
    return [
        ("coverage", figure_rows(cov)),
        ("channels", channel_rows(cov)),
        ("days", day_rows(cov)),
        ("households", household_rows(households)),
    ]
