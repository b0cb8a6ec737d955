"""Read values out of a table grid once a mapping says where they are: "the model (or a rule) maps, the code reads".

An engine (rules or LLM) only decides which rows are data and which column holds what
(schemas/mapping.py). The functions here read every value from the cells themselves, so a
number is never retyped: each one is parsed with Decimal from the cell text and carries
Evidence pointing at that cell (page, box, exact quote, confidence).

Public functions:
- read_statement(grid, StatementMapping, path_prefix) -> (StatementTable, evidence, flags)
- read_indicators(grid, IndicatorMapping, path_prefix) -> (list[Indicator], evidence, flags)
- read_project(grid, ProjectMapping, path_prefix) -> (Project, evidence, flags)
- clean_name, clean_text, normalise_code, to_wan, rate_as_percent: the text, unit and rate helpers they use.

Paths in the returned evidence and flags are built on `path_prefix`, e.g. prefix
`tables[2]` gives `tables[2].rows[5].values.基本支出`; prefix `projects[0]` gives
`projects[0].indicators[2].weight`.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractor.numbers import parse_number
from schemas.document import Cell, TableGrid
from schemas.extraction import Evidence, Flag, Indicator, Project, StatementRow, StatementTable
from schemas.mapping import CellRef, IndicatorMapping, ProjectMapping, StatementMapping

TEXT_LAYER_CONFIDENCE = 1.0
REPAIRED_CONFIDENCE_FACTOR = 0.7
"""A repaired number (OCR glyph or separator fixed) keeps only this share of its cell's confidence."""

WAN = Decimal(10000)

# Leading list numbering: 一、 二十一、 1、 1. （一） (1) ①; OCR sometimes reads 一、 as "- 、", "5、" or "E、".
_ENUMERATOR = re.compile(
    r"^\s*(?:"
    r"[-—－一二三四五六七八九十百]+\s*[、．.]"
    r"|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]\s*[、．.]?"
    r"|\d{1,2}\s*[、．.](?!\d)"
    r"|[A-Za-z]\s*、"
    r"|[①②③④⑤⑥⑦⑧⑨⑩]"
    r")\s*"
)
_SPACES = re.compile(r"[\s\u3000]+")
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)[ \u3000]*([.,])[ \u3000]*(?=\d)")
_DOT_BETWEEN_CJK = re.compile(r"(?<=[\u3400-\u9fff])[·•∙](?=[\u3400-\u9fff])")
_SPACE_AFTER_COMPARATOR = re.compile(r"([≥≤<>])[ \u3000]+(?=\d)")
_CJK = r"\u3400-\u9fff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}（）()、])[ \u3000]+(?=[{_CJK}（）()、])")

# Obvious glyph confusions of OCR in these reports (Hangul or similar shapes read for Chinese characters).
GLYPH_REPAIRS: dict[str, str] = {
    "숨计": "合计",
    "숨 计": "合计",
    "合 计": "合计",
    "小 计": "小计",
    "总 计": "总计",
    "可待续": "可持续",
    "財政": "财政",
    "決算": "决算",
    "≪": "≤",
    "≫": "≥",
    "預算": "预算",
    "购置 弗": "购置费",
    "购置弗": "购置费",
    "维护 弗": "维护费",
}

_CODE_FRAGMENT = re.compile(r"^\d{2,3}$")
_CODE = re.compile(r"^\d{3}(?:\d{2}){0,3}$")


def clean_text(text: str | None) -> str | None:
    """Text as printed with OCR noise repaired: line breaks, spaces between Chinese characters and spaces
    inside numbers ('99. 16%') or after a comparator ('≥ 95%') removed, obvious glyph confusions
    (GLYPH_REPAIRS) fixed."""
    if text is None:
        return None
    value = text.replace("\n", "").strip()
    for wrong, right in GLYPH_REPAIRS.items():
        value = value.replace(wrong, right)
    value = _SPACE_BETWEEN_CJK.sub("", value)
    value = _SPACE_IN_NUMBER.sub(r"\1", value)
    value = _SPACE_AFTER_COMPARATOR.sub(r"\1", value)
    value = _SPACES.sub(" ", value).strip()
    return value or None


