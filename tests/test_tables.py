"""Table grids read from real PDFs: cells built from words, titles and units, exact numbers."""

from __future__ import annotations

import re

import pymupdf
import pytest

from extractor.ingest import ingest
from extractor.ingest.tables import confidence_key, join_lines, read_tables
from tests.conftest import PDFS, pdf

NUMERIC_LOOKING = re.compile(r"^[-\d,.\s]+$")
WELL_FORMED_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?$")
CLIP_SAMPLE = 60
ALL_PDFS = sorted(path.stem for path in PDFS.glob("*.pdf"))


def _page_tables(name: str, page_number: int):
    with pymupdf.open(pdf(name)) as document:
        return read_tables(document[page_number - 1], page_number)


def _row(table, first_cell: str):
    for row in table.rows:
        if row.cells[0].text == first_cell:
            return row
    raise AssertionError(f"no row starting {first_cell!r} in {table.title}")


@pytest.fixture(scope="module")
def documents():
    return {name: ingest(pdf(name)) for name in ALL_PDFS}


def test_income_expenditure_summary_reads_the_printed_number_exactly():
    (table,) = _page_tables("putuo-finance-2024-final-accounts", 6)
    assert table.title == "收入支出决算总表"
    assert table.unit == "万元"
    assert table.n_cols == 4
    row = _row(table, "一、一般公共预算财政拨款收入")
    # Table.extract() gives '294005\n, .' for this cell
    assert row.cells[1].text == "2,940.05"
    assert row.cells[2].text == "一、一般公共服务支出"
    assert row.cells[3].text == "2,106.66"
    assert row.page == 6


def test_spanned_cells_keep_text_in_the_first_cell_and_every_cell_has_a_box():
    (table,) = _page_tables("putuo-finance-2024-final-accounts", 6)
    header = table.rows[0]
    assert [cell.text for cell in header.cells] == ["收入", "", "支出", ""]
    assert header.cells[1].bbox is None  # covered by 收入's span
    assert all(len(row.cells) == table.n_cols for row in table.rows)
    value = _row(table, "一、一般公共预算财政拨款收入").cells[1]
    x0, y0, x1, y1 = value.bbox
    assert 39 < x0 < x1 < 556 and 259 < y0 < y1 < 758


def test_expenditure_table_code_rows_with_split_code_columns():
    tables = _page_tables("putuo-finance-2024-final-accounts", 10)
    (table,) = tables
    assert table.title == "支出决算表" and table.unit == "万元"
    running = [row for row in table.rows if [c.text for c in row.cells[:4]] == ["201", "06", "01", "行政运行"]]
    assert len(running) == 1
    assert [c.text for c in running[0].cells[4:7]] == ["1,511.89", "1,503.52", "8.37"]
    # a cell wrapped over two lines is joined without a space
    assert any(c.text == "机关事业单位基本养老保险缴费支出" for row in table.rows for c in row.cells)


def test_expenditure_table_code_rows_with_seven_digit_codes(documents):
    table = next(t for t in documents["putuo-planning-2024-final-accounts"].tables if t.title == "支出决算表")
    row = _row(table, "2120101")
    assert [c.text for c in row.cells[1:5]] == ["行政运行", "1105.68", "1096.91", "8.77"]
    assert row.page == 11


def test_budget_tables_in_yuan_with_the_unit_beside_the_compiling_unit():
    tables = _page_tables("putuo-justice-2026-dept-budget", 10)
    (table,) = tables
    assert table.title == "2026年部门财务收支预算总表"
    assert table.unit == "元"
    row = _row(table, "一、财政拨款收入")
    assert row.cells[1].text == "96,282,213.44"
    assert row.cells[2].text == "一、公共安全支出"


def test_title_and_unit_gridded_inside_the_table_are_taken_out_of_its_rows():
    (table,) = _page_tables("putuo-justice-2026-unit-budget", 13)
    assert table.title == "2026年预算单位财政拨款收支预算总表"
    assert table.unit == "元"
    assert [c.text for c in table.rows[0].cells[:3]] == ["财政拨款收入", "", "财政拨款支出"]


def test_titles_look_past_the_unit_line_and_tables_without_a_caption_get_none():
    tables = _page_tables("putuo-finance-2024-final-accounts", 5)
    (units,) = tables
    assert units.title is None  # the line above is a sentence ending in ：
    assert [c.text for c in units.rows[0].cells] == ["序号", "单位名称", "备注"]
    (three_public,) = _page_tables("putuo-finance-2024-final-accounts", 18)
    assert three_public.title == "财政拨款“三公”经费支出决算表"


@pytest.mark.parametrize("name", ALL_PDFS)
def test_no_number_cell_is_scrambled(documents, name):
    numeric = [cell.text for table in documents[name].tables for row in table.rows for cell in row.cells
               if re.search(r"\d", cell.text) and NUMERIC_LOOKING.match(cell.text)]
    assert len(numeric) > 20
    bad = [text for text in numeric if not WELL_FORMED_NUMBER.match(text)]
    assert bad == []


