#!/usr/bin/env python3
"""Regenerate the project's CJK font subsets under ``templates/fonts/``.

The documents must render Chinese on any machine, so the project carries its own font:
Noto Sans CJK SC (SIL Open Font License 1.1), Regular and Bold, cut down to the characters
Doorstep prints. The source is Debian's ``fonts-noto-cjk`` package, whose ``.ttc`` collections
hold the Japanese, Korean, Simplified and Traditional Chinese faces; the Simplified Chinese
face is found by its family name, not by a hard-coded index.

The character set is:

- printable ASCII, Latin-1, general punctuation, CJK symbols and punctuation, full-width
  and half-width forms, currency, ℃ and №, Roman numerals, ①-⑳ and ㈠-㈩, arrows, the tick
  boxes and shapes of the walk sheets (✓✗☐☑□■●○▲△…);
- the 6,763 Chinese characters of GB2312: level 1 (rows 16-55, the 3,755 common ones) and
  level 2 (rows 56-87, 3,008 more, among them many surnames and place names: 覃, 鑫, 闫);
  ``--level1-only`` keeps level 1 alone, for fonts half the size;
- every character of the project's own texts: the Python sources under ``app/`` (the
  fraud-type catalogue, the interface strings) and the templates under ``templates/``;
- every character of the text files given with ``--text`` (a roster, for instance; files
  that do not decode as UTF-8 are read as GB18030).

The subset keeps no hinting (PDFs and screens do not need it), keeps the OpenType layout
features text shaping uses except ``locl`` (see ``DROPPED_LAYOUT_FEATURES``), adds the
tick-box characters the font lacks (``MADE_GLYPHS``), and writes ``charset.txt`` beside the
fonts: the exact characters covered, so that anyone can check a text against it. Output is
deterministic: the same inputs make the same bytes.

Run from the project root::

    python scripts/make_fonts.py --text tests/fixtures/roster-jiangnan-star-gb18030.csv
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from fontTools import subset
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
DEFAULT_OUT_DIR = ROOT / "templates" / "fonts"
FAMILY = "Noto Sans CJK SC"

#: output file name -> (source collection, style name of the face)
FACES: dict[str, tuple[str, str]] = {
    "NotoSansSC-Regular.otf": ("NotoSansCJK-Regular.ttc", "Regular"),
    "NotoSansSC-Bold.otf": ("NotoSansCJK-Bold.ttc", "Bold"),
}

#: Layout features kept: fontTools' defaults (ccmp, kern, liga, mark, vert, …) plus the CJK
#: width and spacing features. Not ``*``: that pulls in alternate glyphs (``aalt``, ``jp78``,
#: ``trad``, …) nobody asks for.
EXTRA_LAYOUT_FEATURES = ("palt", "vpal", "halt", "vhal", "fwid", "hwid", "pwid", "zero")
#: ``locl`` swaps in the Japanese, Korean and Traditional Chinese shapes of the same characters
#: when the text's language is ja, ko or zh-TW/zh-HK; Doorstep prints zh-CN and en only, where
#: it does nothing, and keeping it would add some 3,300 glyphs (+80 % in size).
DROPPED_LAYOUT_FEATURES = ("locl",)

#: Ranges of code points always kept (inclusive).
RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # printable ASCII
    (0x00A0, 0x00FF),  # Latin-1: nbsp, ¥, °, ±, ×, ÷, é, …
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x203B),  # ‰, primes, ‹ ›, ※
    (0x20AC, 0x20AC),  # €
    (0x2103, 0x2103),  # ℃
    (0x2116, 0x2116),  # №
    (0x2160, 0x216B),  # Ⅰ-Ⅻ
    (0x2170, 0x2179),  # ⅰ-ⅹ
    (0x2190, 0x2199),  # ←↑→↓↔↕↖↗↘↙
    (0x21D0, 0x21D5),  # ⇐⇑⇒⇓⇔⇕
    (0x2212, 0x2212),  # minus
    (0x2460, 0x2473),  # ①-⑳
    (0x2474, 0x2487),  # ⑴-⒇
    (0x2488, 0x249B),  # ⒈-⒛
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3220, 0x3229),  # ㈠-㈩
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF01, 0xFF65),  # full-width ASCII and half-width CJK punctuation
    (0xFFE0, 0xFFE6),  # full-width ¢ £ ¬ ￣ ¦ ￥ ₩
)

#: Single characters always kept: comparison signs, tick boxes and shapes.
SYMBOLS = "≈≠≤≥√∞∴∵✓✔✗✘☐☑☒□■▢▣◆◇○◎●◯△▲▽▼▶◀▷◁★☆♀♂☎"

#: Tick-box characters Noto Sans CJK lacks, made from glyphs it has so that walk sheets print
#: the same on any machine: new character -> (base glyph's character, mark's character, scale
#: of the mark). With no base the mark is centred on a full-width cell; with no mark the new
#: glyph is a copy of the base. Each gets a glyph of its own, so text copied out of a PDF
#: reads back as the character that was typeset.
MADE_GLYPHS: dict[str, tuple[str, str, float]] = {
    "☐": ("□", "", 0),  # ballot box: the white square
    "✔": ("✓", "", 0),  # heavy check mark: the check mark
    "✗": ("", "×", 1.2),  # ballot x: a larger multiplication sign
    "✘": ("", "×", 1.2),  # heavy ballot x: the same
    "☑": ("□", "✓", 0.7),  # ballot box with check
    "☒": ("□", "×", 0.85),  # ballot box with x
}

#: Files of the project whose characters are always kept.
PROJECT_GLOBS: tuple[tuple[str, str], ...] = (
    ("app", "**/*.py"),
    ("templates", "**/*.html"),
    ("templates", "**/*.css"),
    ("templates", "**/*.js"),
    ("templates", "**/*.svg"),
    ("templates", "**/*.txt"),
)


def gb2312_hanzi(*, level1_only: bool = False) -> str:
    """The Chinese characters of GB2312, by row and cell.

    Level 1 is rows 16-55 (lead bytes 0xB0-0xD7; row 55 ends at cell 89, 0xF9): 3,755
    characters. Level 2 is rows 56-87 (lead bytes 0xD8-0xF7; row 87 ends at 0xFE): 3,008.
    """
    chars: list[str] = []
    last_lead = 0xD7 if level1_only else 0xF7
    for lead in range(0xB0, last_lead + 1):
        last = 0xF9 if lead == 0xD7 else 0xFE
        for trail in range(0xA1, last + 1):
            chars.append(bytes((lead, trail)).decode("gb2312"))
    return "".join(chars)


def read_text(path: Path) -> str:
    """A text file's contents: UTF-8 when it decodes as such, GB18030 otherwise."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def project_files(root: Path) -> Iterator[Path]:
    """The project's own texts, in a stable order, skipping the fonts directory itself."""
    for folder, pattern in PROJECT_GLOBS:
        for path in sorted((root / folder).glob(pattern)):
            if path.is_file() and "fonts" not in path.relative_to(root).parts:
                yield path


