"""How a table grid maps onto the output contract: "the model (or a rule) maps, the code reads".

An engine decides which rows are data and which column holds what; extractor/extract/table_reader.py
then reads every value from the cells, so numbers are never retyped and each is grounded in a cell.
Row and column indices are 0-based positions in TableGrid.rows / TableRow.cells.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class StatementSide(BaseModel):
    """One side of a statement table; a two-sided table (收入 | 支出) has two."""

    code: int | None = Field(None, description="column of 科目编码, if any")
    name: int | None = Field(None, description="column of 科目名称 / 项目")
    values: dict[str, int] = Field(
        default_factory=dict, description="printed value column name (e.g. 决算数, 基本支出) -> column")


class StatementMapping(BaseModel):
    table_id: str
    title: str | None = None
    unit: str | None = None
    header_rows: list[int] = Field(default_factory=list)
    data_rows: list[int] = Field(default_factory=list, description="rows that hold 科目 or 项目 lines")
    sides: list[StatementSide] = Field(default_factory=list)


class IndicatorMapping(BaseModel):
    table_id: str
    header_rows: list[int] = Field(default_factory=list)
    data_rows: list[int] = Field(default_factory=list, description="one row per 三级指标")
    level1: int | None = None
    level2: int | None = None
    name: int | None = None
    target: int | None = None
    actual: int | None = None
    weight: int | None = None
    score: int | None = None


class CellRef(BaseModel):
    row: int
    col: int


class ProjectMapping(BaseModel):
    """A 项目支出绩效自评表: summary cells plus its indicator rows (possibly in the same grid)."""

    table_id: str
    name: CellRef | None = None
    budget: CellRef | None = None
    spent: CellRef | None = None
    execution_rate: CellRef | None = None
    score: CellRef | None = None
    indicators: IndicatorMapping | None = None
