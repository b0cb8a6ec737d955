"""Ingestion: one entry point, `ingest(path)`, turning a PDF or an OCR'd text file into a Document.

Digital pages are read from their text layer here; pages without one (scans) go to the OCR reader,
which is imported only when a document needs it. Tables continued across pages are merged and then
numbered t1..tN in reading order. Sections are left empty: `extractor.segment.segment` fills them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pymupdf

from extractor.errors import IngestError
from extractor.ingest.merge import merge_tables
from extractor.ingest.options import IngestOptions
from extractor.ingest.pdf_text import PYMUPDF_ERRORS, needs_ocr, read_text_page
from schemas.document import Document, Page, SourceInfo, TableGrid

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
PDF_SUFFIXES = (".pdf",)
_PDF_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024
"""The PDF header may follow a little junk; readers accept it within the first kilobyte."""
_DAMAGE = re.compile(r"zlib error|read error|premature end of data")
"""MuPDF warnings that mean part of the file's content could not be decoded."""
_EOF_MARKER = b"%%EOF"
_EOF_WINDOW = 2048

__all__ = ["IngestOptions", "ingest"]


def ingest(path: str | Path, options: IngestOptions | None = None) -> Document:
    """Read a PDF (digital or scanned) or a text file into a Document with pages, words and tables.

    Raises IngestError naming the file when it is missing, unreadable, not a PDF, corrupt,
    password-protected, empty (no pages, or no text on any page), or of an unsupported type.
    """
    path = Path(path)
    options = options or IngestOptions()
    if not path.exists():
        raise IngestError("file not found", file=str(path))
    if not path.is_file():
        raise IngestError("not a file", file=str(path))
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        from extractor.ingest.text import ingest_text

        return ingest_text(path)
    if suffix in PDF_SUFFIXES:
        return _ingest_pdf(path, options)
    raise IngestError(
        f"unsupported file type '{path.suffix or '(none)'}': expected .pdf, .txt, .md or .markdown",
        file=str(path))


def _ingest_pdf(path: Path, options: IngestOptions) -> Document:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise IngestError(f"cannot read the file ({error.strerror or error})", file=str(path)) from error
    pymupdf.TOOLS.mupdf_warnings(reset=True)
    document = _open_pdf(path, data)
    try:
        pages: dict[int, Page] = {}
        tables: dict[int, list[TableGrid]] = {}
        scanned: list[int] = []
        for index in range(document.page_count):
            number = index + 1
            page = document.load_page(index)
            words = page.get_text("words")
            if needs_ocr(page, words):
                scanned.append(number)
                continue
            pages[number], tables[number] = read_text_page(page, number, words)
    except PYMUPDF_ERRORS as e:
        raise IngestError(f"corrupt PDF, a page could not be read ({e})", file=str(path)) from e
    finally:
        document.close()
    _refuse_damaged_streams(path)
    if scanned:
        from extractor.ingest.pdf_scanned import ocr_pages

        for number, (page, page_tables) in zip(scanned, ocr_pages(path, scanned, options), strict=True):
            pages[number], tables[number] = page, page_tables
    ordered_pages = [pages[number] for number in sorted(pages)]
    if not any(page.words for page in ordered_pages):
        raise IngestError("the PDF has no text: every page is blank (no text layer, no image to OCR)", file=str(path))
    grids = merge_tables([grid for number in sorted(tables) for grid in tables[number]], ordered_pages)
    # a lone framed row (单位名称 | 某某局) is a label and its value, not a table; a one-row part of a
    # table continued from the previous page was merged above and is kept
    grids = [grid for grid in grids if len(grid.rows) >= 2 and grid.n_cols >= 2]
    grids = [grid.model_copy(update={"id": f"t{i}"}) for i, grid in enumerate(grids, start=1)]
    return Document(
        source=SourceInfo(
            file=path.name, sha256=hashlib.sha256(data).hexdigest(), pages=len(ordered_pages),
            input_kind="pdf_scanned" if scanned else "pdf_text"),
        pages=ordered_pages,
        tables=grids,
    )


def _refuse_damaged_streams(path: Path) -> None:
    """MuPDF reads past damaged compressed data with a warning and loses text; that must not pass silently."""
    warnings = pymupdf.TOOLS.mupdf_warnings(reset=True)
    damage = next((line for line in warnings.splitlines() if _DAMAGE.search(line)), None)
    if damage:
        raise IngestError(f"corrupt PDF: damaged data, text would be lost (MuPDF: {damage.strip()})", file=str(path))


def _open_pdf(path: Path, data: bytes) -> pymupdf.Document:
    """Open the PDF, turning every way it can be unreadable into one IngestError line."""
    if _PDF_MAGIC not in data[:_MAGIC_WINDOW]:
        start = data[:40].decode("utf-8", errors="replace").strip().splitlines()
        seen = f" (it starts with {start[0][:30]!r})" if start else " (the file is empty)"
        raise IngestError(f"not a PDF{seen}", file=str(path))
    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except PYMUPDF_ERRORS as e:
        raise IngestError(f"corrupt PDF, it could not be opened ({e})", file=str(path)) from e
    if document.is_repaired and _EOF_MARKER not in data[-_EOF_WINDOW:]:
        # MuPDF silently rebuilds a truncated file and returns blank pages; refuse instead
        document.close()
        raise IngestError("corrupt PDF: the file is truncated (no end-of-file marker) and cannot be "
                          "read in full; download it again", file=str(path))
    if document.needs_pass:
        document.close()
        raise IngestError("password-protected PDF: remove the password and try again", file=str(path))
    if document.page_count == 0:
        document.close()
        raise IngestError("the PDF has zero pages", file=str(path))
    return document