def clean_name(text: str | None) -> str | None:
    """A row or indicator name: clean_text without leading list numbering (一、 1、 （一）), with no spaces
    and no OCR dot between Chinese characters ('服务·人次')."""
    value = clean_text(text)
    if value is None:
        return None
    stripped = _ENUMERATOR.sub("", value, count=1)
    # A name that is only an enumerator ("一、") or a number keeps what it was; an empty name is None.
    value = stripped if stripped else value
    value = _SPACES.sub("", value)
    value = _DOT_BETWEEN_CJK.sub("", value)
    return value or None


def normalise_code(*parts: str | None) -> str | None:
    """A 科目编码 from one cell ('2080101', '208 01 01') or the 类/款/项 cells ('208', '01', '01'); else None."""
    digits = "".join(_SPACES.sub("", part or "") for part in parts)
    return digits if _CODE.match(digits) else None


def to_wan(value: Decimal | None, unit: str | None) -> Decimal | None:
    """Convert an amount printed in 元 to 万元 exactly (divide by 10000, never rounded); 万元 passes through."""
    if value is None or unit is None or unit.strip() != "元":
        return value
    return value / WAN


def _cell(grid: TableGrid, row: int, col: int | None) -> Cell | None:
    if col is None or row >= len(grid.rows) or col >= len(grid.rows[row].cells):
        return None
    return grid.rows[row].cells[col]


def _base_confidence(cell: Cell) -> float:
    return TEXT_LAYER_CONFIDENCE if cell.confidence is None else max(0.0, min(1.0, cell.confidence))


def cell_evidence(grid: TableGrid, row: int, cell: Cell, *, repaired: bool = False) -> Evidence:
    """Evidence for a value read from one cell: its row's page, its box, its text, its confidence."""
    confidence = _base_confidence(cell) * (REPAIRED_CONFIDENCE_FACTOR if repaired else 1.0)
    return Evidence(page=grid.rows[row].page, bbox=cell.bbox, quote=cell.text, confidence=round(confidence, 4))


_HEADING_ROWS = 6


def heading_evidence(grid: TableGrid, table: StatementTable, path_prefix: str,
                     column_cells: dict[str, int] | None = None) -> dict[str, Evidence]:
    """Evidence for a table's title and unit (printed above the grid) and for each value column's name:
    the heading cell that prints it among the grid's first rows, or else the first heading cell of the
    grid column it was read from (`column_cells`), whose printed text may differ by an OCR glyph."""
    evidence: dict[str, Evidence] = {}
    above = Evidence(page=grid.page_start, quote=None, confidence=TEXT_LAYER_CONFIDENCE)
    if table.title and grid.title:
        evidence[f"{path_prefix}.title"] = above.model_copy(update={"quote": grid.title})
    if table.unit and grid.unit:
        evidence[f"{path_prefix}.unit"] = above.model_copy(update={"quote": grid.unit})
    heading = [(row, cell) for row in range(min(_HEADING_ROWS, len(grid.rows))) for cell in grid.rows[row].cells]
    for index, column in enumerate(table.columns):
        wanted = _SPACES.sub("", column)
        found = next(((row, cell) for row, cell in heading if wanted in _SPACES.sub("", cell.text)), None)
        col = (column_cells or {}).get(column)
        if found is None and col is not None:
            found = next(((row, cell) for row, cell in heading if cell is grid.rows[row].cells[col]
                          and cell.text.strip() and not _looks_numeric(cell.text)), None)
        if found is not None:
            evidence[f"{path_prefix}.columns[{index}]"] = cell_evidence(grid, *found)
    return evidence


