"""Ruling lines found in a real rendered table page, and fused OCR words split at a ruling line."""

from __future__ import annotations

import cv2
import numpy as np
import pymupdf
import pytest

from extractor.ingest.ruling import RulingLine, deskew, find_ruling_lines, split_words_at_rulings
from schemas.document import Word
from tests.conftest import pdf

DPI = 200


@pytest.fixture(scope="module")
def summary_page():
    """Page 6 of the finance report (收入支出决算总表, a 29 x 4 ruled grid) and its 200 dpi render."""
    with pymupdf.open(pdf("putuo-finance-2024-final-accounts")) as document:
        page = document[5]
        pixmap = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
        gray = np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.stride)[:, : pixmap.width]
        (digital,) = page.find_tables(use_layout=False).tables
        yield digital.row_count, digital.col_count, [tuple(c) for c in digital.cells if c], gray.copy(), page.rect


def _grid_shape(lines: list[RulingLine], rect, inside: tuple[float, float]) -> tuple[int, int, list]:
    """Rows, columns and cells of the one table PyMuPDF builds from `lines` on a blank page."""
    with pymupdf.open() as scratch:
        blank = scratch.new_page(width=rect.width, height=rect.height)
        blank.insert_text(inside, "x")  # find_tables drops line grids without text inside
        tables = blank.find_tables(use_layout=False, add_lines=[line.as_points() for line in lines]).tables
        if len(tables) != 1:
            return len(tables), 0, []
        return tables[0].row_count, tables[0].col_count, [tuple(c) for c in tables[0].cells if c]


def _scanned_badly(gray: np.ndarray, angle: float) -> np.ndarray:
    """The render fed crooked by `angle` degrees, greyed, blurred, noisy and JPEG-compressed."""
    height, width = gray.shape
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    crooked = cv2.warpAffine(gray, rotation, (width, height), borderValue=255)
    crooked = cv2.GaussianBlur(crooked, (3, 3), 0).astype(np.float32) * 0.85 + 25
    noisy = np.clip(crooked + np.random.default_rng(7).normal(0, 12, crooked.shape), 0, 255).astype(np.uint8)
    return cv2.imdecode(cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 60])[1], cv2.IMREAD_GRAYSCALE)


def test_ruling_lines_rebuild_the_digital_grid(summary_page):
    rows, cols, digital_cells, gray, rect = summary_page
    lines = find_ruling_lines(gray, DPI)
    x0, _y0, _x1, y1 = digital_cells[0]
    found_rows, found_cols, found_cells = _grid_shape(lines, rect, (x0 + 5, y1 - 3))
    assert (found_rows, found_cols) == (rows, cols)
    assert len(found_cells) == len(digital_cells)
    for found, digital in zip(found_cells, digital_cells, strict=True):
        assert found == pytest.approx(digital, abs=1.0)


@pytest.mark.parametrize("angle", [0.4, -1.2, 2.5])
def test_a_crooked_noisy_scan_is_levelled_and_keeps_its_grid(summary_page, angle):
    rows, cols, digital_cells, gray, rect = summary_page
    crooked = _scanned_badly(gray, angle)
    x0, _y0, _x1, y1 = digital_cells[0]
    unlevelled = _grid_shape(find_ruling_lines(crooked, DPI), rect, (x0 + 5, y1 - 3))
    assert unlevelled[:2] != (rows, cols)  # the premise: without levelling the grid falls apart
    level, applied = deskew(crooked)
    assert applied == pytest.approx(-angle, abs=0.06)
    found_rows, found_cols, found_cells = _grid_shape(find_ruling_lines(level, DPI), rect, (x0 + 5, y1 - 3))
    assert (found_rows, found_cols) == (rows, cols)
    # rotation about the page centre moves the grid by under a point or two near its middle
    for found, digital in zip(found_cells, digital_cells, strict=True):
        assert found == pytest.approx(digital, abs=3.0)


