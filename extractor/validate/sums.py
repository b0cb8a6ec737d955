"""`code_sum` and `subtotal_sum`: in statement tables, a parent 科目 equals the sum of its children, and a
合计 / 小计 / 总计 row equals the sum of the rows it totals, column by column."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from extractor.validate.checks import CheckOutcome, ValidationContext, amount, fmt, outcome, sum_tolerance
from extractor.validate.table_model import (
    EXPENSE_TOTALS,
    GRAND_TOTALS,
    INCOME_TOTALS,
    PLAIN_TOTALS,
    clean_code,
    hierarchical_sums,
    is_coded,
    is_total_name,
    label,
    row_has_values,
    row_name,
    table_label,
    two_sided_split,
    value_path,
)
from schemas.extraction import StatementTable

_SEPARATE_FIGURES = ("机关运行经费",)
"""Printed in the same table as the 三公经费 but not part of its 合计."""


def check_code_sums(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Parent 科目 (208, 20805) = sum of its next-level children (208xx, 20805xx), per value column."""
    for ti, table in enumerate(ctx.extraction.tables):
        if not is_coded(table):
            continue
        coded: dict[str, int] = {}
        for ri, row in enumerate(table.rows):
            code = clean_code(row)
            if code and code not in coded:
                coded[code] = ri
        for parent, pi in coded.items():
            below = [c for c in coded if c.startswith(parent) and len(c) > len(parent)]
            if not below:
                continue
            level = min(len(c) for c in below)
            children = [coded[c] for c in below if len(c) == level]
            yield from _sum_checks(
                "code_sum", ti, table, pi, children, ctx,
                lambda col, total, parts, diff, t=table, p=pi, i=ti: (
                    f"{table_label(t, i)}「{col}」列：{label(t, t.rows[p])} 上级科目 {fmt(total)} ≠ "
                    f"下级科目合计 {fmt(parts)}（差 {fmt(diff)}）"))


def check_subtotals(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """合计 / 小计 / 总计 rows = sum of the rows they total (top-level 科目, or the items of their block)."""
    for ti, table in enumerate(ctx.extraction.tables):
        if is_coded(table):
            yield from _coded_subtotals(ti, table, ctx)
            continue
        sides = two_sided_split(table)
        if sides is not None:
            for side in (sides.income, sides.expense):
                yield from _side_subtotal(ti, table, side, ctx)
            continue
        yield from _block_subtotals(ti, table, ctx)


def _message(table: StatementTable, ti: int, total_row: int):
    def build(col: str, total: Decimal | None, parts: Decimal, diff: Decimal) -> str:
        return (f"{table_label(table, ti)}「{col}」列：{label(table, table.rows[total_row])} {fmt(total)} ≠ "
                f"所列各项之和 {fmt(parts)}（差 {fmt(diff)}）")
    return build


def _coded_subtotals(ti: int, table: StatementTable, ctx: ValidationContext) -> Iterator[CheckOutcome]:
    codes = [(ri, clean_code(row)) for ri, row in enumerate(table.rows)]
    top = min(len(c) for _, c in codes if c)
    block_start = 0
    for ri, row in enumerate(table.rows):
        name = row_name(row)
        if clean_code(row) or name not in PLAIN_TOTALS:
            continue
        # 合计 / 总计 total every top-level 科目; a 小计 totals those since the previous total row.
        lo, hi = (block_start, ri) if name == "小计" else (0, len(table.rows))
        items = [i for i, c in codes[lo:hi] if c and len(c) == top]
        block_start = ri + 1
        if items:
            yield from _sum_checks("subtotal_sum", ti, table, ri, items, ctx, _message(table, ti, ri))


def _side_subtotal(ti: int, table: StatementTable, side: range, ctx: ValidationContext) -> Iterator[CheckOutcome]:
    names = {i: row_name(table.rows[i]) for i in side}
    total = next((i for i in side if names[i] in INCOME_TOTALS or names[i] in EXPENSE_TOTALS), None)
    if total is None:
        total = next((i for i in side if names[i] in GRAND_TOTALS), None)
    if total is None:
        return
    items = [i for i in side if i < total and not is_total_name(names[i])]
    yield from _sum_checks("subtotal_sum", ti, table, total, items, ctx, _message(table, ti, total),
                           hierarchical=True)


def _block_subtotals(ti: int, table: StatementTable, ctx: ValidationContext) -> Iterator[CheckOutcome]:
    totals = [i for i, row in enumerate(table.rows) if row_name(row) in PLAIN_TOTALS]
    previous = -1
    for n, ri in enumerate(totals):
        before = [i for i in range(previous + 1, ri) if row_has_values(table.rows[i])]
        if before:
            items = list(range(previous + 1, ri))
        else:
            # a total printed above its items (合计 first): it totals the rows down to the next total
            end = totals[n + 1] if n + 1 < len(totals) else len(table.rows)
            items = list(range(ri + 1, end))
        previous = ri
        items = [i for i in items if not is_total_name(row_name(table.rows[i]))
                 and not any(s in row_name(table.rows[i]) for s in _SEPARATE_FIGURES)]
        if items:
            yield from _sum_checks("subtotal_sum", ti, table, ri, items, ctx, _message(table, ti, ri),
                                   hierarchical=True)


def _sum_checks(rule: str, ti: int, table: StatementTable, total_row: int, item_rows: list[int],
                ctx: ValidationContext, message, *, hierarchical: bool = False) -> Iterator[CheckOutcome]:
    """One check per column: the total row against the sum of the item rows (a blank cell counts as zero,
    a blank total is named 空 in the message); `message(col, total, parts, diff)` words a failure."""
    columns = list(dict.fromkeys([*table.columns, *table.rows[total_row].values]))
    for col in columns:
        total = table.rows[total_row].values.get(col)
        present = [i for i in item_rows if table.rows[i].values.get(col) is not None]
        if total is None and not present:
            continue
        values = [amount(table.rows[i].values.get(col)) for i in item_rows]
        candidates = hierarchical_sums(values) if hierarchical else [sum(values, Decimal(0))]
        tolerance = sum_tolerance(len(present) + 1)
        diffs = [abs(amount(total) - c) for c in candidates]
        best = min(range(len(diffs)), key=diffs.__getitem__)
        # blank items are named too: a reviewer should see which cells the total was checked against
        paths = [value_path(ti, total_row, col), *(value_path(ti, i, col) for i in item_rows)]
        yield outcome(rule, paths, diffs[best] > tolerance, tolerance=tolerance,
                      message=message(col, total, candidates[best], diffs[best]))
