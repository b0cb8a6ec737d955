"""Project self-evaluation rules: one Project per 项目支出绩效自评表 grid.

- name: the text after the 项目名称 / 项目支出名称 label (the label may be split over two cells, the
  name over several; a cell repeating the start of the next is OCR duplication and is dropped);
- budget / spent / execution_rate: the 资金总额 row under the header naming 全年预算数 (or 预算数(A)),
  全年执行数 (执行数(B)) and 执行率, read by column; when that row is out of line with its header
  (OCR lost cells), its numbers are taken in printed order: [年初预算,] 预算, 执行, 执行率;
- score: the 总分 row's last number (a number split over two cells, '97.' '94', is joined);
- indicators: the grid's indicator blocks, repaired and read as for the department's indicators.
Amounts are 万元 (converted when the grid's unit is 元).
"""

from __future__ import annotations

import re

from extractor.extract.rules.indicators import indicator_blocks, is_project_grid, total_score
from extractor.extract.table_reader import (
    cell_evidence,
    clean_name,
    parse_number,
    read_indicators,
    read_project,
    to_wan,
)
from schemas.document import Cell, Document, TableGrid
from schemas.extraction import Evidence, Flag, Project
from schemas.mapping import CellRef, ProjectMapping

_NAME_LABEL = re.compile(r"项目(?:支出)?名称$")
_OTHER_LABEL = re.compile(r"(?:类别|部门|单位|属性|类型|实施)$")
_SUMMARY_KEYS: tuple[tuple[str, str], ...] = (
    ("initial", r"年初预算"),
    ("budget", r"全年预算|预算数[（(]?A|调整后预算|^预算数"),
    ("spent", r"全年执行|执行数[（(]?B|^执行数|实际支出"),
    ("execution_rate", r"执行率"),
)
_FUNDS_ROW = re.compile(r"资金总额|年度资金|财政资金总额")


def extract_projects(doc: Document) -> tuple[list[Project], dict[str, Evidence], list[Flag]]:
    """Every project self-evaluation table in the document, in order."""
    projects: list[Project] = []
    evidence: dict[str, Evidence] = {}
    flags: list[Flag] = []
    for grid in doc.tables:
        if not is_project_grid(grid):
            continue
        prefix = f"projects[{len(projects)}]"
        project, project_evidence, project_flags = _read_grid(grid, prefix)
        if project.name is None and not project.indicators:
            continue
        projects.append(project)
        evidence.update(project_evidence)
        flags.extend(project_flags)
    return projects, evidence, flags


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _read_grid(grid: TableGrid, prefix: str) -> tuple[Project, dict[str, Evidence], list[Flag]]:
    mapping = ProjectMapping(table_id=grid.id)
    summary = _summary_cells(grid)
    mapping.budget = summary.get("budget")
    mapping.spent = summary.get("spent")
    mapping.execution_rate = summary.get("execution_rate")
    total = total_score(grid)
    if total is not None and total[1] is not None:
        mapping.score = CellRef(row=total[0], col=total[1])
    project, evidence, flags = read_project(grid, mapping, prefix)
    if total is not None and mapping.score is None:
        parsed = parse_number(total[3])
        if parsed is not None:
            project.score = parsed.value
            evidence[f"{prefix}.score"] = cell_evidence(grid, total[0], total[2])
            flags.append(Flag(path=f"{prefix}.score", rule="ocr_repair", severity="warning",
                              message=f"score joined from cells split by OCR: {total[2].text!r}"))
    name = _project_name(grid)
    if name is not None:
        project.name, row, cell = name
        evidence[f"{prefix}.name"] = cell_evidence(grid, row, cell)
    for block_grid, block_mapping in indicator_blocks(grid):
        rows, block_evidence, block_flags = read_indicators(
            block_grid, block_mapping, f"{prefix}.indicators", start=len(project.indicators))
        project.indicators.extend(rows)
        evidence.update(block_evidence)
        flags.extend(block_flags)
    if project.budget is None and project.spent is None:
        _summary_in_order(grid, project, evidence, prefix)
    return project, evidence, flags


def _project_name(grid: TableGrid) -> tuple[str, int, Cell] | None:
    for row_index, row in enumerate(grid.rows[:4]):
        label = ""
        for col, cell in enumerate(row.cells):
            label += _compact(cell.text)
            if not _NAME_LABEL.search(label):
                continue
            parts: list[Cell] = []
            for following in row.cells[col + 1:]:
                text = _compact(following.text)
                if not text:
                    continue
                if _OTHER_LABEL.search(text):
                    break
                parts.append(following)
            texts = [_compact(part.text) for part in parts]
            kept = [part for position, part in enumerate(parts)
                    if not (position + 1 < len(parts) and texts[position + 1].startswith(texts[position]))]
            if not kept:
                return None
            name = clean_name("".join(part.text for part in kept))
            if name is None:
                return None
            joined = Cell(text="".join(part.text for part in kept), bbox=kept[0].bbox, confidence=kept[0].confidence)
            return name, row_index, joined
    return None


def _summary_cells(grid: TableGrid) -> dict[str, CellRef]:
    """Cells of budget / spent / rate when the 资金总额 row lines up with its header row."""
    for header_index, row in enumerate(grid.rows):
        texts = [_compact(cell.text) for cell in row.cells]
        columns: dict[str, int] = {}
        for field, pattern in _SUMMARY_KEYS:
            col = next((c for c, text in enumerate(texts) if re.search(pattern, text) and c not in columns.values()),
                       None)
            if col is not None:
                columns[field] = col
        if "budget" not in columns or "spent" not in columns or columns["budget"] == columns["spent"]:
            continue
        for data_index in range(header_index + 1, min(header_index + 3, len(grid.rows))):
            data = grid.rows[data_index].cells
            if not any(_FUNDS_ROW.search(_compact(cell.text)) for cell in data):
                continue
            refs = {field: CellRef(row=data_index, col=col) for field, col in columns.items()
                    if col < len(data) and parse_number(data[col].text) is not None}
            if "budget" in refs and "spent" in refs:
                return refs
        return {}
    return {}


def _summary_in_order(grid: TableGrid, project: Project, evidence: dict[str, Evidence], prefix: str) -> None:
    """The 资金总额 row's numbers in printed order when its cells do not line up with the header."""
    for row_index, row in enumerate(grid.rows):
        texts = [_compact(cell.text) for cell in row.cells]
        if not any(_FUNDS_ROW.search(text) for text in texts):
            continue
        header = " ".join(_compact(cell.text) for r in grid.rows[max(0, row_index - 2):row_index] for cell in r.cells)
        numbers = [(cell, parse_number(cell.text)) for cell in row.cells]
        numbers = [(cell, parsed) for cell, parsed in numbers if parsed is not None]
        if "年初预算" in header and len(numbers) >= 3:
            numbers = numbers[1:]
        if len(numbers) < 2:
            return
        (budget_cell, budget), (spent_cell, spent) = numbers[0], numbers[1]
        project.budget = to_wan(budget.value, grid.unit)
        project.spent = to_wan(spent.value, grid.unit)
        evidence[f"{prefix}.budget"] = cell_evidence(grid, row_index, budget_cell, repaired=budget.repaired)
        evidence[f"{prefix}.spent"] = cell_evidence(grid, row_index, spent_cell, repaired=spent.repaired)
        if len(numbers) >= 3:
            rate_cell, rate = numbers[2]
            value = rate.value if rate.is_percent or rate.value > 1 else rate.value * 100
            project.execution_rate = value
            evidence[f"{prefix}.execution_rate"] = cell_evidence(grid, row_index, rate_cell, repaired=rate.repaired)
        return