@pytest.mark.parametrize("name", ALL_PDFS)
def test_cells_agree_with_text_clipped_to_the_cell_box(documents, name):
    """An independent reading: PyMuPDF's text clipped to a cell's box gives the same characters.

    Clipping costs ~10 ms a cell, so an evenly spread sample of the number cells is checked.
    """
    cells = [(row.page, cell) for table in documents[name].tables for row in table.rows for cell in row.cells
             if cell.bbox is not None and re.search(r"\d", cell.text)]
    sample = cells[:: max(1, len(cells) // CLIP_SAMPLE)]
    mismatches = []
    with pymupdf.open(pdf(name)) as document:
        for page, cell in sample:
            clipped = "".join(document[page - 1].get_text("text", clip=cell.bbox).split())
            if clipped != cell.text.replace(" ", ""):
                mismatches.append((page, cell.text, clipped))
    assert len(sample) >= 40
    assert mismatches == []


def test_confidences_give_each_cell_its_lowest_word_confidence():
    with pymupdf.open() as scratch:
        page = scratch.new_page(width=300, height=200)
        for x in (20, 150, 280):
            page.draw_line((x, 20), (x, 120))
        for y in (20, 70, 120):
            page.draw_line((20, y), (280, y))
        page.insert_text((30, 50), "项目", fontname="china-s", fontsize=12)
        page.insert_text((160, 50), "1,234.50", fontsize=12)
        page.insert_text((30, 100), "合计", fontname="china-s", fontsize=12)
        page.insert_text((160, 100), "99", fontsize=12)
        words = page.get_text("words")
        scores = {"项目": 0.91, "1,234.50": 0.62, "合计": 0.88}
        confidences = {confidence_key(w[:4]): scores[w[4]] for w in words if w[4] in scores}
        (table,) = read_tables(page, 1, confidences=confidences)
    assert [[c.text for c in row.cells] for row in table.rows] == [["项目", "1,234.50"], ["合计", "99"]]
    assert table.rows[0].cells[1].confidence == 0.62
    assert table.rows[1].cells[0].confidence == 0.88
    assert table.rows[1].cells[1].confidence is None  # no OCR score known for that word


def test_join_lines_keeps_cjk_tight_and_latin_spaced():
    assert join_lines(["本年收入合", "计"]) == "本年收入合计"
    assert join_lines(["Total", "amount"]) == "Total amount"
    assert join_lines(["", " 对附属单位", "补", "助支出 "]) == "对附属单位补助支出"


def _draw_two_by_two_table(page) -> None:
    """A ruled 2×2 table (项目 | 决算数, 合计 | 2,940.05) below y=80, leaving room for a title above."""
    for x in (50, 200, 350):
        page.draw_line((x, 80), (x, 180))
    for y in (80, 130, 180):
        page.draw_line((50, y), (350, y))
    page.insert_text((60, 110), "项目", fontname="china-s", fontsize=12)
    page.insert_text((210, 110), "决算数", fontname="china-s", fontsize=12)
    page.insert_text((60, 160), "合计", fontname="china-s", fontsize=12)
    page.insert_text((210, 160), "2,940.05", fontsize=12)


def test_title_and_unit_printed_on_one_line():
    with pymupdf.open() as scratch:
        page = scratch.new_page(width=400, height=300)
        page.insert_text((60, 60), "收入支出决算总表（单位：万元）", fontname="china-s", fontsize=12)
        _draw_two_by_two_table(page)
        (table,) = read_tables(page, 1)
    assert (table.title, table.unit) == ("收入支出决算总表", "万元")
    assert table.cell_text(1, 1) == "2,940.05"


@pytest.mark.parametrize(("header", "unit"), [
    ("编制单位：元宝山区财政局", None),  # the 单位： of 编制单位 followed by a name that starts with 元
    ("编制单位：元宝山区财政局  单位：万元", "万元"),
    ("单位：百万元", "百万元"),
    ("单位：人", None),  # a count, not the money unit of a table
])
def test_unit_is_a_money_unit_named_after_a_unit_header(header, unit):
    with pymupdf.open() as scratch:
        page = scratch.new_page(width=400, height=300)
        page.insert_text((60, 40), "收入支出决算总表", fontname="china-s", fontsize=12)
        page.insert_text((60, 60), header, fontname="china-s", fontsize=12)
        _draw_two_by_two_table(page)
        (table,) = read_tables(page, 1)
    assert (table.title, table.unit) == ("收入支出决算总表", unit)


def test_a_single_framed_row_is_read_but_not_kept_as_a_table(tmp_path):
    path = tmp_path / "framed.pdf"
    with pymupdf.open() as scratch:
        page = scratch.new_page(width=400, height=300)
        page.draw_rect((50, 50, 350, 100))
        page.draw_line((200, 50), (200, 100))
        page.insert_text((60, 80), "单位名称", fontname="china-s", fontsize=12)
        page.insert_text((210, 80), "某某局", fontname="china-s", fontsize=12)
        (row_only,) = read_tables(page, 1)  # the page reader keeps it: it may continue a table
        assert [c.text for c in row_only.rows[0].cells] == ["单位名称", "某某局"]
        scratch.save(path)
    doc = ingest(path)
    assert doc.tables == []  # a label and its value: the text stays page text
    assert doc.pages[0].text.split() == ["单位名称", "某某局"]
