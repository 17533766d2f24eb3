#!/usr/bin/env python3
"""Regenerate the walk sheet's row grid (``templates/documents/walk_row.svg``) from the columns
of ``app.documents.context.WalkSheetContext``: rules between the columns and the tick boxes,
drawn once as an image the stylesheet tiles under the rows (nothing to lay out a row).

    python scripts/make_walk_svgs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.documents.context import ROW_MM, WalkSheetContext  # noqa: E402

TICKS = range(4, 12)
"""Columns with a tick box: the five outcomes and the three extras."""
LINE = 'stroke="#9aa5b1" stroke-width="0.2"'


def _edges() -> list[float]:
    xs = [0.0]
    for width, _, _ in WalkSheetContext.columns:
        xs.append(xs[-1] + width)
    return xs


def row_svg() -> str:
    """One row of the grid: rules between columns and the tick boxes."""
    xs = _edges()
    width = xs[-1]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}mm" height="{ROW_MM}mm" '
        f'viewBox="0 0 {width:g} {ROW_MM}">',
        f'<line x1="0" y1="{ROW_MM - 0.1:.2f}" x2="{width:g}" y2="{ROW_MM - 0.1:.2f}" {LINE}/>',
    ]
    for i, x in enumerate(xs):
        if i == 2:  # code and status share one column
            continue
        x = min(max(x, 0.1), width - 0.1)
        out.append(f'<line x1="{x:.2f}" y1="0" x2="{x:.2f}" y2="{ROW_MM}" {LINE}/>')
    for i in TICKS:
        cx = (xs[i] + xs[i + 1]) / 2
        out.append(
            f'<rect x="{cx - 2.1:.2f}" y="1.05" width="4.2" height="4.2" fill="none" '
            'stroke="#1f2933" stroke-width="0.3"/>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    """Write the row grid."""
    out = ROOT / "templates" / "documents"
    (out / "walk_row.svg").write_text(row_svg(), encoding="utf-8")


if __name__ == "__main__":
    main()
