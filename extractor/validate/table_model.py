"""Read a StatementTable the way the table rules need it: paths, row kinds, 科目 code levels, sides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extractor.validate.checks import compact
from schemas.extraction import StatementRow, StatementTable

_CODE = re.compile(r"^\d{3,}$")
PLAIN_TOTALS = frozenset({"合计", "总计", "小计"})
INCOME_TOTALS = frozenset({"本年收入合计", "收入合计", "本年收入小计"})
EXPENSE_TOTALS = frozenset({"本年支出合计", "支出合计", "本年支出小计"})
GRAND_TOTALS = frozenset({"总计", "收入总计", "支出总计"})


def value_path(table_index: int, row_index: int, column: str) -> str:
    return f"tables[{table_index}].rows[{row_index}].values.{column}"


def row_name(row: StatementRow) -> str:
    return compact(row.name or "").strip("：:")


def is_total_name(name: str) -> bool:
    return name in PLAIN_TOTALS or name in INCOME_TOTALS or name in EXPENSE_TOTALS or name in GRAND_TOTALS


def clean_code(row: StatementRow) -> str | None:
    code = compact(row.code or "")
    return code if _CODE.match(code) else None


def is_coded(table: StatementTable) -> bool:
    return sum(1 for row in table.rows if clean_code(row)) >= 2


def label(table: StatementTable, row: StatementRow) -> str:
    """How a message names a row: '20406 司法' or '合计'."""
    code = clean_code(row)
    name = (row.name or "").strip()
    return f"{code} {name}".strip() if code else (name or "（无名称行）")


def table_label(table: StatementTable, table_index: int) -> str:
    return table.title or f"第{table_index + 1}张表"


def row_has_values(row: StatementRow) -> bool:
    return any(v is not None for v in row.values.values())


@dataclass(frozen=True)
class Sides:
    """Row index ranges of a two-sided table: income rows then expenditure rows."""

    income: range
    expense: range


def two_sided_split(table: StatementTable) -> Sides | None:
    """Where the income side ends: after its first grand total (总计 / 收入总计) row.

    A table is two-sided when it names both an income and an expenditure total, or prints 总计 twice.
    """
    names = [row_name(row) for row in table.rows]
    has_income = any(n in INCOME_TOTALS or n == "收入总计" for n in names)
    has_expense = any(n in EXPENSE_TOTALS or n == "支出总计" for n in names)
    grand = [i for i, n in enumerate(names) if n in GRAND_TOTALS]
    if not ((has_income and has_expense) or len(grand) >= 2):
        return None
    end = next((i for i in grand if names[i] != "支出总计"), None)
    if end is None:
        end = next((i for i, n in enumerate(names) if n in EXPENSE_TOTALS), len(names)) - 1
        end = _last_income_row(names, end)
    return Sides(income=range(0, end + 1), expense=range(end + 1, len(names)))


def _last_income_row(names: list[str], before: int) -> int:
    for i in range(min(before, len(names) - 1), -1, -1):
        if names[i] in INCOME_TOTALS:
            return i
    return before


def hierarchical_sums(values: list[Decimal]) -> list[Decimal]:
    """The totals the items may add up to: all of them, or with rows that equal the sum of the rows
    right below them counted once (a list that lost its 一、/1、 nesting when numbering was removed)."""
    plain = sum(values, Decimal(0))
    grouped = Decimal(0)
    i = 0
    while i < len(values):
        grouped += values[i]
        skip = _children_run(values, i)
        i += 1 + skip
    return [plain] if grouped == plain else [plain, grouped]


def _children_run(values: list[Decimal], i: int) -> int:
    """How many rows after i add up exactly to row i (0 when none do)."""
    parent = values[i]
    if parent == 0:
        return 0
    running = Decimal(0)
    for j in range(i + 1, len(values)):
        running += values[j]
        if running == parent:
            return j - i
        if abs(running) > abs(parent):
            return 0
    return 0
