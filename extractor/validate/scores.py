"""Performance scores: `score_range`, `grade_band`, `indicator_score`, `weights_sum`, `project_score`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from extractor.numbers import parse_number
from extractor.validate.checks import (
    CENT,
    CheckOutcome,
    ValidationContext,
    compact,
    outcome,
    sum_tolerance,
)
from schemas.extraction import Grade, Indicator

DEFAULT_BANDS: list[tuple[Decimal, Grade]] = [
    (Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差")]

_GRADE_WORDS: dict[str, Grade] = {
    "优秀": "优", "优": "优", "良好": "良", "良": "良", "中等": "中", "中": "中", "合格": "中", "较差": "中",
    "不合格": "差", "差": "差"}
_GRADE = "优秀|良好|中等|不合格|较差|合格|优|良|中|差"
_BAND = re.compile(rf"(\d+)分?(?:[（(]?含[)）]?)?(?:以上)?(?:[—\-–~～至到]+\d+分?)?的?(?:为|评为|定为|属于)[“\"「]?({_GRADE})")
_BOTTOM = re.compile(rf"(\d+)分以下的?(?:为|评为|定为|属于)[“\"「]?({_GRADE})")


def grade_bands(doc_text: str) -> list[tuple[Decimal, Grade]]:
    """The bands the document states (90 分(含)—100 分为优, 80 分(含)—90 分为良 …), else 90/80/60."""
    bands: dict[Decimal, Grade] = {}
    for m in _BAND.finditer(doc_text):
        bands.setdefault(Decimal(m.group(1)), _GRADE_WORDS[m.group(2)])
    bottom = _BOTTOM.search(doc_text)
    if bottom is not None:
        bands[Decimal(0)] = _GRADE_WORDS[bottom.group(2)]
    if len(bands) < 2:
        return DEFAULT_BANDS
    bands.setdefault(Decimal(0), "差")
    return sorted(bands.items(), reverse=True)


def expected_grade(score: Decimal, bands: list[tuple[Decimal, Grade]]) -> Grade:
    return next(grade for low, grade in bands if score >= low)


def check_score_range(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Scores lie within 0–100; indicator scores are not negative."""
    scored = [("evaluation.score", ctx.extraction.evaluation.score, "部门整体自评得分")]
    scored += [(f"projects[{i}].score", p.score, f"项目「{p.name or i + 1}」总分")
               for i, p in enumerate(ctx.extraction.projects)]
    for path, score, what in scored:
        if score is not None:
            yield outcome("score_range", [path], not Decimal(0) <= score <= Decimal(100),
                          message=f"{what} {score} 分超出 0–100 分的范围")


def check_grade_band(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """evaluation.grade is the band the score falls in (bands read from the document when stated)."""
    evaluation = ctx.extraction.evaluation
    if evaluation.score is None or evaluation.grade is None or not Decimal(0) <= evaluation.score <= 100:
        return
    bands = grade_bands(ctx.doc_text) if ctx.doc is not None else DEFAULT_BANDS
    expected = expected_grade(evaluation.score, bands)
    stated = "，".join(f"{low}分及以上为{grade}" for low, grade in bands if low > 0)
    yield outcome("grade_band", ["evaluation.grade", "evaluation.score"], expected != evaluation.grade,
                  message=f"自评得分 {evaluation.score} 分应为“{expected}”，填报等级为“{evaluation.grade}”"
                          f"（分档：{stated}）")


def _indicator_sets(ctx: ValidationContext) -> Iterator[tuple[str, str, list[Indicator]]]:
    yield "indicators", "部门整体绩效指标", ctx.extraction.indicators
    for i, project in enumerate(ctx.extraction.projects):
        yield f"projects[{i}].indicators", f"项目「{project.name or i + 1}」绩效指标", project.indicators


def check_indicator_scores(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """0 ≤ indicator score ≤ its weight (分值)."""
    for prefix, what, indicators in _indicator_sets(ctx):
        for j, ind in enumerate(indicators):
            if ind.score is None:
                continue
            name = ind.name or f"第{j + 1}项"
            if ind.weight is None:
                yield outcome("indicator_score", [f"{prefix}[{j}].score"], ind.score < 0,
                              message=f"{what}“{name}”得分 {ind.score} 为负数")
                continue
            yield outcome("indicator_score", [f"{prefix}[{j}].score", f"{prefix}[{j}].weight"],
                          ind.score < 0 or ind.score > ind.weight + CENT / 2, tolerance=CENT / 2,
                          message=f"{what}“{name}”得分 {ind.score} 超出分值 {ind.weight}" if ind.score >= 0
                          else f"{what}“{name}”得分 {ind.score} 为负数")


def check_weights_sum(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Indicator weights add up to 100, or to 90 when the 预算执行率 (10 分) is scored outside the table."""
    accepted = ctx.options.weight_totals
    for prefix, what, indicators in _indicator_sets(ctx):
        weights = [ind.weight for ind in indicators]
        printed = [w for w in weights if w is not None]
        if len(printed) < 2:
            continue
        total = sum(printed, Decimal(0))
        tolerance = sum_tolerance(len(printed))  # 0.01 per printed weight, not per indicator row
        failed = all(abs(total - a) > tolerance for a in accepted)
        yield outcome("weights_sum", [f"{prefix}[{j}].weight" for j in range(len(weights))], failed,
                      severity="warning", tolerance=tolerance,
                      message=f"{what}分值合计 {total} 分，不等于 {'或'.join(str(a) for a in accepted)} 分")


def check_project_scores(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Where a self-evaluation form prints 分值 | 执行率 | 得分 for the budget line: 得分 = 分值 × 执行率."""
    if ctx.doc is None:
        return
    for grid in ctx.doc.tables:
        for r, row in enumerate(grid.rows):
            header = [compact(cell.text) for cell in row.cells]
            c = next((i for i in range(len(header) - 2) if header[i:i + 3] == ["分值", "执行率", "得分"]), None)
            if c is None:
                continue
            for below in grid.rows[r + 1:r + 3]:
                read = _weight_rate_score(below, c)
                if read is None:
                    continue
                weight, rate, score = read
                expected = weight * rate / 100
                tolerance = CENT + weight * Decimal("0.0001")
                path = _rate_path(ctx, " ".join(cell.text for row_ in grid.rows for cell in row_.cells))
                yield outcome("project_score", [path], abs(expected - score) > tolerance, severity="warning",
                              tolerance=tolerance,
                              message=f"第{below.page}页预算执行率得分 {score} ≠ 分值 {weight} × 执行率 {rate}% = "
                                      f"{expected.quantize(Decimal('0.001'))}")
                break


def _weight_rate_score(row, c: int) -> tuple[Decimal, Decimal, Decimal] | None:
    """分值, 执行率, 得分 read around the percentage cell nearest the header's 执行率 column (OCR'd rows
    are often shifted by one cell)."""
    cells = [cell.text for cell in row.cells]
    for j in (c + 1, c + 2, c):
        if not 0 < j < len(cells) - 1 or "%" not in cells[j]:
            continue
        weight, rate, score = (parse_number(t) for t in cells[j - 1:j + 2])
        if weight is not None and rate is not None and score is not None and rate.is_percent:
            return weight.value, rate.value, score.value
    return None


def _rate_path(ctx: ValidationContext, grid_text: str) -> str:
    text = compact(grid_text)
    for i, project in enumerate(ctx.extraction.projects):
        if project.name and compact(project.name) in text:
            return f"projects[{i}].execution_rate"
    return "budget.execution_rate"
