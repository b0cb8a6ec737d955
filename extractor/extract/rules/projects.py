"""Project self-evaluation rules: one Project per 项目支出绩效自评表 grid.

- name: the text after the 项目名称 / 项目支出名称 label (the label may be split over two cells, the
  name over several; a cell repeating the start of the next is OCR duplication and is dropped);
- budget / spent / execution_rate: the row under the header naming 全年预算数 (or 预算数(A)) and
  全年执行数 (执行数(B)); its numbers are taken in printed order, [年初预算,] 预算, 执行, then the
  first percentage as 执行率 (OCR moves these cells too often for their columns to be trusted;
  a cell holding two numbers, '467. 89 467. 89', gives both);
- score: the 总分 row's last number (a number split over two cells, '97.' '94', is joined);
- indicators: the grid's indicator blocks, repaired and read as for the department's indicators;
- a budget or spent figure whose leading digits OCR cut off at the cell edge is completed from the
  narrative's sentence on the same project ('…全年预算数为881.16万元，执行数为881.16万元'), flagged.
Amounts are 万元 (converted when the grid's unit is 元).
"""

from __future__ import annotations

import re

from extractor.extract.rules.indicators import indicator_blocks, is_project_grid, total_score
from extractor.extract.rules.text import NUMBER, find_first
from extractor.extract.table_reader import (
    cell_evidence,
    clean_name,
    parse_number,
    rate_as_percent,
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
    ("budget", r"全年预算|预算数|[（(]A[)）]|调整后预算"),
    ("spent", r"全年执行|执行数|[（(]B[)）]|实际支出"),
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
        if doc.source.input_kind != "pdf_text":  # a text layer prints what it prints: never "complete" it
            _repair_cut_amounts(doc, project, project_evidence, project_flags, prefix)
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
    _summary_in_order(grid, project, evidence, flags, prefix)
    return project, evidence, flags


_NARRATIVE_FUNDS = rf"全年预算数?为(?P<budget>{NUMBER})万元[,，]?执行数?为(?P<spent>{NUMBER})万元"


def _repair_cut_amounts(doc: Document, project: Project, evidence: dict[str, Evidence], flags: list[Flag],
                        prefix: str) -> None:
    """A table amount OCR cut at the cell edge ('1. 16' for 881.16) is taken from the narrative's sentence
    about the same project when the printed digits end that figure (OCR'd inputs only)."""
    if not project.name:
        return
    pattern = re.escape(project.name[:8]) + r"[^。\n]{0,40}?" + _NARRATIVE_FUNDS
    hit = find_first(doc, pattern)
    if hit is None:
        return
    for field in ("budget", "spent"):
        printed = getattr(project, field)
        stated = parse_number(hit.match.group(field))
        if printed is None or stated is None or printed == stated.value:
            continue
        if format(stated.value, "f").endswith(format(printed, "f")) and stated.value > printed:
            setattr(project, field, stated.value)
            evidence[f"{prefix}.{field}"] = hit.evidence(0, value_group=field)
            flags.append(Flag(path=f"{prefix}.{field}", rule="ocr_repair", severity="warning",
                              message=f"table cell reads {printed} (digits cut at the cell edge); the text "
                                      f"states {stated.value} for this project"))


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


_NUMBER_TOKEN = re.compile(r"\d[\d,]*(?:\.\s?\d+)?%?")


def _summary_rows(grid: TableGrid) -> tuple[int, int] | None:
    """(header row, data row) of the funds summary: the header names 预算 and 执行, the data row follows."""
    for header_index, row in enumerate(grid.rows):
        texts = [_compact(cell.text) for cell in row.cells]
        joined = "".join(texts)
        if not (re.search(_SUMMARY_KEYS[1][1], joined) and re.search(_SUMMARY_KEYS[2][1], joined)):
            continue
        for data_index in range(header_index + 1, min(header_index + 3, len(grid.rows))):
            if any(_NUMBER_TOKEN.search(cell.text) for cell in grid.rows[data_index].cells):
                return header_index, data_index
        return None
    return None


def _summary_in_order(grid: TableGrid, project: Project, evidence: dict[str, Evidence], flags: list[Flag],
                      prefix: str) -> None:
    """The summary row's numbers in printed order when its cells do not line up with the header:
    [年初预算,] 预算, 执行, then the first percentage (or a fraction such as 0.95, read as 95 and flagged)
    as 执行率."""
    rows = _summary_rows(grid)
    if rows is None:
        return
    header_index, row_index = rows
    header = "".join(_compact(cell.text) for cell in grid.rows[header_index].cells)
    tokens: list[tuple[Cell, str]] = []
    for cell in grid.rows[row_index].cells:
        if re.search(r"[\u4e00-\u9fff()（）]", cell.text):
            continue  # a label cell or its fragment ('情况(万元) (20 分)', '(20'): no amounts there
        for match in _NUMBER_TOKEN.finditer(cell.text):
            tokens.append((cell, match.group(0)))
    parsed = [(cell, text, parse_number(text)) for cell, text in tokens]
    numbers = [(cell, text, value) for cell, text, value in parsed if value is not None]
    if "年初预算" in header and len(numbers) >= 3:
        numbers = numbers[1:]
    if len(numbers) < 2 or numbers[0][2].is_percent or numbers[1][2].is_percent:
        return
    (budget_cell, _, budget), (spent_cell, _, spent) = numbers[0], numbers[1]
    project.budget = to_wan(budget.value, grid.unit)
    project.spent = to_wan(spent.value, grid.unit)
    evidence[f"{prefix}.budget"] = cell_evidence(grid, row_index, budget_cell, repaired=budget.repaired)
    evidence[f"{prefix}.spent"] = cell_evidence(grid, row_index, spent_cell, repaired=spent.repaired)
    rest = numbers[2:]
    rate = next((number for number in rest if number[2].is_percent), None)
    if rate is None and rest and rest[0][2].value <= 1:
        rate = rest[0]
    if rate is not None:
        cell, text, value = rate
        project.execution_rate, flag = rate_as_percent(value.value, text, f"{prefix}.execution_rate")
        flags.extend([flag] if flag else [])
        evidence[f"{prefix}.execution_rate"] = cell_evidence(grid, row_index, cell, repaired=value.repaired)
