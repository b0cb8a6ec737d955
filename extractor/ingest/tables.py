"""Tables on one page: PyMuPDF finds the grid, the page's words fill the cells.

`Table.extract()` and `Table.to_markdown()` pull punctuation out of numbers in these PDFs (the printed
`2,940.05` comes back as `294005\\n, .`), while the words of `page.get_text("words")` read them right.
So the table finder only supplies cell boxes; each cell's text is built from the words whose centre
lies inside the box, ordered by line and then by x.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

import pymupdf

from extractor.numbers import parse_unit
from schemas.document import BBox, Cell, TableGrid, TableRow

RawWord = tuple
"""One entry of `page.get_text("words")`: (x0, y0, x1, y1, text, block_no, line_no, word_no)."""

_UNIT_CLAUSE = re.compile(
    r"[（(]?\s*(?:金额)?单位\s*[:：]\s*(?:百万元|万亿元|亿元|千元|万元|元)(?![\u4e00-\u9fff])\s*[)）]?")
"""A unit clause printed on the title's line; `编制单位：元宝山区…` names no unit and is left alone."""
_TITLE_SKIP = re.compile(
    r"^(编制(部门|单位)|填报(单位|日期)|单位名称|预算(主管)?(部门|单位)|金额单位|单位\s*[:：])"
    r"|^公开\s*\d+\s*表$|^(附)?表\s*[\d一二三四五六七八九十]+$|^[—\-\s\d]+$")
_ENUMERATION = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]\s*)")
_CONTINUED_MARK = re.compile(r"\s*[(（]?\s*续\s*[)）]?\s*$")
_TITLE_WINDOW_PT = 90.0
"""How far above a table its title and unit are looked for."""
_TITLE_MAX_LINES = 5
_TITLE_MAX_CHARS = 60
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def read_tables(
    page: pymupdf.Page,
    page_number: int,
    *,
    add_lines: list | None = None,
    confidences: dict | None = None,
    words: Sequence[RawWord] | None = None,
) -> list[TableGrid]:
    """The tables printed on one page, as rectangular grids of cells with their boxes.

    `page_number` is 1-based. `add_lines` are extra ruling lines (pairs of points) for pages whose grid is
    not drawn as vector graphics (scans). `confidences` maps a word box, rounded with `confidence_key`,
    to the OCR confidence of that word; a cell's confidence is the lowest of its words'. `words` lets a
    caller that already ran `page.get_text("words")` pass the result instead of reading it again.
    Table ids are left empty: the document assigns them once tables are merged across pages.
    """
    kwargs = {"use_layout": False}
    if add_lines:
        kwargs["add_lines"] = add_lines
    elif not page.get_cdrawings():
        # the lines strategy builds cells from drawn edges; a page without vector graphics has none, and
        # skipping the finder there saves ~40 ms per text page
        return []
    found = page.find_tables(**kwargs)
    if not found.tables:
        return []
    if words is None:
        words = page.get_text("words")
    lines = _text_lines(words)
    grids = []
    previous_bottom = 0.0
    for table in sorted(found.tables, key=lambda t: t.bbox[1]):
        rows = _fill_cells(table, words, page_number, confidences)
        inner_title, inner_unit, rows = _strip_preamble(rows)
        title, unit = _title_and_unit(lines, table.bbox, previous_bottom)
        previous_bottom = table.bbox[3]
        if not rows:
            continue
        title = inner_title or title
        unit = inner_unit or unit or _unit_in_rows(rows)
        grids.append(TableGrid(
            id="", title=title, unit=unit, page_start=page_number, page_end=page_number,
            n_cols=table.col_count, rows=rows))
    return grids


def confidence_key(bbox: Sequence[float]) -> tuple[float, float, float, float]:
    """The key under which `read_tables(confidences=...)` looks up a word's OCR confidence."""
    return tuple(round(float(v), 1) for v in bbox[:4])


def join_lines(lines: Sequence[str]) -> str:
    """Join the wrapped lines of one cell or title: no space between CJK characters, one otherwise."""
    text = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if text and not (_CJK.match(text[-1]) or _CJK.match(line[0])):
            text += " "
        text += line
    return text


def _fill_cells(table, words: Sequence[RawWord], page_number: int,
                confidences: dict | None) -> list[TableRow]:
    """The table's rows with each cell's text built from the words whose centre lies in the cell."""
    boxes = [[tuple(cell) if cell else None for cell in row.cells] for row in table.rows]
    n_cols = table.col_count
    for row in boxes:
        row.extend([None] * (n_cols - len(row)))
    row_tops = [row.bbox[1] for row in table.rows]
    every_cell = [(i, j, box) for i, row in enumerate(boxes) for j, box in enumerate(row) if box]
    x0, y0, x1, y1 = table.bbox
    members: dict[tuple[int, int], list[RawWord]] = {}
    for word in words:
        cx, cy = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
        if not (x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1):
            continue
        slot = _cell_of(cx, cy, boxes, row_tops, every_cell)
        if slot is not None:
            members.setdefault(slot, []).append(word)
    rows = []
    for i, row in enumerate(boxes):
        cells = []
        for j, box in enumerate(row):
            inside = members.get((i, j), [])
            cells.append(Cell(
                text=_cell_text(inside), bbox=_round_box(box) if box else None,
                confidence=_cell_confidence(inside, confidences)))
        rows.append(TableRow(page=page_number, cells=cells))
    return rows


