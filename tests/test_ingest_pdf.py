"""ingest() on real digital PDFs: pages, words, tables merged across pages, provenance."""

from __future__ import annotations

import hashlib

import pymupdf
import pytest

from extractor.ingest import IngestOptions, ingest
from extractor.ingest.merge import merge_tables
from extractor.ingest.pdf_text import needs_ocr
from schemas.document import Cell, Page, TableGrid, TableRow, Word
from tests.conftest import pdf


@pytest.fixture(scope="module")
def finance():
    return ingest(pdf("putuo-finance-2024-final-accounts"))


@pytest.fixture(scope="module")
def justice():
    return ingest(pdf("putuo-justice-2026-dept-budget"))


def _table(doc, title):
    (table,) = [t for t in doc.tables if t.title == title]
    return table


def test_source_pages_and_words(finance):
    path = pdf("putuo-finance-2024-final-accounts")
    assert finance.source.input_kind == "pdf_text"
    assert finance.source.pages == 25 == len(finance.pages)
    assert finance.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [page.number for page in finance.pages] == list(range(1, 26))
    assert finance.sections == []  # segment() fills them
    page = finance.pages[5]
    assert page.width == pytest.approx(595) and page.height == pytest.approx(842)
    assert "收入支出决算总表" in page.text.splitlines()
    assert any(word.text == "2,940.05" and word.confidence is None for word in page.words)
    # a page with ruling lines but no text is an empty page, not a scan to OCR
    assert finance.pages[13].text == "" and finance.pages[13].words == []


def test_tables_are_numbered_in_reading_order(finance):
    assert [t.id for t in finance.tables] == [f"t{i}" for i in range(1, len(finance.tables) + 1)]
    starts = [(t.page_start, t.rows[0].cells[0].bbox[1] if t.rows[0].cells[0].bbox else 0) for t in finance.tables]
    assert starts == sorted(starts)
    assert [t.title for t in finance.tables[1:4]] == ["收入支出决算总表", "收入决算表", "支出决算表"]


def test_summary_table_continued_on_the_next_page_is_one_grid(finance):
    table = _table(finance, "收入支出决算总表")
    assert (table.page_start, table.page_end) == (6, 7)
    assert {row.page for row in table.rows} == {6, 7}
    income = next(r for r in table.rows if r.cells[0].text == "一、一般公共预算财政拨款收入")
    assert income.page == 6 and income.cells[1].text == "2,940.05"
    total = [r for r in table.rows if r.cells[0].text == "总计"]
    assert len(total) == 1 and total[0].page == 7
    assert [c.text for c in total[0].cells] == ["总计", "2,995.39", "总计", "2,995.39"]


def test_expenditure_table_over_two_pages_keeps_each_rows_page(finance):
    table = _table(finance, "支出决算表")
    assert (table.page_start, table.page_end) == (10, 11)
    pension = next(r for r in table.rows if [c.text for c in r.cells[:3]] == ["208", "05", "99"])
    assert pension.page == 11 and pension.cells[3].text == "其他行政事业单位养老支出"
    assert pension.cells[4].text == "0.94"


def test_repeated_header_on_the_continuation_page_is_dropped(justice):
    table = _table(justice, "2026年部门一般公共预算支出功能分类预算表")
    assert (table.page_start, table.page_end) == (15, 16)
    headers = [r for r in table.rows if r.cells[0].text == "项目"]
    assert len(headers) == 1 and headers[0].page == 15
    first_on_16 = next(r for r in table.rows if r.page == 16)
    assert [c.text for c in first_on_16.cells[:4]] == ["210", "", "", "卫生健康支出"]
    assert table.rows[-1].cells[0].text == "合计" and table.rows[-1].cells[4].text == "96282213.44"
    running = next(r for r in table.rows if [c.text for c in r.cells[:4]] == ["204", "06", "01", "行政运行"])
    assert [c.text for c in running.cells[4:]] == ["16726725.44", "16726725.44", "0.00"]


def test_separate_tables_on_consecutive_pages_stay_apart(justice):
    titles = [t.title for t in justice.tables]
    assert titles.count("2026年部门政府性基金预算支出功能分类预算表") == 1
    assert titles.count("2026年部门国有资本经营预算支出功能分类预算表") == 1
    assert all(t.page_start == t.page_end for t in justice.tables if "政府性基金" in (t.title or ""))


