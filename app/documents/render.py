"""HTML to PDF: one Jinja environment, a locked URL fetcher, the project's fonts, WeasyPrint.

Everything here runs wherever the PDF is made: in a render process of the pool (see
``app.documents.delivery``) for the API, or in the calling process for the CLI, tests and the bench.
Templates receive frozen view-models from ``app.documents.context`` and never the ORM.

Security: the HTML is built from our own templates with autoescaping, so user text (a note,
an incident summary, a building name) is always text, never markup. Even so, WeasyPrint only
gets resources through ``LockedFetcher``, which serves files under ``templates/`` and tiny
``data:`` URLs, and refuses everything else (``http``, ``file://`` elsewhere, big ``data:``).
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import ctypes.util
import dataclasses
import gc
import io
import logging
import mimetypes
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import segno
import weasyprint
from fontTools.ttLib import TTFont
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.config import TEMPLATES_DIR
from app.documents import charts
from app.documents.context import (
    STATUS_MARKS,
    FlyerContext,
    LedgerContext,
    ReportContext,
    RoundSheet,
    SheetBlock,
    WalkSheetContext,
)
from app.documents.labels import label_for, labels
from app.documents.safe_text import printable

log = logging.getLogger(__name__)

DOCUMENTS_DIR = TEMPLATES_DIR / "documents"
MAX_DATA_URL = 8 * 1024
"""The longest ``data:`` URL the fetcher accepts (our own templates use none)."""


class RefusedFetch(ValueError):
    """WeasyPrint asked for a resource outside the project's own assets."""


class LockedFetcher(URLFetcher):  # type: ignore[misc]
    """Serves only files under ``templates/`` and small ``data:`` URLs; refuses the rest.

    ``fetched`` and ``refused`` list the URLs asked for, so tests can prove nothing else was read.
    """

    def __init__(self, root: Path = TEMPLATES_DIR) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = root.resolve()
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """The resource at ``url`` if it is one of ours; RefusedFetch otherwise."""
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data" and len(url) <= MAX_DATA_URL:
            self.fetched.append(url)
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._local_path(url)
            if path is not None:
                self.fetched.append(url)
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": mime})
        self.refused.append(url)
        log.warning("document render refused to fetch %.200s", url)
        raise RefusedFetch(f"refused: {url[:200]}")

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path


def qr_img(payload: str, *, css_class: str = "qr-code") -> Markup:
    """A QR code of ``payload`` as an ``<img>`` of one pixel per module, scaled up by CSS
    without smoothing (``image-rendering: pixelated``): sharp at any size, a few hundred
    bytes, and drawn as one image, where an SVG path of every module costs ~10 ms a copy."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=1, border=2)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Markup(f'<img class="{escape(css_class)}" alt="QR" src="data:image/png;base64,{data}">')


ONE_LINE_MM = 51.0 - 1.0
"""How wide a walk sheet's code and status may be together on one justified line: the shared
column (11.5 to 62.5 mm) less a millimetre of safety."""
ONE_LINE_PT = 10.0
"""Their type size (walk_sheet.css ``.code-status``)."""


@lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, int], int]:
    """The regular font's advance width of each character it has, and its units per em."""
    font = TTFont(TEMPLATES_DIR / "fonts" / "NotoSansSC-Regular.otf", lazy=True)
    widths = font["hmtx"].metrics
    advances = {cp: int(widths[glyph][0]) for cp, glyph in font.getBestCmap().items()}
    return advances, int(font["head"].unitsPerEm)


def one_line(block: SheetBlock) -> bool:
    """Whether every row of ``block`` prints its code and status on one line of the shared
    column with room to spare (a line that wrapped would push every row below it off its
    row): then one justified line a row lays them out, not two lines (walk_sheet.html)."""
    advances, per_em = _advances()
    room = ONE_LINE_MM / 25.4 * 72 / ONE_LINE_PT * per_em
    for row in block.rows:
        text = f"{row.code}\u00a0{row.status_line}"
        if any(c in text for c in "\t\n\r\x0b\x0c\x85\u2028\u2029 "):
            return False
        # a character the font lacks comes from a fallback font: count it wide
        if sum(advances.get(ord(c), 2 * per_em) for c in text) > room:
            return False
    return True


