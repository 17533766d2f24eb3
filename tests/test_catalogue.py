"""The bilingual string tables: data files that fail loudly when malformed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalogue import load_pairs
from app.documents.labels import label_for
from app.web.i18n import STRINGS


def test_a_table_reads_as_chinese_english_pairs(tmp_path: Path) -> None:
    f = tmp_path / "t.toml"
    f.write_text('# a comment\nhello = ["你好", "Hello"]\n', encoding="utf-8")
    assert load_pairs(f) == {"hello": ("你好", "Hello")}


@pytest.mark.parametrize(
    "entry",
    ['hello = ["你好"]', 'hello = "你好"', 'hello = ["你好", 3]', 'hello = ["a", "b", "c"]'],
)
def test_an_entry_that_is_not_a_pair_fails_at_load(tmp_path: Path, entry: str) -> None:
    f = tmp_path / "t.toml"
    f.write_text(entry + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="hello"):
        load_pairs(f)


def test_a_key_in_two_files_fails_at_load(tmp_path: Path) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('hello = ["你好", "Hello"]\n', encoding="utf-8")
    b.write_text('hello = ["您好", "Hi"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="defined twice"):
        load_pairs(a, b)


def test_the_shipped_tables_are_loaded() -> None:
    # One key from each of the pages' three files and from the documents' two.
    assert STRINGS["nav_schedule"] == ("我的任务", "My rounds")
    assert STRINGS["nav_office"] == ("工作台", "Workspace")
    assert STRINGS["nav_warnings"] == ("预警", "Warnings")
    assert label_for("sheet_days", "zh") == "每日台账"
    assert label_for("sheet_days", "en") == "Daily ledger"
