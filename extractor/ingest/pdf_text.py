"""Pages of a digital PDF: words and reading-order text from the text layer, plus the page's tables."""

from __future__ import annotations

import pymupdf

from extractor.ingest.tables import read_tables
from schemas.document import Page, TableGrid, Word

PYMUPDF_ERRORS = (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase)
"""What PyMuPDF raises on a damaged file: FileDataError (a RuntimeError) and MuPDF's own error types."""

_MIN_TEXT_CHARS = 5
"""A page with fewer visible characters than this and an image on it is treated as a scan."""
_SPARSE_TEXT_CHARS = 40
_PAGE_IMAGE_SHARE = 0.5
"""A page whose text layer is this sparse and whose images cover this share of it is a scan with a stamp
(a page number, a watermark) printed as text."""


def needs_ocr(page: pymupdf.Page, words: list | None = None) -> bool:
    """True when the page has (almost) no text layer but carries an image: a scanned page."""
    if words is None:
        words = page.get_text("words")
    chars = sum(len(word[4]) for word in words)
    if chars >= _SPARSE_TEXT_CHARS or not page.get_images(full=False):
        return False
    if chars < _MIN_TEXT_CHARS:
        return True
    page_area = abs(page.rect) or 1.0
    covered = sum(abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in page.get_image_info())
    return covered >= _PAGE_IMAGE_SHARE * page_area


def read_text_page(page: pymupdf.Page, page_number: int, words: list | None = None) -> tuple[Page, list[TableGrid]]:
    """One page read from its text layer: words with boxes, text in reading order, and its tables.

    `page_number` is 1-based. `words` may carry an earlier `page.get_text("words")` so the text layer is
    read once per page.
    """
    if words is None:
        words = page.get_text("words")
    result = Page(
        number=page_number,
        width=page.rect.width,
        height=page.rect.height,
        text=_reading_text(words),
        words=[Word(text=w[4], bbox=(round(w[0], 2), round(w[1], 2), round(w[2], 2), round(w[3], 2)))
               for w in words],
    )
    return result, read_tables(page, page_number, words=words)


def _reading_text(words: list) -> str:
    """The page text as PyMuPDF orders it: words of one line joined by a space, one line per row."""
    lines: list[str] = []
    current: tuple[int, int] | None = None
    for word in words:
        key = (word[5], word[6])
        if key != current:
            lines.append(word[4])
            current = key
        else:
            lines[-1] += " " + word[4]
    return "\n".join(lines)
