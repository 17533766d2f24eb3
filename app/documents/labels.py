"""The printed words of the documents, in Chinese and English.

Flyers print one language (``lang``); walk sheets and reports print Chinese first with the
English beneath or beside it, so a sheet serves a mixed team and an English-reading reviewer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from app.catalogue import Pair, load_pairs

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# The documents' words and the spreadsheet exports' column and sheet names, as data.
_LABELS: dict[str, Pair] = load_pairs(
    Path(__file__).with_name("labels.toml"), Path(__file__).with_name("sheet_labels.toml")
)


def label_for(key: str, lang: Lang = "zh") -> str:
    """One label in one language (the key itself if unknown, never an error in print)."""
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def labels(key: str) -> tuple[str, str]:
    """A label in Chinese and English."""
    return _LABELS.get(key, (key, key))


def all_keys() -> frozenset[str]:
    """Every known label key (tests check templates use only these)."""
    return frozenset(_LABELS)
