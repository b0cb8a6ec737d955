"""Identities between the department-level amounts: `execution_rate`, `basic_plus_project`,
`three_public_sum`."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from extractor.validate.checks import (
    CENT,
    PERCENT_SLACK,
    CheckOutcome,
    ValidationContext,
    amount,
    fmt,
    fmt_pct,
    outcome,
    sum_tolerance,
)
from schemas.extraction import ThreePublicAmounts

_THREE_PUBLIC_PARTS = {
    "overseas": "因公出国(境)费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行维护费",
    "reception": "公务接待费",
}


MAX_RATE = Decimal(200)
"""An execution rate above 200 % is a misread figure, not overspending."""


def rate_tolerance(rate: Decimal, spent: Decimal, base: Decimal) -> Decimal:
    """0.01 pp for the printed rate, plus what rounding both amounts to 0.01 can move the quotient;
    a rate printed as a whole percent (100%) may be off by up to half a point."""
    operands = Decimal(100) * (CENT / abs(base) + abs(spent) * CENT / (base * base))
    slack = Decimal("0.5") if rate == rate.to_integral_value() else PERCENT_SLACK
    return slack + operands


def check_execution_rates(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """budget.execution_rate ≈ spent / adjusted × 100 (年初预算 when no adjusted budget is stated);
    projects[i].execution_rate ≈ spent / budget × 100."""
    budget = ctx.extraction.budget
    base_field = "adjusted" if budget.adjusted is not None else "initial"
    yield from _rate("budget", budget.execution_rate, budget.spent, getattr(budget, base_field), base_field,
                     "全年预算数" if base_field == "adjusted" else "年初预算数", "部门")
    for i, project in enumerate(ctx.extraction.projects):
        yield from _rate(f"projects[{i}]", project.execution_rate, project.spent, project.budget, "budget",
                         "全年预算数", f"项目「{project.name or i + 1}」")


def _rate(prefix: str, rate: Decimal | None, spent: Decimal | None, base: Decimal | None, base_field: str,
          base_name: str, who: str) -> Iterator[CheckOutcome]:
    if rate is not None:
        yield outcome("execution_rate", [f"{prefix}.execution_rate"], not Decimal(0) <= rate <= MAX_RATE,
                      message=f"{who}预算执行率 {fmt_pct(rate)} 不在 0%–{MAX_RATE}% 的合理范围内")
    if rate is None or spent is None or base is None or base == 0:
        return
    computed = spent / base * 100
    tolerance = rate_tolerance(rate, spent, base)
    diff = abs(rate - computed)
    yield outcome("execution_rate", [f"{prefix}.execution_rate", f"{prefix}.spent", f"{prefix}.{base_field}"],
                  diff > tolerance, tolerance=tolerance,
                  message=f"{who}预算执行率 {fmt_pct(rate)} ≠ 执行数 {fmt(spent)} ÷ {base_name} {fmt(base)} = "
                          f"{fmt_pct(computed.quantize(CENT))}（差 {diff.quantize(CENT)} 个百分点）")


def check_basic_plus_project(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """budget.basic + budget.project = budget.spent."""
    b = ctx.extraction.budget
    if b.spent is None or (b.basic is None and b.project is None):
        return
    parts = amount(b.basic) + amount(b.project)
    diff = abs(b.spent - parts)
    tolerance = sum_tolerance(3)
    yield outcome("basic_plus_project", ["budget.spent", "budget.basic", "budget.project"], diff > tolerance,
                  tolerance=tolerance,
                  message=f"支出合计 {fmt(b.spent)} 万元 ≠ 基本支出 {fmt(b.basic)} + 项目支出 {fmt(b.project)} = "
                          f"{fmt(parts)} 万元（差 {fmt(diff)}）")


def check_three_public(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """三公经费 total = overseas + vehicle_purchase + vehicle_operation + reception, for budget and actual."""
    for side, side_name in (("budget", "预算数"), ("actual", "决算数")):
        amounts: ThreePublicAmounts = getattr(ctx.extraction.three_public, side)
        present = [f for f in _THREE_PUBLIC_PARTS if getattr(amounts, f) is not None]
        if amounts.total is None or not present:
            continue
        parts = sum((amount(getattr(amounts, f)) for f in present), Decimal(0))
        diff = abs(amounts.total - parts)
        tolerance = sum_tolerance(len(present) + 1)
        terms = " + ".join(f"{_THREE_PUBLIC_PARTS[f]} {fmt(getattr(amounts, f))}" for f in present)
        yield outcome("three_public_sum", [f"three_public.{side}.total", *(f"three_public.{side}.{f}" for f in present)],
                      diff > tolerance, tolerance=tolerance,
                      message=f"“三公”经费{side_name}合计 {fmt(amounts.total)} 万元 ≠ {terms} = {fmt(parts)} 万元"
                              f"（差 {fmt(diff)}）")


def check_negative_values(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Department amounts, 三公经费, project amounts and head counts are never negative."""
    ex = ctx.extraction
    values = [(f"budget.{f}", getattr(ex.budget, f)) for f in ("initial", "adjusted", "spent", "basic", "project")]
    values += [(f"staffing.{f}", getattr(ex.staffing, f)) for f in ("authorized", "actual")]
    for side in ("budget", "actual"):
        values += [(f"three_public.{side}.{f}", getattr(getattr(ex.three_public, side), f))
                   for f in ("total", *_THREE_PUBLIC_PARTS)]
    values += [(f"projects[{i}].{f}", getattr(p, f)) for i, p in enumerate(ex.projects) for f in ("budget", "spent")]
    for path, value in values:
        if value is not None:
            yield outcome("negative_value", [path], value < 0, message=f"{path} = {value} 为负数，不合常理")
