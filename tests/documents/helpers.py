"""Reading PDFs back."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(body: bytes) -> str:
    """All the text of a PDF, pages joined."""
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def page_count(body: bytes) -> int:
    """How many pages."""
    return len(PdfReader(io.BytesIO(body)).pages)


def font_names(body: bytes) -> set[str]:
    """The base names of every font used in the PDF, and whether each is embedded."""
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(body)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            names.add(str(font.get("/BaseFont", "")) + ("" if embedded else " (not embedded)"))
    return names
