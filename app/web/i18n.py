"""Every string the web pages show, in Chinese first and English second.

The strings are data, in ``app/web/strings/``: ``phone.toml`` (the phone pages), ``office.toml``
(the officer's workspace) and ``warnings.toml``, merged into one table. Templates read them
through ``t[key]``; the scripts get the same table as JSON and format ``{name}`` placeholders
themselves. One table keeps both languages complete: a test checks that every key has both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from app.catalogue import Pair, load_pairs

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

_HERE = Path(__file__).parent / "strings"
STRINGS: dict[str, Pair] = load_pairs(
    _HERE / "phone.toml", _HERE / "office.toml", _HERE / "warnings.toml"
)


def strings_for(lang: Lang) -> dict[str, str]:
    """The whole table in one language."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in STRINGS.items()}


def pick_lang(query: str | None, cookie: str | None) -> Lang:
    """The page language: ``?lang=`` first, then the cookie, then Chinese."""
    for candidate in (query, cookie):
        if candidate == "en":
            return "en"
        if candidate == "zh":
            return "zh"
    return DEFAULT_LANG
