"""`row_identity`: identities inside one row (合计 = 基本支出 + 项目支出 + …, 合计 = 人员经费 + 公用经费,
本年收入合计 = 财政拨款收入 + … + 其他收入, 年末结转 = 年初结转 + 本年收入 − 本年支出) and between the two
sides of a 收入 | 支出 table (总计 = 本年合计 + 结转结余; 收入总计 = 支出总计)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from extractor.validate.checks import (
    CheckOutcome,
    ValidationContext,
    amount,
    compact,
    fmt,
    outcome,
    sum_tolerance,
)
from extractor.validate.table_model import (
    EXPENSE_TOTALS,
    GRAND_TOTALS,
    INCOME_TOTALS,
    hierarchical_sums,
    is_total_name,
    label,
    row_name,
    table_label,
    two_sided_split,
    value_path,
)
from schemas.extraction import StatementTable


@dataclass(frozen=True)
class _Split:
    """A total column and the component columns it is the sum of."""

    totals: tuple[str, ...]
    parts: tuple[str, ...]


_EXPENSE = _Split(("本年支出合计", "合计", "支出合计", "小计", "本年支出"),
                  ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"))
_STAFF = _Split(("合计", "小计"), ("人员经费", "公用经费"))
_INCOME = _Split(("本年收入合计", "合计", "收入合计", "小计", "本年收入"),
                 ("财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"))
_FUNDS = _Split(("合计", "小计"), ("一般公共预算", "政府性基金", "国有资本经营"))


def check_row_identities(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    for ti, table in enumerate(ctx.extraction.tables):
        split = _column_split(table)
        if split is not None:
            yield from _in_row(ti, table, *split)
        yield from _carry_over(ti, table)
        yield from _two_sided(ti, table)


def _column_split(table: StatementTable) -> tuple[str, list[str]] | None:
    names = {col: compact(col) for col in table.columns}
    for split in (_EXPENSE, _INCOME, _FUNDS, _STAFF):
        total = next((col for col in table.columns if names[col] in split.totals), None)
        if total is None:
            continue
        parts = [col for col in table.columns if col != total
                 and any(part in names[col] for part in split.parts) and names[col] not in split.totals]
        if split is _EXPENSE and not any("基本支出" in names[c] for c in parts):
            # 合计 = 人员经费 + 公用经费 + 项目支出 when the 基本支出 column is split in two
            parts += [col for col in table.columns if col not in parts
                      and any(part in names[col] for part in _STAFF.parts)]
        if split is _STAFF and any("项目支出" in names[c] for c in table.columns):
            continue
        if len(parts) >= 2:
            return total, parts
    return None


def _in_row(ti: int, table: StatementTable, total_col: str, parts: list[str]) -> Iterator[CheckOutcome]:
    for ri, row in enumerate(table.rows):
        total = row.values.get(total_col)
        present = [c for c in parts if row.values.get(c) is not None]
        if total is None and not present:
            continue
        parts_sum = sum((amount(row.values.get(c)) for c in parts), Decimal(0))
        tolerance = sum_tolerance(len(present) + 1)
        diff = abs(amount(total) - parts_sum)
        terms = " + ".join(f"{c} {fmt(row.values.get(c))}" for c in present) or "各项均为空"
        yield outcome("row_identity", [value_path(ti, ri, total_col), *(value_path(ti, ri, c) for c in parts)],
                      diff > tolerance, tolerance=tolerance,
                      message=f"{table_label(table, ti)} {label(table, row)}：{total_col} {fmt(total)} ≠ "
                              f"{terms} = {fmt(parts_sum)}（差 {fmt(diff)}）")


def _carry_over(ti: int, table: StatementTable) -> Iterator[CheckOutcome]:
    names = {col: compact(col) for col in table.columns}
    opening = next((c for c in table.columns if "年初结转" in names[c]), None)
    closing = next((c for c in table.columns if "年末结转" in names[c]), None)
    income = next((c for c in table.columns if names[c] in ("本年收入", "本年收入合计")), None)
    spent = next((c for c in table.columns if names[c] in ("本年支出", "本年支出合计", "本年支出小计")), None)
    if spent is None:
        spent = next((c for c in table.columns if names[c] == "小计"), None)
    if None in (opening, closing, income, spent):
        return
    for ri, row in enumerate(table.rows):
        cols = (closing, opening, income, spent)
        present = [c for c in cols if row.values.get(c) is not None]
        if not present:
            continue
        expected = amount(row.values.get(opening)) + amount(row.values.get(income)) - amount(row.values.get(spent))
        diff = abs(amount(row.values.get(closing)) - expected)
        tolerance = sum_tolerance(len(present))
        yield outcome("row_identity", [value_path(ti, ri, c) for c in present], diff > tolerance, tolerance=tolerance,
                      message=f"{table_label(table, ti)} {label(table, row)}：{closing} {fmt(row.values.get(closing))}"
                              f" ≠ {opening} {fmt(row.values.get(opening))} + {income} {fmt(row.values.get(income))}"
                              f" − {spent} {fmt(row.values.get(spent))} = {fmt(expected)}（差 {fmt(diff)}）")


def _primary(table: StatementTable, ri: int) -> str | None:
    """The row's first filled column in the table's column order (决算数 on the income side, 合计 on the other)."""
    values = table.rows[ri].values
    return next((c for c in [*table.columns, *values] if values.get(c) is not None), None)


def _two_sided(ti: int, table: StatementTable) -> Iterator[CheckOutcome]:
    sides = two_sided_split(table)
    if sides is None:
        return
    grands = []
    for side, year_totals in ((sides.income, INCOME_TOTALS), (sides.expense, EXPENSE_TOTALS)):
        names = {i: row_name(table.rows[i]) for i in side}
        grand = next((i for i in side if names[i] in GRAND_TOTALS), None)
        year = next((i for i in side if names[i] in year_totals), None)
        grands.append(grand)
        if grand is None or year is None or year > grand:
            continue
        yield from _grand_total(ti, table, grand, year, [i for i in range(year + 1, grand)
                                                         if not is_total_name(names[i])])
    income_total, expense_total = grands
    if income_total is None or expense_total is None:
        return
    a_col, b_col = _primary(table, income_total), _primary(table, expense_total)
    if a_col is None and b_col is None:
        return
    a = table.rows[income_total].values.get(a_col) if a_col else None
    b = table.rows[expense_total].values.get(b_col) if b_col else None
    paths = [value_path(ti, income_total, a_col or b_col), value_path(ti, expense_total, b_col or a_col)]
    diff = abs(amount(a) - amount(b))
    yield outcome("row_identity", paths, diff > sum_tolerance(2), tolerance=sum_tolerance(2),
                  message=f"{table_label(table, ti)}：收入方{label(table, table.rows[income_total])} {fmt(a)} ≠ "
                          f"支出方{label(table, table.rows[expense_total])} {fmt(b)}（差 {fmt(diff)}）")


def _grand_total(ti: int, table: StatementTable, grand: int, year: int, between: list[int]) -> Iterator[CheckOutcome]:
    col = _primary(table, grand) or _primary(table, year)
    if col is None:
        return
    year_value = amount(table.rows[year].values.get(col))
    extra = [amount(table.rows[i].values.get(col)) for i in between]
    candidates = [year_value + s for s in hierarchical_sums(extra)]
    total = amount(table.rows[grand].values.get(col))
    diffs = [abs(total - c) for c in candidates]
    best = min(range(len(diffs)), key=diffs.__getitem__)
    present = [i for i in between if table.rows[i].values.get(col) is not None]
    tolerance = sum_tolerance(len(present) + 2)
    terms = " + ".join(f"{table.rows[i].name} {fmt(table.rows[i].values.get(col))}" for i in present)
    yield outcome("row_identity", [value_path(ti, grand, col), value_path(ti, year, col),
                                   *(value_path(ti, i, col) for i in present)],
                  diffs[best] > tolerance, tolerance=tolerance,
                  message=f"{table_label(table, ti)}：{label(table, table.rows[grand])} {fmt(total)} ≠ "
                          f"{label(table, table.rows[year])} {fmt(year_value)}"
                          f"{' + ' + terms if terms else ''} = {fmt(candidates[best])}（差 {fmt(diffs[best])}）")
