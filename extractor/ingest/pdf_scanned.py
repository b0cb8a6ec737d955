"""Pages without a text layer: OCR'd words, reading-order text and table grids recovered from the image.

Each page is rendered to a grayscale image, levelled when the scan is skewed, read by RapidOCR, and
its ruling lines are found with OpenCV; OCR words crossing a ruling line (two cells read as one) are
split there. The OCR words are written as an invisible text layer onto a blank in-memory page of the same
size, and the table reader runs over that page with the ruling lines added, so cells are filled from
the words inside them exactly as on a digital page. Pages run in a process pool, one OCR engine per
worker.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from statistics import fmean

import cv2
import numpy as np
import pymupdf

from extractor.errors import IngestError
from extractor.ingest.ocr import create_engine, recognize
from extractor.ingest.options import IngestOptions
from extractor.ingest.pdf_text import PYMUPDF_ERRORS
from extractor.ingest.ruling import RulingLine, deskew, find_ruling_lines, split_words_at_rulings
from extractor.ingest.tables import confidence_key, read_tables
from schemas.document import Page, TableGrid, Word

_TEXT_LAYER_FONT = "china-s"
"""A built-in CJK font; PyMuPDF gives every character one em, which `_write_text_layer` relies on."""

_MIN_THREADS_PER_WORKER = 2
"""Cores each OCR worker gets at least. onnxruntime spreads one page over two threads well (9.1 ->
5.7 s/page on 2 cores) while two single-thread worker processes on the same 2 cores came to
6.9 s/page with their start-up: more workers than cores // 2 only cost time."""

_engine = None
"""This process's OCR engine, created once (in a pool worker by its initializer)."""


