"""Scanned pages read with real OCR: a real statement page rendered to an image-only PDF, through ingest().

OCR costs seconds per page here, so each scanned document is OCR'd once per module.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pymupdf
import pytest

from extractor.errors import IngestError
from extractor.ingest import ingest, pdf_scanned
from extractor.ingest.options import IngestOptions
from extractor.ingest.pdf_scanned import ocr_pages
from extractor.ingest.tables import read_tables
from schemas.document import Document
from tests.conftest import pdf

SUMMARY_PAGE = 6
"""收入支出决算总表 of the finance report: 29 rows x 4 columns, amounts in 万元."""

NAMED_VALUES = {
    # row label (column 0 or 2) -> the amount printed in the next column
    "一、一般公共预算财政拨款收入": "2,940.05",
    "八、其他收入": "6.20",
    "本年收入合计": "2,946.25",
    "八、社会保障和就业支出": "326.71",
    "十九、住房保障支出": "445.69",
}


def _image_only_pdf(target: Path, pages: list[pymupdf.Page], dpi: int = 200) -> Path:
    """Each page rendered at `dpi` and placed as the only content of a same-size page: a scan."""
    with pymupdf.open() as scan:
        for page in pages:
            pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            new = scan.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, pixmap=pixmap)
        scan.save(target, deflate=True)
    return target


def _no_network(*_args, **_kwargs):
    raise AssertionError("OCR tried to reach the network")


@pytest.fixture(scope="module")
def digital():
    """The digital summary page: its words and its table as read from the text layer."""
    with pymupdf.open(pdf("putuo-finance-2024-final-accounts")) as document:
        page = document[SUMMARY_PAGE - 1]
        (table,) = read_tables(page, SUMMARY_PAGE)
        yield page.get_text("words"), table


@pytest.fixture(scope="module")
def scanned_pdf(tmp_path_factory) -> Path:
    with pymupdf.open(pdf("putuo-finance-2024-final-accounts")) as document:
        return _image_only_pdf(tmp_path_factory.mktemp("scan") / "summary.pdf", [document[SUMMARY_PAGE - 1]])


@pytest.fixture(scope="module")
def scanned_document(scanned_pdf) -> Document:
    """The full ingest() of the scanned summary page, OCR in this process, with sockets unusable."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _no_network)
        patch.setattr(socket, "create_connection", _no_network)
        return ingest(scanned_pdf, IngestOptions(jobs=1))


@pytest.fixture(scope="module")
def ocr_result(scanned_document):
    (page,) = scanned_document.pages
    return page, scanned_document.tables


def test_ingest_marks_the_document_scanned(scanned_document, scanned_pdf):
    assert scanned_document.source.input_kind == "pdf_scanned"
    assert scanned_document.source.file == scanned_pdf.name
    assert scanned_document.source.pages == 1
    assert [table.id for table in scanned_document.tables] == ["t1"]
    assert scanned_document.tables[0].page_start == scanned_document.tables[0].page_end == 1


def _row_holding(table, label: str) -> tuple[int, int]:
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            if cell.text == label:
                return i, j
    raise AssertionError(f"no cell reads {label!r}")


def test_ocr_recovers_named_amounts_in_their_cells(ocr_result, digital):
    _page, tables = ocr_result
    (table,) = tables
    _words, digital_table = digital
    for label, amount in NAMED_VALUES.items():
        i, j = _row_holding(table, label)
        assert table.cell_text(i, j + 1) == amount, label
        assert (i, j) == _row_holding(digital_table, label), label
        assert table.rows[i].cells[j + 1].confidence > 0.9


def test_table_shape_and_cells_match_the_digital_page(ocr_result, digital):
    _page, (table,) = ocr_result
    _words, digital_table = digital
    assert (len(table.rows), table.n_cols) == (len(digital_table.rows), digital_table.n_cols) == (29, 4)
    assert table.title == digital_table.title == "收入支出决算总表"
    assert table.unit == digital_table.unit == "万元"
    pairs = [(ocr.text, dig.text) for ocr_row, dig_row in zip(table.rows, digital_table.rows, strict=True)
             for ocr, dig in zip(ocr_row.cells, dig_row.cells, strict=True)]
    same = sum(ocr == dig for ocr, dig in pairs)
    assert same / len(pairs) >= 0.97, [pair for pair in pairs if pair[0] != pair[1]]
    for ocr_row, dig_row in zip(table.rows, digital_table.rows, strict=True):
        for ocr, dig in zip(ocr_row.cells, dig_row.cells, strict=True):
            assert ocr.bbox == pytest.approx(dig.bbox, abs=1.5)
            assert (ocr.confidence is None) == (ocr.text == "")


