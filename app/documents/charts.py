"""Vector charts of the coverage report, drawn as inline SVG from view-models.

Plain SVG elements only (rect, line, polyline, text), so WeasyPrint draws them as vectors and
the figures stay sharp on any printer. Every text that comes from users (a building's code or
name) is escaped here, because the SVG is handed to the template as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from app.documents.safe_text import printable

if TYPE_CHECKING:
    from app.documents.context import BuildingLine, Count, DayLine

INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#d9dee3"
BAR = "#2f6f9f"
BAR_LIGHT = "#b9d3e6"
BELOW = "#c2410c"
TARGET = "#b42318"
FONT = 'font-family="NotoSansSC, sans-serif"'


def _svg(width: float, height: float, body: list[str], label: str) -> Markup:
    aria = escape(printable(label))
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}mm" height="{height:.0f}mm" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" role="img" aria-label="{aria}">'
        + "".join(body)
        + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 3.0,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}" {FONT}>{escape(printable(text))}</text>'
    )


def building_bars(
    buildings: Sequence[BuildingLine], target: float | None, width: float = 174.0
) -> Markup:
    """One horizontal bar per building: coverage with numerator/denominator, and the target."""
    row, top, label_w, value_w = 5.2, 6.0, 22.0, 34.0
    bar_w = width - label_w - value_w
    height = top + row * max(1, len(buildings)) + 4
    body = [
        _text(label_w, 3.6, "0%", size=2.4, fill=MUTED, anchor="middle"),
        _text(label_w + bar_w / 2, 3.6, "50%", size=2.4, fill=MUTED, anchor="middle"),
        _text(label_w + bar_w, 3.6, "100%", size=2.4, fill=MUTED, anchor="middle"),
    ]
    for frac in (0.25, 0.5, 0.75, 1.0):
        x = label_w + bar_w * frac
        body.append(
            f'<line x1="{x:.2f}" y1="{top - 1}" x2="{x:.2f}" y2="{height - 3}" '
            f'stroke="{GRID}" stroke-width="0.2"/>'
        )
    for i, b in enumerate(buildings):
        y = top + i * row
        value = b.coverage.value
        colour = BAR if target is None or (value is not None and value >= target) else BELOW
        name = b.code if not b.name else f"{b.code} {b.name}"
        body.append(_text(label_w - 1.5, y + 3.4, name[:12], size=2.8, anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 0.8:.2f}" width="{bar_w:.2f}" height="3.4" '
            f'fill="#eef2f5"/>'
        )
        body.append(
            f'<rect x="{label_w}" y="{y + 0.8:.2f}" '
            f'width="{bar_w * b.coverage.width / 100:.2f}" height="3.4" fill="{colour}"/>'
        )
        figure = f"{b.coverage.numerator}/{b.coverage.denominator}  {b.coverage.percent}"
        body.append(_text(label_w + bar_w + 2, y + 3.4, figure, size=2.7))
    if target is not None:
        x = label_w + bar_w * target
        body.append(
            f'<line x1="{x:.2f}" y1="{top - 1.5}" x2="{x:.2f}" y2="{height - 3}" '
            f'stroke="{TARGET}" stroke-width="0.45" stroke-dasharray="1.2,0.8"/>'
        )
        body.append(
            _text(
                x,
                height - 0.4,
                f"target {target * 100:.0f}%",
                size=2.4,
                fill=TARGET,
                anchor="middle",
            )
        )
    return _svg(width, height, body, "Coverage by building")


def progress(
    days: Sequence[DayLine], target: float, width: float = 174.0, height: float = 70.0
) -> Markup:
    """Cumulative coverage per day against the target line, with newly reached as bars."""
    left, right, top, bottom = 12.0, 14.0, 4.0, 10.0
    plot_w, plot_h = width - left - right, height - top - bottom
    body: list[str] = []
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        body.append(
            f'<line x1="{left}" y1="{y:.2f}" x2="{left + plot_w}" y2="{y:.2f}" '
            f'stroke="{GRID}" stroke-width="0.2"/>'
        )
        body.append(_text(left - 1.5, y + 1, f"{pct}%", size=2.4, anchor="end", fill=MUTED))
    n = len(days)
    if n:
        step = plot_w / n
        peak = max(d.newly_reached for d in days) or 1
        for i, d in enumerate(days):
            h = plot_h * 0.45 * d.newly_reached / peak
            x = left + i * step + step * 0.15
            body.append(
                f'<rect x="{x:.2f}" y="{top + plot_h - h:.2f}" width="{step * 0.7:.2f}" '
                f'height="{h:.2f}" fill="{BAR_LIGHT}"/>'
            )
        points = " ".join(
            f"{left + (i + 0.5) * step:.2f},{top + plot_h * (1 - d.cumulative.width / 100):.2f}"
            for i, d in enumerate(days)
        )
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{BAR}" '
            f'stroke-width="0.7" stroke-linejoin="round"/>'
        )
        for i, d in enumerate(days):
            cx = left + (i + 0.5) * step
            cy = top + plot_h * (1 - d.cumulative.width / 100)
            body.append(f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="0.7" fill="{BAR}"/>')
        every = max(1, round(n / 8))
        for i, d in enumerate(days):
            if i % every == 0 or i == n - 1:
                body.append(
                    _text(
                        left + (i + 0.5) * step,
                        height - 5,
                        d.date[5:],
                        size=2.4,
                        anchor="middle",
                        fill=MUTED,
                    )
                )
        body.append(
            _text(
                left + plot_w + 1.5,
                top + plot_h - plot_h * 0.45 + 1,
                f"{peak}",
                size=2.4,
                fill=MUTED,
            )
        )
    y_target = top + plot_h * (1 - target)
    body.append(
        f'<line x1="{left}" y1="{y_target:.2f}" x2="{left + plot_w}" y2="{y_target:.2f}" '
        f'stroke="{TARGET}" stroke-width="0.45" stroke-dasharray="1.5,1"/>'
    )
    body.append(
        _text(left + plot_w + 1.5, y_target + 1, f"{target * 100:.0f}%", size=2.5, fill=TARGET)
    )
    legend_y = height - 1
    body.append(
        f'<line x1="{left}" y1="{legend_y - 1}" x2="{left + 6}" y2="{legend_y - 1}" '
        f'stroke="{BAR}" stroke-width="0.7"/>'
    )
    body.append(_text(left + 7.5, legend_y, "累计覆盖率 cumulative coverage", size=2.4))
    body.append(
        f'<rect x="{left + 62}" y="{legend_y - 2.4}" width="4" height="2.4" fill="{BAR_LIGHT}"/>'
    )
    body.append(_text(left + 67.5, legend_y, "当日新增 newly reached", size=2.4))
    body.append(
        f'<line x1="{left + 112}" y1="{legend_y - 1}" x2="{left + 118}" '
        f'y2="{legend_y - 1}" stroke="{TARGET}" stroke-width="0.45" '
        f'stroke-dasharray="1.5,1"/>'
    )
    body.append(_text(left + 119.5, legend_y, "目标 target", size=2.4))
    return _svg(width, height, body, "Coverage by day against the target")


def count_bars(counts: Sequence[Count], width: float = 84.0) -> Markup:
    """Horizontal bars of labelled counts (channels, extras), scaled to the largest."""
    row, label_w, value_w = 6.5, 30.0, 14.0
    bar_w = width - label_w - value_w
    peak = max((c.count for c in counts), default=0) or 1
    height = row * max(1, len(counts)) + 1
    body = []
    for i, c in enumerate(counts):
        y = i * row
        body.append(_text(label_w - 1.5, y + 3.0, c.zh, size=2.8, anchor="end"))
        body.append(_text(label_w - 1.5, y + 5.6, c.en, size=2.1, anchor="end", fill=MUTED))
        body.append(
            f'<rect x="{label_w}" y="{y + 1.2:.2f}" '
            f'width="{bar_w * c.count / peak:.2f}" height="3.8" fill="{BAR}"/>'
        )
        body.append(_text(label_w + bar_w * c.count / peak + 1.2, y + 4.2, str(c.count), size=2.8))
    return _svg(width, height, body, "Counts")
