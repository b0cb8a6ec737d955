"""Evaluation rules: the department's 自评总分 and its grade (优/良/中/差; a report's 较差 counts as 中)."""

from __future__ import annotations

import re

from extractor.extract.rules.text import NUMBER, Hit, find_all, hit_amount
from extractor.extract.table_reader import cell_evidence, clean_text
from extractor.numbers import parse_number
from schemas.document import Document, TableGrid
from schemas.extraction import Evaluation, Evidence, Flag, Grade

_SCORE_PATTERNS = (
    rf"(?:整体支出)?(?:绩效)?自评(?:总)?得分(?:为|是|:|：)?(?P<num>{NUMBER})分",
    rf"(?:绩效)?评价(?:总)?得分(?:为|是|:|：)?(?P<num>{NUMBER})分",
    rf"自评(?:结果|总分)(?:为|是|:|：)?(?P<num>{NUMBER})分",
)
_GRADE = re.compile(r"(?:等级|评级|评价结果|自评结果|评定)(?:为|是|:|：)?[“\"]?(?P<grade>优秀|优|良好|良|中等|合格|中|较差|差)")
_GRADES: dict[str, Grade] = {"优秀": "优", "优": "优", "良好": "良", "良": "良", "中等": "中", "合格": "中",
                             "中": "中", "较差": "中", "差": "差"}
# A score in a clause about one project (再评 of a sampled project) is not the department's.
_PROJECT_CONTEXT = re.compile(r"项目|再评")


def extract_evaluation(doc: Document) -> tuple[Evaluation, dict[str, Evidence], list[Flag]]:
    """Score from the narrative (or the 整体 self-evaluation table's 总分 row), grade from the narrative."""
    evaluation = Evaluation()
    evidence: dict[str, Evidence] = {}
    flags: list[Flag] = []
    hit = _department_hit(doc, _SCORE_PATTERNS)
    if hit is not None:
        evaluation.score = hit_amount(hit, "evaluation.score", flags, percent=True)
        evidence["evaluation.score"] = hit.evidence(0, value_group="num")
    else:
        _score_from_table(doc, evaluation, evidence)
    grade_hit = _department_hit(doc, (_GRADE.pattern,))
    if grade_hit is not None:
        evaluation.grade = _GRADES[grade_hit.match.group("grade")]
        evidence["evaluation.grade"] = grade_hit.evidence(0, value_group="grade")
    return evaluation, evidence, flags


def _department_hit(doc: Document, patterns: tuple[str, ...]) -> Hit | None:
    for pattern in patterns:
        for hit in find_all(doc, pattern):
            clause = re.split(r"[。；;\n]", hit.compact.text[max(0, hit.match.start() - 60):hit.match.start()])[-1]
            after = hit.compact.text[hit.match.end():hit.match.end() + 6]
            if _PROJECT_CONTEXT.search(clause) or "项目" in after:
                continue
            return hit
    return None


def _score_from_table(doc: Document, evaluation: Evaluation, evidence: dict[str, Evidence]) -> None:
    """The 总分 row of the first 整体 self-evaluation grid (one titled 整体 or holding 部门整体 rows)."""
    for grid in doc.tables:
        if not _is_department_grid(grid):
            continue
        for row_index, row in enumerate(grid.rows):
            texts = [clean_text(cell.text) or "" for cell in row.cells]
            if not texts or not texts[0].startswith("总分"):
                continue
            for cell in row.cells[1:]:
                parsed = parse_number(cell.text)
                if parsed is not None:
                    evaluation.score = parsed.value
                    evidence["evaluation.score"] = cell_evidence(grid, row_index, cell)
                    return
        return


def _is_department_grid(grid: TableGrid) -> bool:
    title = grid.title or ""
    if "整体" in title:
        return True
    head = " ".join(cell.text for row in grid.rows[:4] for cell in row.cells)
    return "部门整体" in head or "整体支出" in head