def printable(chars: Iterable[str]) -> set[str]:
    """The characters worth a glyph: no controls, surrogates or unassigned code points."""
    return {c for c in chars if not unicodedata.category(c).startswith(("C", "Z")) or c == " "}


def character_set(root: Path, texts: Iterable[Path], *, level1_only: bool = False) -> str:
    """Every character the subset keeps, sorted by code point."""
    chars: set[str] = set(SYMBOLS) | set(MADE_GLYPHS)
    for first, last in RANGES:
        chars.update(chr(code) for code in range(first, last + 1))
    chars.update(gb2312_hanzi(level1_only=level1_only))
    for path in [*project_files(root), *texts]:
        chars.update(read_text(path))
    chars = printable(chars) | {"\u00a0", "\u3000"}
    return "".join(sorted(chars))


def face_index(collection: Path, family: str, style: str) -> int:
    """The index in a ``.ttc`` of the face with this family (name 1) and style (name 2)."""
    faces = TTCollection(str(collection), lazy=True)
    try:
        for index, font in enumerate(faces.fonts):
            name = font["name"]
            if name.getDebugName(1) == family and name.getDebugName(2) == style:
                return index
    finally:
        faces.close()
    raise SystemExit(f"{collection}: no face {family!r} {style!r}")


def subset_options() -> subset.Options:
    """fontTools subsetter options: no hinting, the layout features shaping uses, all names."""
    options = subset.Options()
    options.hinting = False
    options.layout_features = [
        feature
        for feature in [*options.layout_features, *EXTRA_LAYOUT_FEATURES]
        if feature not in DROPPED_LAYOUT_FEATURES
    ]
    options.name_IDs = ["*"]  # keep the copyright and licence entries (names 0, 13, 14)
    options.name_languages = ["*"]
    options.notdef_outline = True  # a missing character shows as a box, not as nothing
    options.glyph_names = False
    options.recalc_timestamp = False
    return options


def _bounds(font: TTFont, glyph: str) -> tuple[float, float, float, float]:
    glyph_set = font.getGlyphSet()
    pen = BoundsPen(glyph_set)
    glyph_set[glyph].draw(pen)
    if pen.bounds is None:
        raise SystemExit(f"glyph {glyph} is empty")
    x_min, y_min, x_max, y_max = pen.bounds
    return float(x_min), float(y_min), float(x_max), float(y_max)