class _Reader:
    """Collects evidence and flags while values are read from one grid."""

    def __init__(self, grid: TableGrid):
        self.grid = grid
        self.evidence: dict[str, Evidence] = {}
        self.flags: list[Flag] = []

    def number(self, row: int, col: int | None, path: str, *, unit: str | None = None) -> Decimal | None:
        """The cell's number (converted from 元 to 万元 when unit is '元'), with evidence; None when empty."""
        cell = _cell(self.grid, row, col)
        if cell is None or not cell.text.strip():
            return None
        parsed = parse_number(cell.text)
        if parsed is None:
            if _looks_numeric(cell.text):
                self.flags.append(Flag(path=path, rule="unparsed_number", severity="warning",
                                       message=f"cell text {cell.text!r} looks like a number but could not be read"))
            return None
        if parsed.repaired:
            self.flags.append(Flag(path=path, rule="ocr_repair", severity="warning",
                                   message=parsed.note or f"number repaired from {cell.text!r}"))
        self.evidence[path] = cell_evidence(self.grid, row, cell, repaired=parsed.repaired)
        if unit is not None and parsed.unit in ("元", "万元"):
            unit = parsed.unit  # the cell prints its own unit ('7950元')
        return to_wan(parsed.value, unit)

    def text(self, row: int, col: int | None, path: str, *, name: bool = False) -> str | None:
        cell = _cell(self.grid, row, col)
        if cell is None:
            return None
        value = clean_name(cell.text) if name else clean_text(cell.text)
        if value is not None:
            self.evidence[path] = cell_evidence(self.grid, row, cell)
        return value

    def code(self, row: int, first: int | None, stop: int | None, path: str) -> str | None:
        """Code from column `first`, joined with following 款/项 fragment columns up to `stop` (exclusive)."""
        cell = _cell(self.grid, row, first)
        if cell is None:
            return None
        parts = [cell.text]
        last = first
        if stop is not None and stop > first + 1:
            for col in range(first + 1, stop):
                fragment = _cell(self.grid, row, col)
                if fragment is None or not _CODE_FRAGMENT.match(fragment.text.strip()):
                    break
                parts.append(fragment.text)
                last = col
        code = normalise_code(*parts)
        if code is not None:
            quote = " ".join(part.strip() for part in parts)
            bbox = _union_bbox([_cell(self.grid, row, col) for col in range(first, last + 1)])
            self.evidence[path] = Evidence(page=self.grid.rows[row].page, bbox=bbox, quote=quote,
                                           confidence=_base_confidence(cell))
        return code