def _printable(value: Any) -> Any:
    """Every ``{{ value }}`` of a document: stored text with control characters shown as □."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


ENV = Environment(
    finalize=_printable,
    loader=FileSystemLoader(str(DOCUMENTS_DIR)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
ENV.globals.update(
    marks_by_status=STATUS_MARKS,
    qr_img=qr_img,
    charts=charts,
    labels=labels,
    label_for=label_for,
    one_line=one_line,
)


def render_html(template: str, **context: Any) -> str:
    """Fill one of ``templates/documents/`` with view-models."""
    return ENV.get_template(template).render(**context)


class _Assets:
    """The font configuration and parsed stylesheets of this process, made once and reused.

    Parsing ``@font-face`` registers the fonts with fontconfig; doing it once per process,
    not per document, saves most of a small document's time.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.font_config = FontConfiguration()
        self.fetcher = LockedFetcher()
        self._sheets: dict[str, weasyprint.CSS] = {}

    def stylesheet(self, name: str) -> weasyprint.CSS:
        sheet = self._sheets.get(name)
        if sheet is None:
            path = DOCUMENTS_DIR / name
            sheet = weasyprint.CSS(
                string=path.read_text(encoding="utf-8"),
                base_url=path.as_uri(),
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
            self._sheets[name] = sheet
        return sheet


@lru_cache(maxsize=1)
def _assets() -> _Assets:
    return _Assets()


def _layout(
    html: str, stylesheets: tuple[str, ...], url_fetcher: LockedFetcher | None = None
) -> weasyprint.Document:
    """The laid-out pages of ``html`` (to measure where boxes landed before writing them)."""
    assets = _assets()
    with assets.lock:  # WeasyPrint's font configuration is not shared across threads
        return weasyprint.HTML(
            string=html,
            base_url=DOCUMENTS_DIR.as_uri() + "/",
            url_fetcher=url_fetcher or assets.fetcher,
        ).render(
            stylesheets=[assets.stylesheet(name) for name in stylesheets],
            font_config=assets.font_config,
        )


def _write(document: weasyprint.Document) -> bytes:
    """The PDF bytes of laid-out pages."""
    with _assets().lock:
        pdf: bytes = document.write_pdf(
            uncompressed_pdf=False, custom_metadata=False, pdf_identifier=b"doorstep"
        )
    return pdf


def html_to_pdf(
    html: str,
    *,
    stylesheets: tuple[str, ...] = (),
    url_fetcher: LockedFetcher | None = None,
) -> bytes:
    """Lay out ``html`` with the named stylesheets of ``templates/documents/`` into PDF bytes."""
    return _write(_layout(html, stylesheets, url_fetcher))


FLYER_LAYER_CHUNK = 100
"""Per-household flyers are one flyer, rendered once with its QR box blank, under a layer of
a page per household holding only that household's QR code and code. The layer is rendered
this many pages at a time, so a render's memory stays bounded whatever the building's size."""
WALK_SHEET_CHUNK = 60
"""Walk sheet pages rendered at a time, for the same reason (each part embeds its own font
subset, so parts are not made smaller than they need to be)."""


@dataclass(frozen=True)
class FlyerLayer:
    """A part of per-household flyers: the QR codes and codes of some of the copies."""

    flyer: FlyerContext


def chunks(context: object) -> list[object]:
    """The view-model as parts that can render independently (one when it is small);
    ``assemble`` makes the document of their PDFs."""
    if isinstance(context, FlyerContext) and context.per_household and len(context.copies) > 1:
        copies = context.copies
        base = dataclasses.replace(context, copies=copies[:1], blank_personal=True)
        layers: list[object] = [
            FlyerLayer(dataclasses.replace(context, copies=copies[i : i + FLYER_LAYER_CHUNK]))
            for i in range(0, len(copies), FLYER_LAYER_CHUNK)
        ]
        return [base, *layers]
    if isinstance(context, WalkSheetContext) and context.total_pages > WALK_SHEET_CHUNK:
        parts: list[object] = []
        current: list[RoundSheet] = []
        count = 0
        for sheet in context.sheets:
            pages = sheet.pages
            start = 0
            while True:
                if count >= WALK_SHEET_CHUNK:
                    parts.append(dataclasses.replace(context, sheets=tuple(current)))
                    current, count = [], 0
                take = pages[start : start + WALK_SHEET_CHUNK - count]
                current.append(dataclasses.replace(sheet, pages=take))
                count += max(1, len(take))  # a round without households prints one page
                start += len(take)
                if start >= len(pages):
                    break
        if current:
            parts.append(dataclasses.replace(context, sheets=tuple(current)))
        return parts
    return [context]


def assemble(context: object, parts: Sequence[bytes]) -> bytes:
    """The document from the PDFs of its parts (in ``chunks`` order)."""
    if isinstance(context, FlyerContext) and len(parts) > 1:
        return _stack(parts[0], parts[1:])
    return join(parts)


def join(parts: Sequence[bytes]) -> bytes:
    """PDFs joined page after page into one."""
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PT_PER_PX = 0.75
"""PDF points per CSS pixel (72 / 96)."""


def _form(writer: PdfWriter, page: PageObject, bbox: Sequence[float]) -> IndirectObject:
    """``page`` as a form XObject of ``writer``, clipped to ``bbox`` (PDF points), stored once
    however many pages draw it."""
    form = StreamObject()
    form.set_data(page.get_contents().get_data())  # type: ignore[union-attr]
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in bbox),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    return writer._add_object(form)