def _grid(title, page, texts, top=100.0):
    rows = [TableRow(page=page, cells=[Cell(text=text, bbox=(50.0 + 100 * j, top + 20 * i, 150.0 + 100 * j,
                                                             top + 20 * (i + 1)))
                                       for j, text in enumerate(row)])
            for i, row in enumerate(texts)]
    return TableGrid(id="", title=title, unit="元", page_start=page, page_end=page, n_cols=len(texts[0]), rows=rows)


def _page(number, *words):
    return Page(number=number, width=600, height=800, text="",
                words=[Word(text=text, bbox=bbox) for text, bbox in words])


def test_merge_needs_the_table_to_end_its_page_and_the_next_to_open_the_next():
    first = _grid("支出表", 1, [["项目", "金额"], ["a", "1.00"]], top=600)
    second = _grid(None, 2, [["项目", "金额"], ["b", "2.00"]], top=60)
    pages = [_page(1), _page(2, ("— 2 —", (280.0, 20.0, 320.0, 30.0)))]
    (merged,) = merge_tables([first, second], pages)
    assert [[c.text for c in r.cells] for r in merged.rows] == [["项目", "金额"], ["a", "1.00"], ["b", "2.00"]]
    assert [r.page for r in merged.rows] == [1, 1, 2]
    assert (merged.page_start, merged.page_end) == (1, 2)

    text_below = [_page(1, ("注：本表无数据", (50.0, 700.0, 150.0, 710.0))), _page(2)]
    assert len(merge_tables([first, second], text_below)) == 2
    titled = _grid("收入表", 2, [["项目", "金额"], ["b", "2.00"]], top=60)
    assert len(merge_tables([first, titled], pages)) == 2
    wider = _grid(None, 2, [["项目", "金额", "备注"], ["b", "2.00", ""]], top=60)
    assert len(merge_tables([first, wider], pages)) == 2


def test_a_page_without_text_layer_goes_to_ocr_and_the_document_is_scanned(tmp_path):
    """Page 1 keeps its text layer, page 2 is an image of the summary table: real OCR reads it."""
    path = tmp_path / "mixed.pdf"
    with pymupdf.open(pdf("putuo-finance-2024-final-accounts")) as source, pymupdf.open() as mixed:
        mixed.insert_pdf(source, from_page=20, to_page=20)
        image = source[5].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
        page = mixed.new_page(width=source[5].rect.width, height=source[5].rect.height)
        page.insert_image(page.rect, pixmap=image)
        mixed.save(path, deflate=True)
    doc = ingest(path, IngestOptions(jobs=1))
    assert doc.source.input_kind == "pdf_scanned"
    digital, scanned = doc.pages
    assert digital.ocr_confidence is None and all(w.confidence is None for w in digital.words)
    assert scanned.ocr_confidence is not None and scanned.words
    (table,) = doc.tables
    assert (table.id, table.title, table.unit, table.page_start) == ("t1", "收入支出决算总表", "万元", 2)
    income = next(r for r in table.rows if r.cells[0].text == "一、一般公共预算财政拨款收入")
    assert income.cells[1].text == "2,940.05" and income.cells[1].confidence is not None


def test_a_one_row_continuation_is_merged_not_lost():
    first = _grid("支出表", 1, [["项目", "金额"], ["a", "1.00"]], top=600)
    total = _grid(None, 2, [["合计", "1.00"]], top=60)
    (merged,) = merge_tables([first, total], [_page(1), _page(2)])
    assert [[c.text for c in r.cells] for r in merged.rows][-1] == ["合计", "1.00"]
    assert merged.rows[-1].page == 2


def test_scans_are_told_from_digital_pages():
    with pymupdf.open(pdf("putuo-finance-2024-final-accounts")) as source, pymupdf.open() as scratch:
        image = source[20].get_pixmap(dpi=72, colorspace=pymupdf.csGRAY)
        stamped = scratch.new_page(width=595, height=842)
        stamped.insert_image(stamped.rect, pixmap=image)
        stamped.insert_text((280, 830), "第 21 页", fontname="china-s", fontsize=9)
        chart = scratch.new_page(width=595, height=842)
        chart.insert_image(pymupdf.Rect(100, 100, 300, 200), pixmap=image)
        chart.insert_text((100, 230), "图1：收入结构图示", fontname="china-s", fontsize=9)
        bare = scratch.new_page(width=595, height=842)
        bare.insert_image(bare.rect, pixmap=image)
        scratch.new_page(width=595, height=842)  # blank: no text, no image
        assert [needs_ocr(page) for page in scratch] == [True, False, True, False]
        assert not needs_ocr(source[20])
