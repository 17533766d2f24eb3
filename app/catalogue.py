"""Bilingual string tables kept as data: TOML files of ``key = ["中文", "English"]``.

The pages' strings and the documents' printed words are translations, not code, so they live
in TOML files beside the package that shows them (``app/web/strings/``, ``app/documents/``)
and are read once at import. A malformed entry or a key defined twice fails at start-up,
never as a missing word on a page.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

Pair = tuple[str, str]


def load_pairs(*paths: Path) -> dict[str, Pair]:
    """One table from the files, in order; every value a [Chinese, English] pair of strings."""
    table: dict[str, Pair] = {}
    for path in paths:
        with path.open("rb") as f:
            data = tomllib.load(f)
        for key, value in data.items():
            if not (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, str) for v in value)
            ):
                raise ValueError(f'{path.name}: {key!r} must be ["中文", "English"]')
            if key in table:
                raise ValueError(f"{path.name}: {key!r} is defined twice")
            table[key] = (value[0], value[1])
    return table
