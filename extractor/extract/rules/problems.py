"""Problems and measures rules: the numbered points under 存在的问题 and 改进措施 / 下一步 / 有关建议 headings.

A report without such sections may still state them in its 整体 self-evaluation form, in the cells
beside 偏差大或目标未完成原因分析 and 改进措施及结果应用方案; that text is one point each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.extract.rules.indicators import is_project_grid
from extractor.extract.table_reader import cell_evidence, clean_name, clean_text
from schemas.document import Document
from schemas.extraction import Evidence, Flag

HEADING_MAX_CHARS = 30

_FORM_PROBLEMS = re.compile(r"偏差.*原因分析|未完成原因")
_FORM_MEASURES = re.compile(r"改进措施")

_PROBLEMS = re.compile(r"存在的?(?:主要)?问题|问题及原因|主要问题|存在不足")
_MEASURES = re.compile(r"改进(?:措施|意见|建议|方向)|下一步|有关建议|整改措施|相关建议|工作建议")
# (level, pattern): 1 for 一、 and 第一部分, 2 for （一）, 3 for 1、 / 1. , 4 for （1） and ①.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^(?:[一二三四五六七八九十]+\s*[、．.]|第[一二三四五六七八九十]+部分)")),
    (2, re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]")),
    (3, re.compile(r"^\d{1,2}\s*[、．.](?!\d)")),
    (4, re.compile(r"^(?:[（(]\s*\d{1,2}\s*[）)]|[①②③④⑤⑥⑦⑧⑨⑩])")),
)


@dataclass
class _Line:
    page: int
    text: str
    level: int | None


def extract_problems_measures(doc: Document) -> tuple[list[str], list[str], dict[str, Evidence], list[Flag]]:
    """One string per numbered point under the first problems heading and the first measures heading."""
    lines = _lines(doc)
    evidence: dict[str, Evidence] = {}
    problems = _points_under(lines, _PROBLEMS, "problems", evidence, exclude=_MEASURES)
    measures = _points_under(lines, _MEASURES, "measures", evidence, exclude=None)
    if not problems:
        problems = _from_form(doc, _FORM_PROBLEMS, "problems", evidence)
    if not measures:
        measures = _from_form(doc, _FORM_MEASURES, "measures", evidence)
    return problems, measures, evidence, []


def _from_form(doc: Document, label: re.Pattern[str], field: str, evidence: dict[str, Evidence]) -> list[str]:
    """The text beside a 整体 self-evaluation form's 偏差…原因分析 / 改进措施… label, when the report has no
    such section; project forms are left out (their remarks are about one project)."""
    for grid in doc.tables:
        if is_project_grid(grid):
            continue
        for row_index, row in enumerate(grid.rows):
            texts = [re.sub(r"\s+", "", cell.text) for cell in row.cells]
            at = next((col for col, text in enumerate(texts) if label.search(text)), None)
            if at is None:
                continue
            value_cells = [cell for cell in row.cells[at + 1:] if cell.text.strip()]
            text = clean_text("".join(cell.text for cell in value_cells))
            if not text or len(text) < 4:
                continue
            evidence[f"{field}[0]"] = cell_evidence(grid, row_index, value_cells[0])
            return [text]
    return []


_PAGE_NUMBER = re.compile(r"^[—\-–]*\s*\d{1,3}\s*[—\-–]*$")
_BODY_END = re.compile(r"^(?:附表|附件|报告附件|单位[:：]|填表人|填报)|表$")


def _lines(doc: Document) -> list[_Line]:
    """Text lines in order; a table's cells (tab-separated lines, or text that is a grid cell on that
    page) become one end-of-body marker line, since points never continue into a table."""
    cells_by_page: dict[int, set[str]] = {}
    for grid in doc.tables:
        for row in grid.rows:
            for cell in row.cells:
                text = re.sub(r"\s+", "", cell.text)
                if text:
                    cells_by_page.setdefault(row.page, set()).add(text)
    out: list[_Line] = []
    for page in doc.pages:
        cells = cells_by_page.get(page.number, set())
        for raw in page.text.splitlines():
            text = raw.strip().lstrip("-•·").strip()
            if not text or _PAGE_NUMBER.match(text):
                continue
            if "\t" in text or re.sub(r"\s+", "", text) in cells or (len(text) <= 40 and _BODY_END.search(text)):
                if out and out[-1].level != 0:
                    out.append(_Line(page=page.number, text="", level=0))
                continue
            out.append(_Line(page=page.number, text=text, level=_level(text)))
    return out


def _level(text: str) -> int | None:
    for level, pattern in _MARKERS:
        if pattern.match(text):
            return level
    return None


def _is_heading(line: _Line, pattern: re.Pattern[str], exclude: re.Pattern[str] | None) -> bool:
    body = clean_name(line.text) or ""
    if len(body) > HEADING_MAX_CHARS or not pattern.search(body):
        return False
    if exclude is not None and exclude.search(body) and not pattern.search(exclude.split(body)[0] or ""):
        return False
    return line.level is not None and line.level <= 2 or body.endswith(("问题", "措施", "建议", "原因分析"))


def _points_under(lines: list[_Line], pattern: re.Pattern[str], field: str, evidence: dict[str, Evidence],
                  exclude: re.Pattern[str] | None) -> list[str]:
    for start, line in enumerate(lines):
        if not _is_heading(line, pattern, exclude):
            continue
        body = _body(lines, start)
        points = _points(body)
        if points:
            for index, (page, _, quote) in enumerate(points):
                evidence[f"{field}[{index}]"] = Evidence(page=page, quote=quote, confidence=0.85)
            return [text for _, text, _ in points]
    return []


def _body(lines: list[_Line], start: int) -> list[_Line]:
    heading_level = lines[start].level or 1
    body: list[_Line] = []
    for line in lines[start + 1:]:
        if line.level is not None and line.level <= heading_level:
            break
        if _PROBLEMS.search(line.text) and len(line.text) <= HEADING_MAX_CHARS and line.level is not None:
            break
        body.append(line)
    return body


def _points(body: list[_Line]) -> list[tuple[int, str, str]]:
    levels = [line.level for line in body if line.level is not None]
    if not levels:
        return []
    item_level = min(levels)
    points: list[tuple[int, list[str]]] = []
    for line in body:
        if line.level == item_level:
            points.append((line.page, [line.text]))
        elif points:
            points[-1][1].append(line.text)
    out = []
    for page, parts in points:
        text = _keep_spaces(parts)
        if text:
            out.append((page, text, "\n".join(parts)))
    return out


def _keep_spaces(parts: list[str]) -> str:
    """The point's text without its numbering; line breaks joined, OCR spaces between Chinese removed."""
    joined = "".join(part.strip() for part in parts)
    for _, pattern in _MARKERS:
        match = pattern.match(joined)
        if match:
            joined = joined[match.end():]
            break
    return clean_text(joined) or ""
