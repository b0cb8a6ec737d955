"""Pages of a digital PDF: words and reading-order text from the text layer, plus the page's tables."""

from __future__ import annotations

import pymupdf

from extractor.ingest.tables import read_tables
from schemas.document import Page, TableGrid, Word

_MIN_TEXT_CHARS = 5
"""A page with fewer visible characters than this and an image on it is treated as a scan."""


def needs_ocr(page: pymupdf.Page, words: list | None = None) -> bool:
    """True when the page has (almost) no text layer but carries an image: a scanned page."""
    if words is None:
        words = page.get_text("words")
    if sum(len(word[4]) for word in words) >= _MIN_TEXT_CHARS:
        return False
    return bool(page.get_images(full=False))


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