def _draw_first(
    page: PageObject, forms: Mapping[str, IndirectObject], drawing: IndirectObject
) -> None:
    """Have ``page`` run ``drawing`` (which draws the named form XObjects) before its own
    content, with the forms in its resources."""
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else DictionaryObject()
    for name, form in forms.items():
        xobjects[NameObject(name)] = form
    resources[NameObject("/XObject")] = xobjects
    contents = page.raw_get("/Contents")
    resolved = contents.get_object()
    streams = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([drawing, *streams])


def _stack(base_pdf: bytes, layers: Sequence[bytes]) -> bytes:
    """Every page of the layers drawn over the one page of ``base_pdf``: the base becomes a
    form XObject stored once and drawn first on each page, so the file holds one flyer."""
    writer = PdfWriter()
    base = PdfReader(io.BytesIO(base_pdf)).pages[0]
    form = _form(writer, base, base.mediabox)
    prefix = StreamObject()
    prefix.set_data(b"q /DoorstepFlyer Do Q\n")
    prefix_ref = writer._add_object(prefix)
    for layer in layers:
        for page in PdfReader(io.BytesIO(layer)).pages:
            _draw_first(writer.add_page(page), {"/DoorstepFlyer": form}, prefix_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True)
class Stamp:
    """A box rendered once (page ``page`` of ``pdf``, and where the box is on that page, in
    CSS px), to be drawn on many pages where the document left room for it."""

    pdf: bytes
    page: int
    x: float
    y: float
    width: float
    height: float