def _union_bbox(cells: list[Cell | None]):
    boxes = [cell.bbox for cell in cells if cell is not None and cell.bbox is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _looks_numeric(text: str) -> bool:
    stripped = _SPACES.sub("", text)
    digits = sum(ch.isdigit() for ch in stripped)
    return digits > 0 and digits >= len(stripped) / 2


def read_statement(
    grid: TableGrid, mapping: StatementMapping, path_prefix: str
) -> tuple[StatementTable, dict[str, Evidence], list[Flag]]:
    """Read a statement table (决算/预算 table) with the rows and columns the mapping names.

    Each side (one, or two for 收入 | 支出) is read over all data rows, the first side's rows
    first. A row with neither code nor name nor any value on that side is skipped (the shorter
    side of a two-sided table). Codes may span 类/款/项 columns: the code is read from the
    side's code column joined with the 2- or 3-digit cells after it, up to the name column. A row
    with no code and an empty name cell takes its name from the text in the code columns (合计 or
    人员经费合计 printed across the merged 编码 cells).
    Values keep the table's printed unit.
    """
    reader = _Reader(grid)
    unit = clean_text(mapping.unit or grid.unit)
    columns: list[str] = []
    for side in mapping.sides:
        for column in side.values:
            if column not in columns:
                columns.append(column)
    rows: list[StatementRow] = []
    for side in mapping.sides:
        code_stop = side.name if side.name is not None and side.code is not None and side.name > side.code else None
        for row in mapping.data_rows:
            path = f"{path_prefix}.rows[{len(rows)}]"
            code = reader.code(row, side.code, code_stop, f"{path}.code")
            name = reader.text(row, side.name, f"{path}.name", name=True)
            if name is None and code is None and side.code is not None and side.name is not None:
                # A label such as 合计 / 人员经费合计 printed across the merged 编码 cells.
                label_col = next((col for col in range(side.code, side.name)
                                  if (clean_text(grid.cell_text(row, col)) or "")), None)
                name = reader.text(row, label_col, f"{path}.name", name=True)
            values = {column: reader.number(row, col, f"{path}.values.{column}")
                      for column, col in side.values.items()}
            if code is None and name is None and all(value is None for value in values.values()):
                continue
            rows.append(StatementRow(code=code, name=name, values=values))
    title = clean_name(mapping.title or grid.title)
    table = StatementTable(title=title, unit=unit, columns=columns, rows=rows)
    column_cells = {name: col for side in mapping.sides for name, col in side.values.items()}
    return table, reader.evidence | heading_evidence(grid, table, path_prefix, column_cells), reader.flags


def read_indicators(
    grid: TableGrid, mapping: IndicatorMapping, path_prefix: str, *, start: int = 0
) -> tuple[list[Indicator], dict[str, Evidence], list[Flag]]:
    """Read one Indicator per data row; level1/level2 left blank by merged cells are carried down.

    `path_prefix` is the list path (`indicators` or `projects[0].indicators`); `start` is the index
    the first indicator gets in that list, so several tables can feed one list.
    """
    reader = _Reader(grid)
    indicators: list[Indicator] = []
    level1: str | None = None
    level2: str | None = None
    level1_path: str | None = None
    level2_path: str | None = None
    for row in mapping.data_rows:
        path = f"{path_prefix}[{start + len(indicators)}]"
        new_level1 = reader.text(row, mapping.level1, f"{path}.level1", name=True)
        if new_level1 is not None:
            level1, level1_path, level2, level2_path = _strip_weight(new_level1), f"{path}.level1", None, None
        elif level1_path is not None:
            reader.evidence[f"{path}.level1"] = reader.evidence[level1_path]
        new_level2 = reader.text(row, mapping.level2, f"{path}.level2", name=True)
        if new_level2 is not None:
            level2, level2_path = _strip_weight(new_level2), f"{path}.level2"
        elif level2_path is not None:
            reader.evidence[f"{path}.level2"] = reader.evidence[level2_path]
        indicators.append(Indicator(
            level1=level1,
            level2=level2,
            name=reader.text(row, mapping.name, f"{path}.name", name=True),
            target=reader.text(row, mapping.target, f"{path}.target"),
            actual=reader.text(row, mapping.actual, f"{path}.actual"),
            weight=reader.number(row, mapping.weight, f"{path}.weight"),
            score=reader.number(row, mapping.score, f"{path}.score"),
        ))
    return indicators, reader.evidence, reader.flags


_WEIGHT_SUFFIX = re.compile(r"[（(]\s*[\d.]+\s*分\s*[）)]$")


def _strip_weight(name: str) -> str:
    """'产出指标(40分)' -> '产出指标': the printed weight of a level belongs to no field."""
    return _WEIGHT_SUFFIX.sub("", name).strip() or name


def read_project(
    grid: TableGrid, mapping: ProjectMapping, path_prefix: str, *, unit: str | None = None
) -> tuple[Project, dict[str, Evidence], list[Flag]]:
    """Read a 项目支出绩效自评表: name, 全年预算数, 全年执行数, 执行率, 总分 and its indicator rows.

    Amounts are converted to 万元 when `unit` (default: the grid's unit) is 元. An execution rate
    printed as a fraction ('0.95', '1') is turned into percent (95, 100) and flagged as info.
    """
    reader = _Reader(grid)
    amount_unit = unit if unit is not None else grid.unit

    def number(ref: CellRef | None, field: str, *, amount: bool = False) -> Decimal | None:
        if ref is None:
            return None
        return reader.number(ref.row, ref.col, f"{path_prefix}.{field}", unit=amount_unit if amount else None)

    name = reader.text(mapping.name.row, mapping.name.col, f"{path_prefix}.name", name=True) if mapping.name else None
    rate = number(mapping.execution_rate, "execution_rate")
    if rate is not None and mapping.execution_rate is not None:
        ref = mapping.execution_rate
        rate, flag = rate_as_percent(rate, grid.cell_text(ref.row, ref.col), f"{path_prefix}.execution_rate")
        reader.flags.extend([flag] if flag else [])
    project = Project(
        name=name,
        budget=number(mapping.budget, "budget", amount=True),
        spent=number(mapping.spent, "spent", amount=True),
        execution_rate=rate,
        score=number(mapping.score, "score"),
    )
    if mapping.indicators is not None:
        indicators, evidence, flags = read_indicators(grid, mapping.indicators, f"{path_prefix}.indicators")
        project.indicators = indicators
        reader.evidence.update(evidence)
        reader.flags.extend(flags)
    return project, reader.evidence, reader.flags


def rate_as_percent(value: Decimal, printed: str, path: str) -> tuple[Decimal, Flag | None]:
    """An execution rate in percent: one printed as a fraction ('0.95', '1', no % sign) is multiplied by
    100 and comes with an info flag on `path`; any other rate is returned as printed, without a flag."""
    if "%" in printed or "％" in printed or value > 1:
        return value, None
    return value * 100, Flag(path=path, rule="rate_as_fraction", severity="info",
                             message=f"execution rate printed as a fraction {printed!r}; read as {value * 100} percent")
