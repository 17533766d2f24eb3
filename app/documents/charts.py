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
    buildings: Sequence[BuildingLine],
    target: float | None,
    width: float = 174.0,
    lang: str = "zh",
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
        body.append(_text(label_w - 1.5, y + 3.4, (b.name or b.code)[:12], size=2.8, anchor="end"))
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
                f"{'目标' if lang == 'zh' else 'target'} {target * 100:.0f}%",
                size=2.4,
                fill=TARGET,
                anchor="middle",
            )
        )
    return _svg(width, height, body, "Coverage by building")


def progress(
    days: Sequence[DayLine],
    target: float,
    width: float = 174.0,
    height: float = 86.0,
    lang: str = "zh",
) -> Markup:
    """Two panels over every day of the campaign on one time axis: cumulative coverage against
    the target (percent axis), and households newly reached each day (a count axis of its
    own). Days to come are drawn empty, so the chart shows how much campaign is left."""
    zh = lang == "zh"
    left, right, top = 14.0, 12.0, 3.0
    top_h, gap, bars_h, axis_h = 42.0, 7.0, 20.0, 10.0
    plot_w = width - left - right
    body: list[str] = []
    n = max(1, len(days))
    step = plot_w / n
    future = [i for i, d in enumerate(days) if d.future]
    if future:  # drawn first, under the grid
        x0 = left + future[0] * step
        body.append(
            f'<rect x="{x0:.2f}" y="{top}" width="{left + plot_w - x0:.2f}" '
            f'height="{top_h + gap + bars_h:.2f}" fill="#f3f5f7"/>'
        )
        body.append(_text(x0 + 1.5, top + top_h - 2, "待进行" if zh else "days to come", size=2.5))
    # --- cumulative coverage, percent axis
    for pct in (0, 25, 50, 75, 100):
        y = top + top_h * (1 - pct / 100)
        body.append(
            f'<line x1="{left}" y1="{y:.2f}" x2="{left + plot_w}" y2="{y:.2f}" '
            f'stroke="{GRID}" stroke-width="0.2"/>'
        )
        body.append(_text(left - 1.5, y + 1, f"{pct}%", size=2.6, anchor="end", fill=INK))
    title = "累计覆盖率" if zh else "Cumulative coverage"
    body.append(_text(left, top - 0.6, title, size=2.6, weight="bold"))
    past = [(i, d) for i, d in enumerate(days) if not d.future]
    if past:
        points = " ".join(
            f"{left + (i + 0.5) * step:.2f},{top + top_h * (1 - d.cumulative.width / 100):.2f}"
            for i, d in past
        )
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{BAR}" '
            f'stroke-width="0.7" stroke-linejoin="round"/>'
        )
        if len(past) <= 62:
            for i, d in past:
                cx = left + (i + 0.5) * step
                cy = top + top_h * (1 - d.cumulative.width / 100)
                body.append(f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="0.6" fill="{BAR}"/>')
        i, d = past[-1]
        body.append(
            _text(
                left + (i + 0.5) * step,
                top + top_h * (1 - d.cumulative.width / 100) - 1.6,
                d.cumulative.percent,
                size=2.6,
                anchor="middle",
                fill=BAR,
                weight="bold",
            )
        )
    y_target = top + top_h * (1 - target)
    body.append(
        f'<line x1="{left}" y1="{y_target:.2f}" x2="{left + plot_w}" y2="{y_target:.2f}" '
        f'stroke="{TARGET}" stroke-width="0.45" stroke-dasharray="1.5,1"/>'
    )
    body.append(
        _text(
            left + plot_w + 1.5,
            y_target + 1,
            f"{'目标' if zh else 'target'} {target * 100:.0f}%",
            size=2.5,
            fill=TARGET,
        )
    )
    # --- newly reached per day, a count axis of its own
    base_y = top + top_h + gap + bars_h
    peak = max((d.newly_reached for d in days), default=0)
    scale = _nice(peak)
    body.append(
        _text(
            left,
            top + top_h + gap - 0.8,
            "每日新增宣传户数" if zh else "Households newly reached each day",
            size=2.6,
            weight="bold",
        )
    )
    for value in (0, scale // 2, scale):
        y = base_y - bars_h * value / scale
        body.append(
            f'<line x1="{left}" y1="{y:.2f}" x2="{left + plot_w}" y2="{y:.2f}" '
            f'stroke="{GRID}" stroke-width="0.2"/>'
        )
        body.append(_text(left - 1.5, y + 1, str(value), size=2.6, anchor="end"))
    for i, d in enumerate(days):
        if not d.newly_reached:
            continue
        h = bars_h * d.newly_reached / scale
        x = left + i * step + step * 0.15
        body.append(
            f'<rect x="{x:.2f}" y="{base_y - h:.2f}" width="{max(step * 0.7, 0.3):.2f}" '
            f'height="{h:.2f}" fill="{BAR}"/>'
        )
    # --- the shared time axis
    every = max(1, round(n / 10))
    for i, d in enumerate(days):
        if (i % every == 0 and n - 1 - i >= every * 0.6) or i == n - 1:
            x = left + (i + 0.5) * step
            body.append(
                f'<line x1="{x:.2f}" y1="{base_y:.2f}" x2="{x:.2f}" y2="{base_y + 1:.2f}" '
                f'stroke="{INK}" stroke-width="0.2"/>'
            )
            body.append(_text(x, base_y + 4, d.date[5:], size=2.5, anchor="middle"))
    body.append(
        f'<line x1="{left}" y1="{base_y:.2f}" x2="{left + plot_w}" y2="{base_y:.2f}" '
        f'stroke="{INK}" stroke-width="0.25"/>'
    )
    total_h = base_y + axis_h
    label = "Cumulative coverage by day and households newly reached"
    return _svg(width, max(height, total_h), body, label)


def _nice(peak: int) -> int:
    """An axis maximum at or above ``peak``: 2, 4, 6, 8 or 10 times a power of ten, so its
    half is a whole number too."""
    magnitude = 1
    while True:
        for factor in (2, 4, 6, 8, 10):
            if factor * magnitude >= peak:
                return factor * magnitude
        magnitude *= 10


def count_bars(counts: Sequence[Count], width: float = 84.0, lang: str = "zh") -> Markup:
    """Horizontal bars of labelled counts (channels, extras), scaled to the largest."""
    row, label_w, value_w = 6.5, 30.0, 14.0
    bar_w = width - label_w - value_w
    peak = max((c.count for c in counts), default=0) or 1
    height = row * max(1, len(counts)) + 1
    body = []
    for i, c in enumerate(counts):
        y = i * row
        if lang == "zh":
            body.append(_text(label_w - 1.5, y + 3.0, c.zh, size=2.8, anchor="end"))
            body.append(_text(label_w - 1.5, y + 5.6, c.en, size=2.1, anchor="end", fill=MUTED))
        else:
            body.append(_text(label_w - 1.5, y + 4.2, c.en, size=2.8, anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 1.2:.2f}" '
            f'width="{bar_w * c.count / peak:.2f}" height="3.8" fill="{BAR}"/>'
        )
        body.append(_text(label_w + bar_w * c.count / peak + 1.2, y + 4.2, str(c.count), size=2.8))
    return _svg(width, height, body, "Counts")