def _stamped(
    pdf: bytes, stamps: Mapping[str, Stamp], places: Sequence[Sequence[tuple[str, float, float]]]
) -> bytes:
    """``pdf`` with, on each page, the named stamps drawn at that page's places (name and the
    top left corner of the room left for it, CSS px); each stamp is one form XObject."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    # Each stamp once: its resource name, and where its box's top left corner is (pt).
    forms: dict[str, tuple[str, float, float]] = {}
    resources: dict[str, IndirectObject] = {}
    sources: dict[bytes, PdfReader] = {}
    for index, (name, stamp) in enumerate(stamps.items()):
        if stamp.pdf not in sources:
            sources[stamp.pdf] = PdfReader(io.BytesIO(stamp.pdf))
        source = sources[stamp.pdf].pages[stamp.page]
        x0, y1 = stamp.x * PT_PER_PX, float(source.mediabox.height) - stamp.y * PT_PER_PX
        x1, y0 = x0 + stamp.width * PT_PER_PX, y1 - stamp.height * PT_PER_PX
        resource = f"/DoorstepStamp{index}"
        resources[resource] = _form(writer, source, (x0, y0, x1, y1))
        forms[name] = (resource, x0, y1)
    for page, spots in zip(writer.pages, places, strict=True):
        if not spots:
            continue
        height = float(page.mediabox.height)
        ops = []
        for name, x, y in spots:
            resource, x0, y1 = forms[name]
            ops.append(
                b"q 1 0 0 1 %.3f %.3f cm %s Do Q\n"
                % (x * PT_PER_PX - x0, height - y * PT_PER_PX - y1, resource.encode())
            )
        drawing = StreamObject()
        drawing.set_data(b"".join(ops))
        _draw_first(page, resources, writer._add_object(drawing))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _places(
    document: weasyprint.Document, rooms: Mapping[str, str]
) -> list[list[tuple[str, float, float]]]:
    """Per page, each block whose class is a key of ``rooms``: the stamp it is room for and its
    top left corner (CSS px)."""
    places: list[list[tuple[str, float, float]]] = []
    for page in document.pages:
        spots = []
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            name = rooms.get(element.get("class") or "") if element is not None else None
            if name is not None:
                spots.append((name, float(box.border_box_x()), float(box.border_box_y())))
        places.append(spots)
    return places


WALK_SHEET_STAMPS = ("cols", "legend", "sign")
"""The parts of a walk sheet page that are the same on every page (walk_sheet_stamps.html):
the column headings, the status legend and the signature line."""


@lru_cache(maxsize=4)
def _walk_sheet_stamps(columns: tuple[tuple[float, str, str], ...]) -> dict[str, Stamp]:
    """The walk sheet's unchanging parts (a third of a page's layout when laid out on every
    page: the headings alone are a dozen boxes of two languages), rendered once per process,
    a page each."""
    document = _layout(
        render_html("walk_sheet_stamps.html", columns=columns), ("base.css", "walk_sheet.css")
    )
    pdf = _write(document)
    stamps = {}
    for number, page in enumerate(document.pages):
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            name = element.get("class") if element is not None else None
            if name in WALK_SHEET_STAMPS and name not in stamps:
                stamps[name] = Stamp(
                    pdf,
                    number,
                    float(box.border_box_x()),
                    float(box.border_box_y()),
                    float(box.border_width()),
                    float(box.border_height()),
                )
    if set(stamps) != set(WALK_SHEET_STAMPS):
        raise LookupError(f"walk_sheet_stamps.html lacks {set(WALK_SHEET_STAMPS) - set(stamps)}")
    return stamps


def _walk_sheet_pdf(context: WalkSheetContext, url_fetcher: LockedFetcher | None) -> bytes:
    """Walk sheet pages with room left for the unchanging parts, which are then drawn there."""
    stamps = _walk_sheet_stamps(context.columns)
    heights = {name: f"{stamp.height:.3f}px" for name, stamp in stamps.items()}
    html = render_html("walk_sheet.html", doc=context, lang="zh", room=heights)
    document = _layout(html, ("base.css", "walk_sheet.css"), url_fetcher)
    rooms = {f"{name}-room": name for name in stamps}
    return _stamped(_write(document), stamps, _places(document, rooms))


def _qr_box(flyer: FlyerContext) -> tuple[float, float]:
    """Where the flyer puts its QR box (border box, CSS px from the page's corner)."""
    base = dataclasses.replace(flyer, copies=flyer.copies[:1], blank_personal=True)
    document = _layout(render_html("flyer.html", flyer=base), _flyer_sheets(flyer))
    for box in _boxes(document.pages[0]._page_box):
        element = getattr(box, "element", None)
        if element is not None and "qr" in (element.get("class") or "").split():
            return float(box.border_box_x()), float(box.border_box_y())
    raise LookupError("the flyer has no QR box")


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def _flyer_sheets(flyer: FlyerContext) -> tuple[str, ...]:
    return ("base.css", "flyer.css") + (("flyer-a4.css",) if flyer.size == "A4" else ())


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """No automatic garbage collection during one WeasyPrint pass.

    A pass allocates millions of short-lived objects (boxes, styles, Pango wrappers) that stay
    reachable until it ends, so each automatic full collection walks the growing tree and
    frees nothing: measured, a quarter of a campaign's walk sheets CPU time. The part's memory
    is bounded by ``chunks``, and ``release_memory`` collects once when the part is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


FRESH_STACK_SLOTS = 3100
"""Locals of ``_on_fresh_stack_chunk``'s frame: more than one 16 KiB chunk of CPython's frame
stack holds (2,048 slots), so that frame always opens a chunk of its own, of 64 KiB (CPython
doubles the size until the frame and 1,000 slots more fit), and ~5,000 slots stay free in it
for the render's frames."""


def _fresh_stack_chunk_caller() -> Any:
    # ``return`` comes first: the assignment is never run, but its names are the frame's locals.
    names = " = ".join(f"_{i}" for i in range(FRESH_STACK_SLOTS))
    source = f"def call(fn, *args, **kwargs):\n    return fn(*args, **kwargs)\n    {names} = None\n"
    scope: dict[str, Any] = {}
    exec(compile(source, "<fresh stack chunk>", "exec"), scope)  # our own source, built above
    return scope["call"]


_on_fresh_stack_chunk = _fresh_stack_chunk_caller()
"""Call a function with its frames at the start of a fresh chunk of the frame stack.

CPython 3.11 keeps Python frames in 16 KiB chunks and frees a chunk as soon as the frame that
opened it returns (python/cpython#142183, fixed in 3.13 and later only). A render's recursion
starts wherever its caller's depth puts it; when a chunk boundary falls where WeasyPrint's
layout loops call a function over and over, each of those calls maps and unmaps a new chunk:
measured, ~400,000 mmap/munmap pairs and 40% more CPU for the walk sheets of a campaign in a
render process, whose depth put a boundary there (one frame more or less and it was gone, in
that process and for that document). Starting every render at the start of a large chunk makes
its frames' places the same whatever the caller (render process, CLI, tests), with room for
its whole recursion."""


def render_part(kind: str, context: object, *, url_fetcher: LockedFetcher | None = None) -> bytes:
    """The PDF of one view-model (or one part of it): one WeasyPrint pass (for a walk sheet,
    its pages then stamped with the parts every page repeats, see ``_walk_sheet_pdf``)."""
    with _no_collection():
        pdf: bytes = _on_fresh_stack_chunk(_render_part, kind, context, url_fetcher=url_fetcher)
        return pdf


def _render_part(kind: str, context: object, *, url_fetcher: LockedFetcher | None) -> bytes:
    if isinstance(context, FlyerLayer):
        box = _qr_box(context.flyer)
        sheets = (*_flyer_sheets(context.flyer), "flyer-overlay.css")
        html = render_html("flyer_overlay.html", flyer=context.flyer, box=box)
    elif isinstance(context, FlyerContext):
        sheets = _flyer_sheets(context)
        html = render_html("flyer.html", flyer=context)
    elif isinstance(context, WalkSheetContext):
        return _walk_sheet_pdf(context, url_fetcher)
    elif isinstance(context, ReportContext):
        sheets = ("base.css", "report.css")
        html = render_html("report.html", r=context, lang=context.lang)
    elif isinstance(context, LedgerContext):
        sheets = ("base.css", "report.css")
        html = render_html("ledger.html", l=context, lang="zh")
    else:
        raise TypeError(f"no template for {kind}")
    return html_to_pdf(html, stylesheets=sheets, url_fetcher=url_fetcher)


def render_pdf(kind: str, context: object, *, url_fetcher: LockedFetcher | None = None) -> bytes:
    """The PDF of one document kind from its view-model, rendered part by part in this process
    (the CLI, tests and the bench; the API renders the parts in its render processes)."""
    parts = []
    for part in chunks(context):
        parts.append(render_part(kind, part, url_fetcher=url_fetcher))
        release_memory()
    return assemble(context, parts)


_libc: ctypes.CDLL | None = None


def release_memory() -> None:
    """Give a finished render's memory back to the system: collect its cycles, then ask
    glibc to return freed heap pages (without it the process keeps its peak size)."""
    global _libc
    gc.collect()
    if _libc is None:
        name = ctypes.util.find_library("c")
        if name is None:
            return
        _libc = ctypes.CDLL(name)
    trim = getattr(_libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


def render_in_process(kind: str, context: object) -> bytes:
    """What a render process runs per task: one part, then its memory given back."""
    try:
        return render_part(kind, context)
    finally:
        release_memory()


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)  # the worker that owned this process is gone: so are we
        time.sleep(1.0)


def start_render_process(parent: int) -> None:
    """Initializer of a render process: exit when the parent dies (even by kill -9, which
    runs no clean-up of its own), then load fonts and stylesheets once."""
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()
    warm_up()


def warm_up() -> None:
    """Load fonts and stylesheets once in a fresh render process."""
    html_to_pdf("<p>不听、不信、不转账 96110</p>", stylesheets=("base.css",))
    # What is loaded now (modules, fonts, parsed stylesheets) lives as long as the process:
    # the collections after each part need not walk it again.
    gc.collect()
    gc.freeze()
