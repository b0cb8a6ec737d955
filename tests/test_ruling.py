"""Ruling lines found in a real rendered table page, and fused OCR words split at a ruling line."""

from __future__ import annotations

import numpy as np
import pymupdf
import pytest

from extractor.ingest.ruling import RulingLine, find_ruling_lines, split_words_at_rulings
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


def test_ruling_lines_rebuild_the_digital_grid(summary_page):
    rows, cols, digital_cells, gray, rect = summary_page
    lines = find_ruling_lines(gray, DPI)
    with pymupdf.open() as scratch:
        blank = scratch.new_page(width=rect.width, height=rect.height)
        x0, y0, _x1, y1 = digital_cells[0]
        blank.insert_text((x0 + 5, y1 - 3), "x")  # find_tables drops line grids without text inside
        (table,) = blank.find_tables(use_layout=False, add_lines=[line.as_points() for line in lines]).tables
        assert (table.row_count, table.col_count) == (rows, cols)
        found_cells = [tuple(c) for c in table.cells if c]
    assert len(found_cells) == len(digital_cells)
    for found, digital in zip(found_cells, digital_cells, strict=True):
        assert found == pytest.approx(digital, abs=1.0)


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


def test_words_not_crossed_by_a_rule_are_kept_whole():
    words = [
        Word(text="2,940.05", bbox=(100.0, 200.0, 145.0, 212.0)),  # ends before the line
        Word(text="上海市普陀区财政局", bbox=(100.0, 150.0, 200.0, 165.0)),  # above the line's span
        Word(text="6.20", bbox=(148.0, 200.0, 170.0, 212.0)),  # only touches it at its edge
    ]
    assert split_words_at_rulings(words, [BORDER]) == words