def test_a_level_page_is_not_resampled(summary_page):
    gray = summary_page[3]
    level, applied = deskew(gray)
    assert applied == 0.0
    assert level is gray


def test_glyph_strokes_are_not_vertical_rules(summary_page):
    _rows, cols, _cells, gray, _rect = summary_page
    vertical = [line for line in find_ruling_lines(gray, DPI) if line.is_vertical]
    # five column borders; the strokes of the bold 18 pt heading above the table are dropped
    assert len({round(line.x0) for line in vertical}) == cols + 1
    assert all(line.y0 > 250 for line in vertical)


def test_blank_image_has_no_rules():
    assert find_ruling_lines(np.full((400, 300), 255, np.uint8), DPI) == []


BORDER = RulingLine(150.0, 190.0, 150.0, 230.0)


def test_fused_amounts_split_at_the_number_boundary_nearest_the_line():
    fused = Word(text="1,100.265,538.67", bbox=(100.0, 200.0, 200.0, 212.0), confidence=0.93)
    left, right = split_words_at_rulings([fused], [BORDER])
    assert (left.text, right.text) == ("1,100.26", "5,538.67")
    assert left.bbox == (100.0, 200.0, 150.0, 212.0)
    assert right.bbox == (150.0, 200.0, 200.0, 212.0)
    assert left.confidence == right.confidence == 0.93


def test_fused_amounts_without_separators_split_after_two_decimals():
    # the line crosses nearer the start: the proportional cut alone would fall inside 1699.45
    fused = Word(text="1699.4512644.67", bbox=(100.0, 200.0, 220.0, 212.0), confidence=0.9)
    assert [w.text for w in split_words_at_rulings([fused], [BORDER])] == ["1699.45", "12644.67"]


def test_three_cells_fused_are_cut_at_both_lines():
    fused = Word(text="10.0020.0030.00", bbox=(100.0, 200.0, 250.0, 212.0), confidence=0.9)
    second = RulingLine(200.0, 190.0, 200.0, 230.0)
    assert [w.text for w in split_words_at_rulings([fused], [BORDER, second])] == ["10.00", "20.00", "30.00"]


def test_text_is_cut_in_proportion_to_character_widths():
    fused = Word(text="项目名称2024", bbox=(100.0, 200.0, 200.0, 212.0), confidence=0.9)
    line = RulingLine(166.7, 190.0, 166.7, 230.0)  # 8 of 12 width units are CJK
    assert [w.text for w in split_words_at_rulings([fused], [line])] == ["项目名称", "2024"]


def test_a_lone_amount_overlapping_a_rule_is_kept_whole():
    # padded OCR boxes of right-aligned amounts can reach over the cell border
    amount = Word(text="2,106.66", bbox=(100.0, 200.0, 160.0, 212.0), confidence=0.99)
    line = RulingLine(152.0, 190.0, 152.0, 230.0)
    assert split_words_at_rulings([amount], [line]) == [amount]


def test_label_fused_with_its_amount_is_cut_where_the_script_changes():
    fused = Word(text="本年收入合计2,946.25", bbox=(100.0, 200.0, 220.0, 212.0), confidence=0.9)
    line = RulingLine(162.0, 190.0, 162.0, 230.0)  # 10.3 of 20 width units: the 合|2 change is at 12
    assert [w.text for w in split_words_at_rulings([fused], [line])] == ["本年收入合计", "2,946.25"]


def test_words_not_crossed_by_a_rule_are_kept_whole():
    words = [
        Word(text="2,940.05", bbox=(100.0, 200.0, 145.0, 212.0)),  # ends before the line
        Word(text="上海市普陀区财政局", bbox=(100.0, 150.0, 200.0, 165.0)),  # above the line's span
        Word(text="6.20", bbox=(148.0, 200.0, 170.0, 212.0)),  # only touches it at its edge
    ]
    assert split_words_at_rulings(words, [BORDER]) == words
