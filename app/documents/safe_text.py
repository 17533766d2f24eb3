"""Stored text made printable: whatever a row holds, a document or an export can show it.

Rows written before the input rules (or by hand, or by an older version) may hold control
characters, and on SQLite a NUL. PDF text and spreadsheet XML cannot carry most of them; each
such character is shown as a placeholder instead, so the document still renders and the
officer can see which record needs fixing.
"""

from __future__ import annotations

import re

UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""Control characters other than tab and line breaks, lone surrogates, non-characters."""
PRINT_PLACEHOLDER = "□"
"""What print shows instead (the 缺字 mark of Chinese typesetting; the project's font has it)."""
CELL_PLACEHOLDER = ""
"""What a spreadsheet cell shows instead: nothing (the character is dropped)."""


def printable(text: str, placeholder: str = PRINT_PLACEHOLDER) -> str:
    """``text`` with every character that print or a spreadsheet cannot hold replaced."""
    return UNPRINTABLE.sub(placeholder, text)
