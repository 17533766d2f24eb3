"""Spreadsheet exports of the coverage figures and every household's status.

Chinese by default (``lang="en"`` for English): sheet names, headers and values (已宣传,
独居老人, 是/否). In the workbook, percentages are numbers formatted as percentages, dates are
dates, every column is as wide as its longest value and the header row stays in view. The
CSV is one table, the households; the figures, channels and days are sheets of the workbook.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, ``|``,
``%``, a tab or line break, or the full-width ``＝``, ``＋``, ``－``, ``＠`` that a Chinese input
method types, after any leading spaces) get a leading apostrophe, so a building called
``=HYPERLINK(…)`` stays text. The CSV is UTF-8 with a byte-order mark, so Excel and WPS open
Chinese correctly.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from app.coverage.schemas import CoverageRead
from app.documents.context import HouseholdFact, ordered_households
from app.documents.labels import Lang, label_for
from app.documents.safe_text import CELL_PLACEHOLDER, printable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
# The minus sign, which NFKC leaves alone, reads as a leading minus to some spreadsheets.
_MINUS_SIGN = "\u2212"
Cell = str | int | float | date | None
Kind = Literal["text", "int", "percent", "date", "money"]
FORMATS: dict[str, str] = {
    "int": "0",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "money": "#,##0.00",
}
MAX_WIDTH = 60


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


@dataclass(frozen=True)
class Column:
    """One column of a table: its header label key and how its values print."""

    key: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    """One sheet: a name, columns and rows of plain values."""

    name: str
    columns: tuple[Column, ...]
    rows: list[list[Cell]]


def coverage_table(cov: CoverageRead, lang: Lang) -> Table:
    """The headline and per-building figures, each with numerator and denominator."""
    columns = (
        Column("x_scope"),
        Column("x_building"),
        Column("x_building_name"),
        Column("x_households", "int"),
        Column("x_excluded", "int"),
        Column("x_eligible", "int"),
        Column("x_reached", "int"),
        Column("x_coverage", "percent"),
        Column("status_refused", "int"),
        Column("status_materials_left", "int"),
        Column("status_not_home", "int"),
        Column("status_unvisited", "int"),
    )
    s = cov.by_status
    rows: list[list[Cell]] = [
        [
            label_for("x_all", lang),
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
    ]
    for b in cov.by_building:
        bs = b.by_status
        rows.append(
            [
                label_for("x_building", lang),
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
    return Table(label_for("sheet_coverage", lang), columns, rows)


def channel_table(cov: CoverageRead, lang: Lang) -> Table:
    """Households reached per channel, the extras, the follow-up and the scam reports."""
    ex, rv = cov.extras, cov.revisits
    counts: list[tuple[str, Cell]] = [
        (f"channel_{key}", value) for key, value in cov.by_channel.model_dump().items()
    ]
    counts += [
        ("extra_flyer_given", ex.flyers_given),
        ("extra_app_installed", ex.app_installs),
        ("extra_pledge_signed", ex.pledges_signed),
        ("extra_residents_reached", ex.residents_reached),
        ("x_contacts", ex.contacts),
        ("first_not_home", rv.first_not_home),
        ("revisited", rv.revisited),
        ("reached_since", rv.reached_since),
        ("not_yet_revisited", rv.not_yet_revisited),
        ("never_visited", cov.never_visited),
        ("incidents_total", cov.incidents.total),
        ("dissuaded", cov.incidents.dissuaded),
        ("amount_lost", cov.incidents.amount_lost),
        ("amount_prevented", cov.incidents.amount_prevented),
    ]
    rows: list[list[Cell]] = [[label_for(key, lang), value] for key, value in counts]
    return Table(
        label_for("sheet_channels", lang), (Column("x_item"), Column("x_count", "money")), rows
    )


def day_table(cov: CoverageRead, lang: Lang) -> Table:
    """The daily ledger (台账): a row per local day with contacts."""
    columns = (
        Column("date", "date"),
        Column("x_contacts", "int"),
        Column("x_visited", "int"),
        Column("x_reached", "int"),
        Column("newly_reached", "int"),
        Column("x_cumulative", "int"),
        Column("x_cumulative_coverage", "percent"),
        Column("extra_app_installed", "int"),
        Column("extra_pledge_signed", "int"),
        Column("extra_flyer_given", "int"),
        Column("extra_residents_reached", "int"),
    )
    rows: list[list[Cell]] = [
        [
            d.date,
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
        for d in cov.by_day
    ]
    return Table(label_for("sheet_days", lang), columns, rows)


def household_table(households: Iterable[HouseholdFact], lang: Lang) -> Table:
    """Every household with its campaign status, in building, unit, floor, room order."""
    columns = (
        Column("x_code"),
        Column("x_building"),
        Column("x_unit"),
        Column("x_floor", "int"),
        Column("x_room"),
        Column("x_status"),
        Column("x_excluded_flag"),
        Column("x_contact_count", "int"),
        Column("x_flags"),
    )
    sep = "、" if lang == "zh" else ", "
    rows: list[list[Cell]] = [
        [
            h.code,
            h.building if lang == "zh" else h.building_en,
            h.unit,
            h.floor,
            h.room,
            label_for(f"status_{h.status}", lang),
            label_for("x_yes" if h.excluded else "x_no", lang),
            h.contacts,
            sep.join(label_for(f"flag_{f}", lang) for f in h.flags),
        ]
        for h in ordered_households(households)
    ]
    return Table(label_for("sheet_households", lang), columns, rows)


def _width(value: Cell, kind: Kind) -> int:
    """Characters a value takes in a spreadsheet column (CJK counts double)."""
    if value is None:
        return 0
    if kind == "percent":
        return 7
    if kind == "date":
        return 10
    if kind == "money" and isinstance(value, float):
        return len(f"{value:,.2f}")
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _csv_value(value: Cell) -> Cell:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def to_csv(table: Table, lang: Lang) -> bytes:
    """One table as CSV, its header first; UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label_for(c.key, lang) for c in table.columns])
    for row in table.rows:
        writer.writerow(
            [
                "" if v is None else v.isoformat() if isinstance(v, date) else neutralise(v)
                for v in row
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF2F5")


def _sheet(book: Workbook, table: Table, lang: Lang) -> None:
    sheet: WriteOnlyWorksheet = book.create_sheet(title=table.name[:31])
    headers = [label_for(c.key, lang) for c in table.columns]
    for i, column in enumerate(table.columns):
        widest = max(
            [_width(headers[i], "text"), *(_width(row[i], column.kind) for row in table.rows)]
        )
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(MAX_WIDTH, widest + 2)
    sheet.freeze_panes = "A2"
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in table.rows:
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            number_format = FORMATS.get(column.kind)
            if number_format and value is not None:
                if column.kind == "money" and isinstance(value, int):
                    number_format = "0"
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)


def to_xlsx(tables: Sequence[Table], lang: Lang) -> bytes:
    """One workbook, a sheet per table."""
    book = Workbook(write_only=True)
    for table in tables:
        _sheet(book, table, lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def tables(cov: CoverageRead, households: Iterable[HouseholdFact], lang: Lang) -> list[Table]:
    """The workbook's sheets: figures, channels and extras, days, households."""
    return [
        coverage_table(cov, lang),
        channel_table(cov, lang),
        day_table(cov, lang),
        household_table(households, lang),
    ]
