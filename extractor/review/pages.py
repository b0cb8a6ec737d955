"""Page images for the review page: one PDF page rendered by PyMuPDF with the evidence box highlighted."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from extractor.errors import ExtractorError

BBox = tuple[float, float, float, float]
_HIGHLIGHT = (0.95, 0.2, 0.1)


class PageImageError(ExtractorError):
    """The page cannot be rendered: the file is gone, not a PDF, or has no such page."""


def render_page(pdf_path: Path, page_number: int, highlight: BBox | None = None, *, zoom: float = 1.5) -> bytes:
    """PNG bytes of a 1-based page; a highlight box (PDF points, top-left origin) is drawn over it.

    The file on disk is never changed: the box is drawn on the page in memory only.
    """
    try:
        document = pymupdf.open(pdf_path)
    except Exception as exc:  # PyMuPDF raises several types for missing, damaged or non-PDF files
        raise PageImageError(f"cannot open the document: {exc}", file=str(pdf_path)) from exc
    with document:
        if not 1 <= page_number <= document.page_count:
            raise PageImageError(f"no page {page_number} (the document has {document.page_count})",
                                 file=str(pdf_path))
        page = document[page_number - 1]
        if highlight is not None:
            box = pymupdf.Rect(*highlight) + (-3, -3, 3, 3)
            page.draw_rect(box, color=_HIGHLIGHT, fill=(1, 0.9, 0.2), fill_opacity=0.3, width=1.5, overlay=True)
        pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        return pixmap.tobytes("png")