def test_word_boxes_land_on_the_digital_words(ocr_result, digital):
    page, _tables = ocr_result
    digital_words, _table = digital
    amounts = [w for w in digital_words if w[4] in NAMED_VALUES.values() or w[4] == "2,106.66"]
    assert len(amounts) == 7  # 2,940.05 is printed twice
    for x0, y0, x1, y1, text, *_ in amounts:
        centre = (y0 + y1) / 2
        same_text = [w.bbox for w in page.words if w.text == text]
        assert same_text, text
        ox0, oy0, ox1, oy1 = min(same_text, key=lambda b: abs((b[1] + b[3]) / 2 - centre))
        # digital word boxes are line-height tall, OCR boxes hug the glyphs with a pt or two of padding:
        # compare the horizontal edges and the vertical centres
        assert (ox0, ox1) == pytest.approx((x0, x1), abs=3.5), text
        assert (oy0 + oy1) / 2 == pytest.approx(centre, abs=3.5), text


def test_page_text_in_reading_order_with_confidence(ocr_result):
    page, _tables = ocr_result
    assert (page.number, page.width, page.height) == (1, 595.0, 842.0)
    lines = page.text.splitlines()
    assert lines[0].replace(" ", "") == "第二部分上海市普陀区财政局2024年度部门决算表"
    assert lines[1] == "收入支出决算总表"
    assert "一、一般公共预算财政拨款收入\t2,940.05\t一、一般公共服务支出\t2,106.66" in lines
    assert lines[-1] == "本年收入合计\t2,946.25\t本年支出合计\t2,940.05"
    assert all(w.confidence is not None and 0 < w.confidence <= 1 for w in page.words)
    assert page.ocr_confidence == pytest.approx(sum(w.confidence for w in page.words) / len(page.words))
    assert page.ocr_confidence > 0.95


@pytest.fixture(scope="module")
def short_pages_pdf(tmp_path_factory) -> Path:
    """Three scanned pages with one short line each (cheap to OCR), to exercise the process pool."""
    with pymupdf.open() as source:
        for text in ("第一页收入", "第二页支出", "第三页合计"):
            page = source.new_page(width=300, height=200)
            page.insert_text((40, 100), text, fontname="china-s", fontsize=24)
        return _image_only_pdf(tmp_path_factory.mktemp("short") / "short.pdf", list(source))


def test_worker_pool_returns_pages_in_the_order_asked(short_pages_pdf, monkeypatch):
    # let two workers share the cores even on a 2-core machine, so the pool itself runs
    monkeypatch.setattr(pdf_scanned, "_MIN_THREADS_PER_WORKER", 1)
    results = ocr_pages(short_pages_pdf, [3, 1, 2], IngestOptions(jobs=2))
    assert [page.number for page, _tables in results] == [3, 1, 2]
    assert [page.text for page, _tables in results] == ["第三页合计", "第一页收入", "第二页支出"]
    assert all(tables == [] for _page, tables in results)


def test_blank_scanned_page_raises_naming_file_and_page(tmp_path, monkeypatch):
    with pymupdf.open() as source:
        source.new_page(width=595, height=842)
        source.new_page(width=595, height=842)
        blank = _image_only_pdf(tmp_path / "blank.pdf", list(source))
    # through the worker pool: the error must still carry the file, which a pickled exception would lose
    monkeypatch.setattr(pdf_scanned, "_MIN_THREADS_PER_WORKER", 1)
    with pytest.raises(IngestError) as raised:
        ocr_pages(blank, [2, 1], IngestOptions(jobs=2))
    assert raised.value.file == str(blank)
    assert str(raised.value) == f"{blank}: page 2: OCR found no text"


def test_page_outside_the_document_raises(scanned_pdf):
    with pytest.raises(IngestError, match=r"summary\.pdf: page 5: cannot render the page for OCR"):
        ocr_pages(scanned_pdf, [5], IngestOptions(jobs=1))


def test_ingest_of_a_blank_scan_raises_instead_of_returning_an_empty_document(tmp_path):
    with pymupdf.open() as source:
        source.new_page(width=595, height=842)
        blank = _image_only_pdf(tmp_path / "blank-scan.pdf", list(source))
    with pytest.raises(IngestError, match=r"blank-scan\.pdf: page 1: OCR found no text"):
        ingest(blank, IngestOptions(jobs=1))