def ocr_pages(path: Path, page_numbers: list[int], options: IngestOptions) -> list[tuple[Page, list[TableGrid]]]:
    """OCR the given 1-based pages of a PDF; returns each page with its tables, in the order asked.

    Pages are spread over at most `options.jobs` worker processes, each with its own engine and the
    cores shared out among them as onnxruntime threads, at least two each (`_MIN_THREADS_PER_WORKER`):
    on 2 cores the pages run in this process with onnxruntime using both. Workers are spawned, so
    when more than one runs the caller's main module must be import-safe (the usual
    `if __name__ == "__main__":` guard).
    Raises IngestError naming the file and page when OCR finds no text on a page, or when a page
    cannot be rendered or recognised.
    """
    if not page_numbers:
        return []
    cores = os.cpu_count() or 1
    workers = max(1, min(options.jobs, len(page_numbers), cores // _MIN_THREADS_PER_WORKER))
    threads = max(1, cores // workers)
    tasks = [(str(path), number, options.dpi) for number in page_numbers]
    if workers == 1:
        _start_engine(threads)
        results = [_ocr_page(task) for task in tasks]
    else:
        # spawn, not fork: a forked onnxruntime session can deadlock on its copied thread pool
        context = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_engine,
                                     initargs=(threads,)) as pool:
                results = list(pool.map(_ocr_page, tasks))
        except BrokenProcessPool as e:
            raise IngestError(f"an OCR worker process died ({e}); try jobs=1", file=str(path)) from e
    pages = []
    for number, result in zip(page_numbers, results, strict=True):
        if isinstance(result, str):  # errors cross the process boundary as text: see _ocr_page
            raise IngestError(f"page {number}: {result}", file=str(path))
        pages.append(result)
    return pages


def _start_engine(threads: int) -> None:
    global _engine
    if _engine is None:
        cv2.setNumThreads(threads)  # OpenCV's pool would otherwise take every core in every worker
        _engine = create_engine(threads)


def _ocr_page(task: tuple[str, int, int]) -> tuple[Page, list[TableGrid]] | str:
    """One page: render, level, recognise, find ruling lines, split fused words, read the tables.

    Word boxes are in the levelled image's frame: on a skewed scan they sit a little off the
    original pixels (under 3 pt for the skews seen), in exchange for straight rows and columns.

    A failure is returned as its message rather than raised: an exception pickled back from a
    worker loses the attributes (the file) that IngestError carries.
    """
    path, number, dpi = task
    try:
        with pymupdf.open(path) as document:
            source = document[number - 1]
            width, height = source.rect.width, source.rect.height
            gray = _render_gray(source, dpi)
    except (*PYMUPDF_ERRORS, IndexError) as e:
        return f"cannot render the page for OCR ({e})"
    gray, _angle = deskew(gray)
    try:
        words = recognize(_engine, gray, dpi)
    except Exception as e:  # noqa: BLE001 - onnxruntime and RapidOCR raise many types; all mean the same
        return f"OCR failed ({type(e).__name__}: {e})"
    if not words:
        return "OCR found no text"
    lines = find_ruling_lines(gray, dpi)
    words = split_words_at_rulings(words, lines)
    ordered = _reading_order(words)
    page = Page(
        number=number, width=width, height=height,
        text="\n".join("\t".join(word.text for word in line) for line in ordered),
        words=[word for line in ordered for word in line],
        ocr_confidence=fmean(word.confidence for word in words),
    )
    return page, _read_tables(page, ordered, lines)


def _render_gray(page: pymupdf.Page, dpi: int) -> np.ndarray:
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    pixels = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.stride)
    return np.ascontiguousarray(pixels[:, : pixmap.width])


def _reading_order(words: list[Word]) -> list[list[Word]]:
    """Words grouped into visual lines (top to bottom), each line left to right."""
    lines: list[list[Word]] = []
    centre = line_height = 0.0
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        word_centre, height = (word.bbox[1] + word.bbox[3]) / 2, word.bbox[3] - word.bbox[1]
        if lines and abs(word_centre - centre) <= 0.5 * min(height, line_height):
            lines[-1].append(word)
        else:
            lines.append([word])
            centre, line_height = word_centre, height
    return [sorted(line, key=lambda w: w.bbox[0]) for line in lines]


def _read_tables(page: Page, ordered: list[list[Word]], lines: list[RulingLine]) -> list[TableGrid]:
    """Tables of an OCR'd page, read over a blank page of the same size carrying the words as text.

    `ordered` is the page's words in reading order (`_reading_order`), which numbers the text lines.
    """
    if not any(line.is_vertical for line in lines):
        return []
    with pymupdf.open() as scratch:
        text_page = scratch.new_page(width=page.width, height=page.height)
        _write_text_layer(text_page, page.words)
        # the OCR words themselves (not the text layer's re-split copy) fill the cells, so their
        # text and boxes, and with them the confidence keys, are exactly what OCR returned
        raw_words = [(*word.bbox, word.text, 0, line_no, word_no)
                     for line_no, line in enumerate(ordered)
                     for word_no, word in enumerate(line)]
        confidences = {confidence_key(word.bbox): word.confidence for word in page.words}
        return read_tables(text_page, page.number, add_lines=[line.as_points() for line in lines],
                           confidences=confidences, words=raw_words)


def _write_text_layer(page: pymupdf.Page, words: list[Word]) -> None:
    """Each word as invisible text (render mode 3) stretched to fill its OCR box."""
    font = pymupdf.Font(_TEXT_LAYER_FONT)
    em_height = font.ascender - font.descender
    # one shape committed once: page.insert_text per word rescans the growing content stream each time
    shape = page.new_shape()
    for word in words:
        x0, y0, x1, y1 = word.bbox
        if x1 <= x0 or y1 <= y0:
            continue
        fontsize = (y1 - y0) / em_height
        baseline = pymupdf.Point(x0, y1 + font.descender * fontsize)
        natural = pymupdf.get_text_length(word.text, fontname=_TEXT_LAYER_FONT, fontsize=fontsize)
        stretch = pymupdf.Matrix((x1 - x0) / natural, 1)
        shape.insert_text(baseline, word.text, fontsize=fontsize, fontname=_TEXT_LAYER_FONT,
                          render_mode=3, morph=(baseline, stretch))
    shape.commit()