def _cell_of(cx: float, cy: float, boxes, row_tops, every_cell) -> tuple[int, int] | None:
    """(row, column) of the cell holding the point; rows spanned from above need the full scan."""
    i = bisect_right(row_tops, cy) - 1
    if 0 <= i < len(boxes):
        for j, box in enumerate(boxes[i]):
            if box and box[0] <= cx <= box[2] and box[1] <= cy <= box[3]:
                return i, j
    best, best_distance = None, float("inf")
    for i, j, box in every_cell:
        dx = max(box[0] - cx, 0.0, cx - box[2])
        dy = max(box[1] - cy, 0.0, cy - box[3])
        distance = dx + dy
        if distance < best_distance:
            best, best_distance = (i, j), distance
            if distance == 0:
                break
    return best


def _cell_text(words: list[RawWord]) -> str:
    if not words:
        return ""
    return join_lines([" ".join(w[4] for w in line) for line in _group_lines(words)])


def _group_lines(words: Sequence[RawWord]) -> list[list[RawWord]]:
    """Words grouped into visual lines (by vertical centre), each line ordered left to right."""
    ordered = sorted(words, key=lambda w: (w[1] + w[3]) / 2)
    lines: list[list[RawWord]] = []
    line_centre = line_height = 0.0
    for word in ordered:
        centre, height = (word[1] + word[3]) / 2, word[3] - word[1]
        if lines and abs(centre - line_centre) <= 0.5 * max(min(height, line_height), 1.0):
            lines[-1].append(word)
        else:
            lines.append([word])
            line_centre, line_height = centre, height
    return [sorted(line, key=lambda w: w[0]) for line in lines]


def _cell_confidence(words: list[RawWord], confidences: dict | None) -> float | None:
    if not confidences or not words:
        return None
    found = [_word_confidence(word, confidences) for word in words]
    found = [value for value in found if value is not None]
    return min(found) if found else None


def _word_confidence(word: RawWord, confidences: dict) -> float | None:
    value = confidences.get(confidence_key(word))
    if value is not None:
        return value
    # the invisible text layer may not reproduce the OCR box exactly: fall back to the box holding the centre
    cx, cy = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
    for box, confidence in confidences.items():
        if box[0] <= cx <= box[2] and box[1] <= cy <= box[3]:
            return confidence
    return None


def _text_lines(words: Sequence[RawWord]) -> list[tuple[BBox, str]]:
    """The page's text lines as PyMuPDF groups them (block, line), with their boxes."""
    grouped: dict[tuple[int, int], list[RawWord]] = {}
    for word in words:
        grouped.setdefault((word[5], word[6]), []).append(word)
    lines = []
    for members in grouped.values():
        box = (min(w[0] for w in members), min(w[1] for w in members),
               max(w[2] for w in members), max(w[3] for w in members))
        lines.append((box, " ".join(w[4] for w in members)))
    return lines


def _title_and_unit(lines: list[tuple[BBox, str]], table_box: Sequence[float],
                    previous_bottom: float) -> tuple[str | None, str | None]:
    """Title and unit from the lines just above the table, skipping 编制部门/公开xx表/unit-only lines."""
    top = table_box[1]
    above = [
        (box, text) for box, text in lines
        if box[3] <= top + 2 and box[1] >= max(previous_bottom - 2, top - _TITLE_WINDOW_PT)
        and box[2] > table_box[0] - 20 and box[0] < table_box[2] + 20
    ]
    above.sort(key=lambda line: -line[0][3])
    title = unit = None
    for _box, text in above[:_TITLE_MAX_LINES]:
        text = text.strip()
        unit = unit or _money_unit(text)
        text = _UNIT_CLAUSE.sub("", text).strip()  # 收入支出决算总表（单位：万元） keeps its title
        if title is not None or not text or _TITLE_SKIP.search(text):
            continue
        if len(text) > _TITLE_MAX_CHARS or text.endswith(("。", "：", ":", "；", "，")):
            break
        title = _ENUMERATION.sub("", text).strip() or None
    return title, unit


def _strip_preamble(rows: list[TableRow]) -> tuple[str | None, str | None, list[TableRow]]:
    """Drop leading rows that only hold the title, unit or 编制单位 (spreadsheet exports grid them too)."""
    title = unit = None
    start = 0
    for row in rows[:_TITLE_MAX_LINES]:
        texts = [cell.text.strip() for cell in row.cells if cell.text.strip()]
        if not all(_is_preamble(text) for text in texts):
            break
        for text in texts:
            if text_unit := _money_unit(text):
                unit = unit or text_unit
            elif _looks_like_title(text):
                title = title or _ENUMERATION.sub("", text).strip()
        start += 1
    return title, unit, rows[start:]


def _is_preamble(text: str) -> bool:
    return bool(_money_unit(text) or _TITLE_SKIP.search(text) or _looks_like_title(text))


def _looks_like_title(text: str) -> bool:
    return 6 <= len(text) <= _TITLE_MAX_CHARS and _CONTINUED_MARK.sub("", text).endswith("表")


def _unit_in_rows(rows: list[TableRow]) -> str | None:
    """A unit printed inside the grid's top rows (some tables carry 单位：元 in their first row)."""
    for row in rows[:2]:
        for cell in row.cells:
            if unit := _money_unit(cell.text):
                return unit
    return None


def _money_unit(text: str) -> str | None:
    """The money unit (元, 万元, …) a `单位：…` header names, or None; a count unit such as 人 is no table unit."""
    unit = parse_unit(text)
    return unit if unit is not None and unit.endswith("元") else None


def _round_box(box: Sequence[float]) -> BBox:
    return tuple(round(float(v), 2) for v in box)
