"""What the model is asked to return (instructor response models), separate from the output contract.

Narrative tasks: every value comes with the quote it was read from (Quoted* leaves), nested the
way the contract is, so a leaf at `budget.adjusted` lands at `budget.adjusted`. Each leaf knows
how to check itself against the source text (grounding.py).
Table tasks: the model answers a mapping with row ids (r0, r1 ...) and column ids (c0 ...);
ids it was not shown fail validation, which makes instructor re-ask.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, Field, field_validator, model_validator

from extractor.extract.llm.grounding import (
    Grounding,
    SourceText,
    ground_number,
    ground_quote,
    ground_text,
    numbers_in,
)
from extractor.numbers import parse_number
from schemas.extraction import Grade, ReportType

_QUOTE = "the exact text copied from the document that contains the value; null when the value is null"


class Quoted(BaseModel):
    """A value and the quote it was read from."""

    quote: str | None = Field(None, description=_QUOTE)

    def ground(self, source: SourceText) -> Grounding:
        raise NotImplementedError

    def contract_value(self):
        return getattr(self, "value")  # noqa: B009 - every subclass defines value


def _number_from_text(value: object) -> object:
    """Models often answer '1,430.40', '99.93%' or '30人': read such a string the way the report prints it."""
    if isinstance(value, str) and value.strip():
        parsed = parse_number(value)
        if parsed is None:
            raise ValueError(f"{value!r} is not a number")
        return parsed.value
    return value


class QuotedNumber(Quoted):
    value: Decimal | None = Field(None, description="the number, without thousands separators; null when not stated")

    _read_number = field_validator("value", mode="before")(staticmethod(_number_from_text))

    def ground(self, source: SourceText) -> Grounding:
        return ground_number(self.value, self.quote, source)


class QuotedCount(Quoted):
    value: int | None = Field(None, description="a whole number (people, a year); null when not stated")

    _read_number = field_validator("value", mode="before")(staticmethod(_number_from_text))

    def ground(self, source: SourceText) -> Grounding:
        return ground_number(self.value, self.quote, source)


class QuotedText(Quoted):
    value: str | None = Field(None, description="the text as printed; null when not stated")

    def ground(self, source: SourceText) -> Grounding:
        return ground_text(self.value, self.quote, source)


class QuotedDate(Quoted):
    value: date | None = Field(None, description="ISO date YYYY-MM-DD; null when not stated")

    def ground(self, source: SourceText) -> Grounding:
        found = ground_quote(self.quote, source)
        if not found.grounded:
            return found
        numbers = numbers_in(self.quote or "")
        if all(Decimal(part) in numbers for part in (self.value.year, self.value.month, self.value.day)):
            return found
        return Grounding("value_not_in_quote", found.page, self.quote, 0.1,
                         f"date {self.value} is not what the quote {self.quote!r} prints")


class QuotedReportType(Quoted):
    value: ReportType | None = Field(None, description=(
        "performance_self_evaluation (部门整体支出绩效自评/评价报告), final_accounts (部门决算/决算公开), "
        "budget (部门预算/单位预算), project_self_evaluation (standalone 项目支出绩效自评)"))

    def ground(self, source: SourceText) -> Grounding:
        return ground_quote(self.quote, source)


class QuotedGrade(Quoted):
    value: Grade | None = Field(None, description="优, 良, 中 or 差 (a report's 较差 counts as 中)")

    def ground(self, source: SourceText) -> Grounding:
        printed = "较差" if self.value == "中" and "较差" in (self.quote or "") else self.value
        return ground_text(self.value, self.quote, source, must_contain=printed)


# --- narrative answers, nested like the contract -------------------------------------------------

class MetaFields(BaseModel):
    department: QuotedText = Field(default_factory=QuotedText, description="reporting body, full name as printed")
    region: QuotedText = Field(default_factory=QuotedText, description="administrative area of that body, e.g. 怀化市洪江区")
    fiscal_year: QuotedCount = Field(default_factory=QuotedCount, description="year reported on, not the year written")
    report_type: QuotedReportType = Field(default_factory=QuotedReportType)
    report_date: QuotedDate = Field(default_factory=QuotedDate, description="date printed on the report")
    budget_code: QuotedText = Field(default_factory=QuotedText, description="预算编码")


class MetaAnswer(BaseModel):
    meta: MetaFields = Field(default_factory=MetaFields)


class StaffingFields(BaseModel):
    authorized: QuotedCount = Field(default_factory=QuotedCount, description="编制人数 / 编制数, all kinds of posts together")
    actual: QuotedCount = Field(default_factory=QuotedCount, description="实有人数 / 在职人数 at year end")


class BudgetFields(BaseModel):
    initial: QuotedNumber = Field(default_factory=QuotedNumber, description="年初预算数, 万元")
    adjusted: QuotedNumber = Field(default_factory=QuotedNumber, description="全年预算数 / 调整后预算, 万元")
    spent: QuotedNumber = Field(default_factory=QuotedNumber, description="全年执行数 / 决算支出 / 本年支出合计, 万元")
    execution_rate: QuotedNumber = Field(default_factory=QuotedNumber, description="预算执行率, percent")
    basic: QuotedNumber = Field(default_factory=QuotedNumber, description="基本支出 (spent), 万元")
    project: QuotedNumber = Field(default_factory=QuotedNumber, description="项目支出 (spent), 万元")


class BudgetAnswer(BaseModel):
    staffing: StaffingFields = Field(default_factory=StaffingFields)
    budget: BudgetFields = Field(default_factory=BudgetFields)


class ThreePublicAmountFields(BaseModel):
    total: QuotedNumber = Field(default_factory=QuotedNumber, description="三公经费合计, 万元")
    overseas: QuotedNumber = Field(default_factory=QuotedNumber, description="因公出国(境)费, 万元")
    vehicle_purchase: QuotedNumber = Field(default_factory=QuotedNumber, description="公务用车购置费, 万元")
    vehicle_operation: QuotedNumber = Field(default_factory=QuotedNumber, description="公务用车运行维护费, 万元")
    reception: QuotedNumber = Field(default_factory=QuotedNumber, description="公务接待费, 万元")


class ThreePublicFields(BaseModel):
    budget: ThreePublicAmountFields = Field(default_factory=ThreePublicAmountFields, description="预算数")
    actual: ThreePublicAmountFields = Field(default_factory=ThreePublicAmountFields, description="决算数 / 实际支出")


class ThreePublicAnswer(BaseModel):
    three_public: ThreePublicFields = Field(default_factory=ThreePublicFields)


class EvaluationFields(BaseModel):
    score: QuotedNumber = Field(default_factory=QuotedNumber, description="自评总分 of the department as a whole")
    grade: QuotedGrade = Field(default_factory=QuotedGrade)


class EvaluationAnswer(BaseModel):
    evaluation: EvaluationFields = Field(default_factory=EvaluationFields)


class ProblemsMeasuresAnswer(BaseModel):
    problems: list[str] = Field(default_factory=list, description="存在的问题, one point each, copied exactly")
    measures: list[str] = Field(default_factory=list, description="改进措施 / 下一步 / 有关建议, one point each, copied exactly")


# --- table mappings ----------------------------------------------------------------------------

_ROW_ID = re.compile(r"^r(\d+)$")
_COL_ID = re.compile(r"^c(\d+)$")


def row_index(row_id: str) -> int:
    return int(_ROW_ID.match(row_id.strip())[1])


def col_index(col_id: str | None) -> int | None:
    return None if col_id is None else int(_COL_ID.match(col_id.strip())[1])


class _Shown(BaseModel):
    """Base of table answers: ids must be ones the prompt showed (set per request on a subclass)."""

    shown_rows: ClassVar[frozenset[str]] = frozenset()
    shown_cols: ClassVar[frozenset[str]] = frozenset()

    def _check(self, ids: list[str | None], allowed: frozenset[str], what: str) -> None:
        unknown = sorted({i for i in ids if i is not None and i.strip() not in allowed})
        if unknown:
            raise ValueError(f"{what} ids {unknown} were not shown; use only {sorted(allowed)[:8]}...")

    @classmethod
    def for_ids(cls, rows: list[int], n_cols: int):
        """A subclass accepting exactly these row ids and columns c0..c{n_cols-1}."""
        return type(cls.__name__, (cls,), {
            "__module__": cls.__module__,
            "shown_rows": frozenset(f"r{r}" for r in rows),
            "shown_cols": frozenset(f"c{c}" for c in range(n_cols)),
        })


def _as_row_ids(ids: object) -> object:
    """A bare row number (3) is taken as its id ('r3')."""
    return [f"r{i}" if isinstance(i, int) else i for i in ids] if isinstance(ids, list) else ids


class _RowsAnswer(_Shown):
    header_rows: list[str] = Field(default_factory=list, description="ids of column-heading rows (r0 ...)")
    data_rows: list[str] = Field(default_factory=list, description="ids of rows that hold data lines")
    skipped_rows: list[str] = Field(default_factory=list, description=(
        "ids of every other row shown (titles, notes, 栏次, blank or text-only rows): each shown row "
        "goes in exactly one of header_rows, data_rows, skipped_rows"))

    _row_ids = field_validator("header_rows", "data_rows", "skipped_rows", mode="before")(staticmethod(_as_row_ids))

    @model_validator(mode="after")
    def _rows_were_shown(self):
        if self.shown_rows:
            self._check(self.header_rows + self.data_rows + self.skipped_rows, self.shown_rows, "row")
        return self

    def _check_cols(self, cols: list[str | None]) -> None:
        if self.shown_cols:
            self._check(cols, self.shown_cols, "column")


class ValueColumn(BaseModel):
    name: str = Field(description="the value column's printed name, e.g. 决算数, 基本支出, 本年收入合计")
    column: str = Field(description="its column id, e.g. c3")


class SideAnswer(BaseModel):
    code: str | None = Field(None, description="column id of 科目编码 (the first one when 类/款/项 are split), or null")
    name: str | None = Field(None, description="column id of 科目名称 / 项目")
    values: list[ValueColumn] = Field(default_factory=list, description="the value columns of this side")


class StatementTableAnswer(_RowsAnswer):
    title: str | None = Field(None, description="table title as printed, e.g. 支出决算表")
    unit: str | None = Field(None, description="元 or 万元 as the table prints it")
    sides: list[SideAnswer] = Field(default_factory=list, description=(
        "one side, or two for a table printed 收入 | 支出 side by side (income side first)"))

    @model_validator(mode="after")
    def _cols_were_shown(self):
        self._check_cols([c for s in self.sides for c in [s.code, s.name, *(v.column for v in s.values)]])
        return self

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str | None) -> str | None:
        if unit is not None and unit.strip() not in {"元", "万元", "千元", "亿元"}:
            raise ValueError("unit must be 元, 万元, 千元 or 亿元 (or null)")
        return unit.strip() if unit else unit


class IndicatorColumns(BaseModel):
    level1: str | None = Field(None, description="column id of 一级指标")
    level2: str | None = Field(None, description="column id of 二级指标")
    name: str | None = Field(None, description="column id of 三级指标")
    target: str | None = Field(None, description="column id of 年度指标值 / 年初目标值")
    actual: str | None = Field(None, description="column id of 实际完成值")
    weight: str | None = Field(None, description="column id of 分值")
    score: str | None = Field(None, description="column id of 得分")


class IndicatorTableAnswer(_RowsAnswer):
    """data_rows: one row per 三级指标 (the rows of the indicator block only)."""

    columns: IndicatorColumns = Field(default_factory=IndicatorColumns)

    @model_validator(mode="after")
    def _cols_were_shown(self):
        self._check_cols(list(self.columns.model_dump().values()))
        return self


class CellId(BaseModel):
    row: str = Field(description="row id, e.g. r3")
    column: str = Field(description="column id, e.g. c2")


class ProjectTableAnswer(_RowsAnswer):
    """A 项目支出绩效自评表: summary cells and, as data_rows, its indicator rows (one per 三级指标)."""

    name: CellId | None = Field(None, description="the cell holding the project name (项目名称)")
    budget: CellId | None = Field(None, description="the cell of 全年预算数 on the 年度资金总额 row")
    spent: CellId | None = Field(None, description="the cell of 全年执行数 on the 年度资金总额 row")
    execution_rate: CellId | None = Field(None, description="the cell of 执行率")
    score: CellId | None = Field(None, description="the cell of the total score (总分 row, 得分 column)")
    unit: str | None = Field(None, description="元 or 万元, the unit printed for 项目资金")
    columns: IndicatorColumns = Field(default_factory=IndicatorColumns)

    @model_validator(mode="after")
    def _cells_were_shown(self):
        cells = [c for c in (self.name, self.budget, self.spent, self.execution_rate, self.score) if c]
        if self.shown_rows:
            self._check([c.row for c in cells], self.shown_rows, "row")
        self._check_cols([c.column for c in cells] + list(self.columns.model_dump().values()))
        return self
