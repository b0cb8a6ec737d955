"""What ingestion and segmentation produce: pages, words, table grids and sections, with provenance."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

BBox = tuple[float, float, float, float]
"""(x0, y0, x1, y1) on a page, in PDF points, origin top-left."""

InputKind = Literal["pdf_text", "pdf_scanned", "text"]


class Word(BaseModel):
    text: str
    bbox: BBox
    confidence: float | None = Field(None, description="OCR confidence in [0, 1]; None for a text layer")


class Page(BaseModel):
    number: int = Field(description="1-based page number")
    width: float
    height: float
    text: str = Field(description="page text in reading order")
    words: list[Word] = Field(default_factory=list)
    ocr_confidence: float | None = Field(None, description="mean OCR confidence when the page was OCR'd")


class Cell(BaseModel):
    text: str = Field(description="cell text, built from the words inside the cell ordered by position")
    bbox: BBox | None = None
    confidence: float | None = None


class TableRow(BaseModel):
    page: int = Field(description="page the row is printed on")
    cells: list[Cell]


class TableGrid(BaseModel):
    """A rectangular grid; a cell spanning several columns keeps its text in the first and '' elsewhere."""

    id: str = Field(description="stable id within the document, e.g. 't3'")
    title: str | None = Field(None, description="table title printed above it, e.g. 支出决算表")
    unit: str | None = Field(None, description="unit printed with the table: 元 or 万元")
    page_start: int
    page_end: int
    n_cols: int
    rows: list[TableRow]

    def cell_text(self, row: int, col: int) -> str:
        return self.rows[row].cells[col].text


class SectionKind(StrEnum):
    STATEMENT_TABLE = "statement_table"
    INDICATOR_TABLE = "indicator_table"
    PROJECT_SELF_EVALUATION = "project_self_evaluation"
    NARRATIVE = "narrative"
    PROBLEMS = "problems"
    MEASURES = "measures"


class Section(BaseModel):
    id: str = Field(description="stable id within the document, e.g. 's12'")
    title: str
    level: int = Field(description="1 for 一、 / 第一部分, 2 for (一), 3 for 1., tables sit below their heading")
    kind: SectionKind
    page_start: int
    page_end: int
    text: str = Field(description="the section's own text, without its children's")
    table_ids: list[str] = Field(default_factory=list)
    children: list[Section] = Field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class SourceInfo(BaseModel):
    file: str
    sha256: str
    pages: int
    input_kind: InputKind


class Document(BaseModel):
    source: SourceInfo
    pages: list[Page]
    tables: list[TableGrid] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list, description="filled by segment()")

    def table(self, table_id: str) -> TableGrid:
        for table in self.tables:
            if table.id == table_id:
                return table
        raise KeyError(table_id)

    def all_sections(self):
        for section in self.sections:
            yield from section.walk()

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)