def _add_cff_glyph(
    font: TTFont, name: str, base: str | None, mark: str | None, scale: float
) -> None:
    """Append a glyph to a CID-keyed CFF font: ``base``'s outline, ``mark``'s centred on it."""
    top = font["CFF "].cff.topDictIndex[0]
    char_strings = top.CharStrings
    glyph_set = font.getGlyphSet()
    model = base or mark
    if model is None:
        raise ValueError("a made glyph needs a base or a mark")
    _, fd_index = char_strings.getItemAndSelector(model)
    private = top.FDArray[fd_index].Private if fd_index is not None else top.Private
    advance = 1000 if base is None else font["hmtx"][base][0]
    pen = T2CharStringPen(advance - getattr(private, "nominalWidthX", 0), glyph_set)
    if base is not None:
        glyph_set[base].draw(pen)
        x_min, y_min, x_max, y_max = _bounds(font, base)
    else:  # a full-width cell at the height of the ideographs
        x_min, y_min, x_max, y_max = 0.0, -120.0, 1000.0, 880.0
    if mark is not None:
        m_x_min, m_y_min, m_x_max, m_y_max = _bounds(font, mark)
        dx = (x_min + x_max) / 2 - scale * (m_x_min + m_x_max) / 2
        dy = (y_min + y_max) / 2 - scale * (m_y_min + m_y_max) / 2
        glyph_set[mark].draw(TransformPen(pen, (scale, 0, 0, scale, dx, dy)))
    char_string = pen.getCharString(private=private, globalSubrs=top.GlobalSubrs)
    if fd_index is not None:
        char_string.fdSelectIndex = fd_index
        top.FDSelect.append(fd_index)
    char_strings.charStringsIndex.append(char_string)
    char_strings.charStrings[name] = len(char_strings.charStringsIndex) - 1
    top.charset.append(name)
    font.setGlyphOrder([*font.getGlyphOrder(), name])
    bounds = BoundsPen(None)
    char_string.draw(bounds)
    font["hmtx"][name] = (advance, round(bounds.bounds[0]) if bounds.bounds else 0)
    if "vmtx" in font:
        font["vmtx"][name] = font["vmtx"][model]


def add_made_glyphs(font: TTFont) -> None:
    """Give the font the tick-box characters of ``MADE_GLYPHS`` that it lacks."""
    cmap = font.getBestCmap()
    used = {int(name[3:]) for name in font.getGlyphOrder() if name.startswith("cid")}
    free_cids = (cid for cid in range(65535, 0, -1) if cid not in used)
    new_map: dict[int, str] = {}
    for char, (base_char, mark_char, scale) in MADE_GLYPHS.items():
        if ord(char) in cmap:
            continue
        name = f"cid{next(free_cids):05d}"
        base = cmap[ord(base_char)] if base_char else None
        mark = cmap[ord(mark_char)] if mark_char else None
        _add_cff_glyph(font, name, base, mark, scale)
        new_map[ord(char)] = name
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap.update(new_map)


def make_font(source: Path, index: int, chars: str, out: Path) -> None:
    """Subset one face of a collection to these characters and save it as ``out``."""
    font = TTFont(str(source), fontNumber=index, recalcTimestamp=False)
    try:
        subsetter = subset.Subsetter(subset_options())
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(font)
        add_made_glyphs(font)
        font.save(str(out))
    finally:
        font.close()


def main(argv: list[str] | None = None) -> int:
    """Write the subset fonts and ``charset.txt``; print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--source-dir",
        type=Path,
        default=DEFAULT_SOURCE_DIR,
        help=f"where fonts-noto-cjk installs its .ttc files (default {DEFAULT_SOURCE_DIR})",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="where to write the fonts (default templates/fonts)",
    )
    parser.add_argument(
        "--text",
        type=Path,
        action="append",
        default=[],
        help="a text file (UTF-8 or GB18030) whose characters must be covered; repeatable",
    )
    parser.add_argument(
        "--level1-only",
        action="store_true",
        help="keep GB2312 level 1 (3,755 characters) but not level 2: fonts half the size",
    )
    args = parser.parse_args(argv)

    chars = character_set(ROOT, args.text, level1_only=args.level1_only)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for out_name, (collection_name, style) in FACES.items():
        collection = args.source_dir / collection_name
        if not collection.is_file():
            raise SystemExit(f"{collection} not found: apt-get install fonts-noto-cjk")
        index = face_index(collection, FAMILY, style)
        out = args.out_dir / out_name
        make_font(collection, index, chars, out)
        print(f"{out}: {FAMILY} {style} (face {index}), {out.stat().st_size:,} bytes")
    charset = args.out_dir / "charset.txt"
    charset.write_text(chars + "\n", encoding="utf-8")
    print(f"{charset}: {len(chars):,} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
