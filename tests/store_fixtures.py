"""Test data for the store, review and export tests: an extraction read off a real PDF with PyMuPDF.

The table is 2026年预算单位支出预算总表 of putuo-justice-2026-unit-budget.pdf (pages 11-12, amounts in 元),
whose row 2040601 行政运行 prints 项目支出 64,840,547.00 and so breaks the sum of its parent 20406.
Every value carries evidence (page, word box, quote) taken from the PDF's words.
"""

from __future__ import annotations

import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import pymupdf

from schemas.document import SourceInfo
from schemas.extraction import (
    Evidence,
    Meta,
    ReportExtraction,
    RunInfo,
    StatementRow,
    StatementTable,
)
from tests.conftest import pdf

JUSTICE = "putuo-justice-2026-unit-budget"
TABLE_PAGES = (11, 12)
COLUMNS = ("合计", "基本支出", "项目支出")
# right edges (x1, PDF points) of the three value columns on those pages
_COLUMN_RIGHT = {"合计": 530, "基本支出": 625, "项目支出": 720}


def copy_justice_pdf(directory: Path) -> Path:
    """A copy of the real PDF in a directory the test controls."""
    target = directory / f"{JUSTICE}.pdf"
    shutil.copyfile(pdf(JUSTICE), target)
    return target


def justice_extraction(path: Path) -> ReportExtraction:
    """The expenditure table of the justice bureau's unit budget, read from the PDF's words."""
    rows: list[StatementRow] = []
    evidence: dict[str, Evidence] = {}
    with pymupdf.open(path) as document:
        page_count = document.page_count
        for page_number in TABLE_PAGES:
            for line in _lines(document[page_number - 1]):
                row, cells = _row(line)
                if row is None:
                    continue
                index = len(rows)
                rows.append(row)
                for column, word in cells.items():
                    evidence[f"tables[0].rows[{index}].values.{column}"] = Evidence(
                        page=page_number, bbox=tuple(word[:4]), quote=word[4], confidence=0.9)
                evidence[f"tables[0].rows[{index}].name"] = Evidence(
                    page=page_number, bbox=tuple(line[-4][:4]), quote=row.name,
                    confidence=0.9)
    extraction = ReportExtraction(
        source=SourceInfo(file=path.name, sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                          pages=page_count, input_kind="pdf_text"),
        meta=Meta(department="上海市普陀区司法局", region="上海市普陀区", fiscal_year=2026, report_type="budget"),
        tables=[StatementTable(title="2026年预算单位支出预算总表", unit="元", columns=list(COLUMNS), rows=rows)],
        evidence=evidence,
        run=RunInfo(engine="test-fixture", started_at="2026-11-22T00:00:00"),
    )
    return extraction


def row_index(extraction: ReportExtraction, code: str) -> int:
    """Index of the row with this code in tables[0]."""
    return next(i for i, row in enumerate(extraction.tables[0].rows) if row.code == code)


def _lines(page: pymupdf.Page) -> list[list[tuple]]:
    lines: dict[int, list[tuple]] = {}
    for word in page.get_text("words"):
        lines.setdefault(round(word[1]), []).append(word)
    return [sorted(words, key=lambda w: w[0]) for _, words in sorted(lines.items())]


def _row(line: list[tuple]) -> tuple[StatementRow | None, dict[str, tuple]]:
    code_words = [w for w in line if w[2] < 220 and w[4].isdigit()]
    name_words = [w for w in line if 220 <= w[0] < 440]
    value_words = [w for w in line if w[0] >= 440]
    names = "".join(w[4] for w in name_words)
    if not value_words or not (code_words or names == "合计") or len(value_words) != len(COLUMNS):
        return None, {}
    cells: dict[str, tuple] = {}
    for word in value_words:
        column = min(_COLUMN_RIGHT, key=lambda c: abs(_COLUMN_RIGHT[c] - word[2]))
        cells[column] = word
    values = {column: Decimal(cells[column][4].replace(",", "")) for column in COLUMNS}
    return StatementRow(code="".join(w[4] for w in code_words) or None, name=names, values=values), cells


def validated(extraction: ReportExtraction) -> ReportExtraction:
    """The extraction with the flags the project's validators raise on it."""
    from extractor.validate import validate

    return validate(extraction, doc=None)
