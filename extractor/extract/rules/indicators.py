"""Indicator-table rules: find 一级/二级/三级指标 blocks, repair the grid's row shifts, map columns, read rows.

OCR'd tables lose cells: a row that printed its first cells empty often comes out shifted left, a
header word is split over two cells (三级 | 指标), a level name wraps onto a row of its own
(满意度 / 指标 (10分)). The rules repair these in a copy of the block's rows, moving whole cells
(text, box and confidence travel together, so evidence still points at the printed cell), and then
hand an IndicatorMapping over the repaired grid to table_reader.read_indicators:

- header: the row naming 三级指标 (or 一级 and 二级指标); each keyword's columns, with adjacent cells
  that only together spell the keyword merged into one column;
- a row whose cells stand under their header (it reaches the last mapped column, or its 分值
  cell holds a number, and its 三级指标 cell holds a name) is read by position;
- any other row lost or gained cells, and is read by content: numbers from the right (得分,
  then 分值), then 实际完成值 and 指标值, level names (产出指标 …, 数量指标 …) from the left, and
  the rest is the 三级指标 name;
- cells without a single Chinese character or digit are OCR debris and are dropped;
- a row with level fragments only continues the row above (满意度 + 指标 → 满意度指标);
- a level1 cell that is really a 二级 name (…效益指标, 可持续影响指标) moves to level2.
"""

from __future__ import annotations

import re

from extractor.extract.table_reader import clean_name, parse_number, read_indicators
from schemas.document import Cell, Document, TableGrid, TableRow
from schemas.extraction import Evidence, Flag, Indicator
from schemas.mapping import IndicatorMapping

CANONICAL = ("level1", "level2", "name", "target", "actual", "weight", "score")
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("level1", r"一级指标"),
    ("level2", r"二级指标"),
    ("name", r"三级指标"),
    ("target", r"(?:年度|年初|预期)?(?:指标值|目标值)|预期目标值|指标值"),
    ("actual", r"实际完成(?:值|情况)?|完成值|实际值"),
    ("weight", r"^(?:分值|权重|指标分值)"),
    ("score", r"^得分"),
)
_LEVEL1 = re.compile(r"^(?:产出|效益|满意度|成本|效果|管理|决策|过程|履职|能力)(?:指标)?$")
_LEVEL2 = re.compile(r"^[\u4e00-\u9fff]{1,10}指标$")
_TOTAL_ROW = re.compile(r"^(?:总分|合计|总计)")
_END_ROW = re.compile(r"偏差|改进措施|原因分析|签批|负责人|年度总体目标")
_GROUP_ROW = re.compile(r"目标\s*\d|目标[:：]")
_WEIGHT_FRAGMENT = re.compile(r"^[（(]?\s*[\d.]*\s*分?\s*[)）]+$|^[（(]?\s*[\d.]+\s*分?$")
_WEIGHT_ONLY = re.compile(r"^[（(][\d.]*分?[)）]*$|^[\d.]*分[)）]*$")
_OPEN_WEIGHT = re.compile(r"[（(]\s*[\d.]*\s*分?\s*$")
_WEIGHT = re.compile(r"[（(]\s*[\d.]+\s*分\s*[）)]?$|^[（(]?\s*[\d.]+\s*分\s*[）)]$")
_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_LEVEL2_STEMS = r"(?:数量|质量|时效|成本|经济成本|社会成本|生态环境成本|经济效益|社会效益|生态效益|可持续影响|服务对象满意度)"
_LEVEL2_STEM = re.compile(rf"^{_LEVEL2_STEMS}(?:指标)?$")
_WRAPPED_LEVEL2 = re.compile(r"^(?:数量|质量|时效|成本|经济成本|社会成本|生态环境成本|经济效益|社会效益|生态效益|可持续影响)$")
_LEVEL2_PREFIX = re.compile(rf"^({_LEVEL2_STEMS}指标)(?=.)")


def extract_indicators(doc: Document) -> tuple[list[Indicator], dict[str, Evidence], list[Flag]]:
    """The department's indicators: every block in grids that are not project self-evaluation tables."""
    indicators: list[Indicator] = []
    evidence: dict[str, Evidence] = {}
    flags: list[Flag] = []
    for grid in doc.tables:
        if is_project_grid(grid):
            continue
        for block_grid, mapping in indicator_blocks(grid):
            rows, block_evidence, block_flags = read_indicators(
                block_grid, mapping, "indicators", start=len(indicators))
            indicators.extend(rows)
            evidence.update(block_evidence)
            flags.extend(block_flags)
    return indicators, evidence, flags


def is_project_grid(grid: TableGrid) -> bool:
    """A 项目支出绩效自评表 (its title names a project table, or it has a 项目名称 row)."""
    title = re.sub(r"\s+", "", grid.title or "")
    if "项目" in title and ("自评" in title or "绩效" in title) and "整体" not in title:
        return True
    head = [re.sub(r"\s+", "", "".join(cell.text for cell in row.cells[:3])) for row in grid.rows[:3]]
    return any(text.startswith(("项目名称", "项目支出名称")) for text in head) and "整体" not in title


def indicator_blocks(grid: TableGrid) -> list[tuple[TableGrid, IndicatorMapping]]:
    """One (repaired grid, mapping) per indicator header found in the grid."""
    blocks: list[tuple[TableGrid, IndicatorMapping]] = []
    headers = [index for index, row in enumerate(grid.rows) if _is_header(row)]
    for number, header in enumerate(headers):
        stop = headers[number + 1] if number + 1 < len(headers) else len(grid.rows)
        block = _repair_block(grid, header, stop)
        if block is not None:
            blocks.append(block)
    return blocks


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_header(row: TableRow) -> bool:
    joined = _compact("".join(cell.text for cell in row.cells))
    return "三级指标" in joined or ("一级指标" in joined and "二级指标" in joined)


def _header_columns(row: TableRow) -> dict[str, list[int]]:
    """Keyword -> the columns it spans; '三级' + '指标' in adjacent cells count as one keyword."""
    texts = [_compact(cell.text) for cell in row.cells]
    columns: dict[str, list[int]] = {}
    used: set[int] = set()
    for field, pattern in _KEYWORDS:
        for col, text in enumerate(texts):
            if col in used or not text:
                continue
            if re.search(pattern, text):
                span = [col]
            elif col + 1 < len(texts) and re.search(pattern, text + texts[col + 1]) and not re.search(
                    pattern, texts[col + 1]):
                span = [col, col + 1]
            else:
                continue
            # A neighbour repeating part of the keyword (三级 | 三级指标) belongs to the same column.
            if col + 1 < len(texts) and span == [col] and texts[col + 1] and texts[col + 1] in text and \
                    col + 1 not in used:
                span.append(col + 1)
            if col > 0 and texts[col - 1] and col - 1 not in used and texts[col - 1] in text and field == "name":
                span.insert(0, col - 1)
            columns[field] = span
            used.update(span)
            break
    # A header cell OCR lost leaves a gap between its neighbours: 二级 between 一级 and 三级, 指标值
    # between 三级 and 实际完成值.
    for field, left, right in (("level2", "level1", "name"), ("target", "name", "actual")):
        if field not in columns and left in columns and right in columns:
            gap = [col for col in range(columns[left][-1] + 1, columns[right][0]) if col not in used]
            if gap:
                columns[field] = gap
                used.update(gap)
    return columns


def _meaningful(cell: Cell) -> bool:
    return re.search(r"[\u4e00-\u9fff\d]", cell.text) is not None


def _repair_block(grid: TableGrid, header: int, stop: int) -> tuple[TableGrid, IndicatorMapping] | None:
    columns = _header_columns(grid.rows[header])
    if "name" not in columns:
        return None
    mapped_last = max(col for span in columns.values() for col in span)
    level1_col = columns.get("level1", columns["name"])[0]
    level2_col = columns.get("level2", [level1_col + 1])[0]
    weight_col = columns["weight"][-1] if "weight" in columns else None
    rows: list[TableRow] = []
    for index in range(header + 1, stop):
        row = grid.rows[index]
        texts = [_compact(cell.text) for cell in row.cells]
        first_text = next((text for text in texts if text), "")
        if _TOTAL_ROW.match(first_text) or _END_ROW.search(first_text):
            break
        if _GROUP_ROW.search("".join(texts)):
            continue
        cells = [cell if _meaningful(cell) else Cell(text="") for cell in row.cells]
        fragments = [cell for cell in cells if cell.text.strip()]
        if rows and _is_level_wrap(fragments):
            rows[-1] = _merge_continuation(rows[-1], TableRow(page=row.page, cells=fragments))
            continue
        if _fits(cells, columns, level1_col, mapped_last, weight_col):
            canonical = [_join([cells[col] for col in columns[field] if col < len(cells)]) if field in columns
                         else Cell(text="") for field in CANONICAL]
        else:
            canonical = _by_content(cells, columns, level1_col, level2_col)
        if not any(cell.text for cell in canonical):
            continue
        rows.append(TableRow(page=row.page, cells=canonical))
    rows = _fill_level2_upwards(_align_level1(_fix_levels(_drop_weight_fragments(row)) for row in rows))
    if not rows:
        return None
    repaired = TableGrid(id=grid.id, title=grid.title, unit=grid.unit, page_start=grid.page_start,
                         page_end=grid.page_end, n_cols=len(CANONICAL), rows=rows)
    mapping = IndicatorMapping(table_id=grid.id, data_rows=[i for i, row in enumerate(rows) if row.cells[2].text],
                               **{field: position for position, field in enumerate(CANONICAL) if field in columns})
    return repaired, mapping


def _bare(text: str) -> str:
    """A level name without its printed weight, complete ('(20分)') or cut ('(5', '(20))')."""
    return re.sub(r"[（(].*$", "", _compact(text))


def _value_like(text: str) -> bool:
    return bool(re.search(r"[≥≤≪≫<>%]", text)) or parse_number(text) is not None


def _fits(cells: list[Cell], columns: dict[str, list[int]], level1_col: int, mapped_last: int,
          weight_col: int | None) -> bool:
    """True when the row's cells stand under their header columns (read by position)."""
    filled = [col for col, cell in enumerate(cells) if cell.text.strip()]
    if not filled:
        return True
    if filled[0] < level1_col:
        return False
    at_level1 = _bare(cells[level1_col].text) if level1_col < len(cells) else ""
    if at_level1 and not _LEVEL1.match(at_level1) and (_LEVEL2.match(at_level1) or _LEVEL2_STEM.match(at_level1)):
        return False  # a 二级 name under the 一级 column: the row moved left
    name_text = _compact(_join([cells[col] for col in columns["name"] if col < len(cells)]).text)
    if not name_text or _value_like(name_text):
        return False
    if filled[-1] >= mapped_last:
        return True
    at_weight = _compact(cells[weight_col].text) if weight_col is not None and weight_col < len(cells) else ""
    return bool(_PLAIN_NUMBER.match(at_weight))


def _by_content(cells: list[Cell], columns: dict[str, list[int]], level1_col: int, level2_col: int
                ) -> list[Cell]:
    """Canonical cells of a row whose cells moved: numbers from the right (得分, then 分值), then
    实际完成值 and 指标值, level names from the left, and what remains is the 三级指标 name."""
    items = [(col, cell) for col, cell in enumerate(cells) if cell.text.strip()]
    items = [(col, cell) for col, cell in items
             if (col >= level1_col or _level_column(_compact(cell.text), level1_col, level2_col) is not None)
             and not _WEIGHT_ONLY.match(_compact(cell.text))]
    out = {field: Cell(text="") for field in CANONICAL}
    for field in ("score", "weight"):
        if field in columns and items and _PLAIN_NUMBER.match(_compact(items[-1][1].text)):
            out[field] = items.pop()[1]
    if items and _LEVEL1.match(_bare(items[0][1].text)):
        out["level1"] = items.pop(0)[1]
    # A leading cell is the 二级 name when it is one by name, or when it stands in the 二级 column
    # and the name, target and actual still follow it.
    if items and (_LEVEL2_STEM.match(_compact(items[0][1].text)) or _LEVEL2.match(_compact(items[0][1].text))
                  or (items[0][0] <= level2_col and len(items) >= 4)) and len(items) >= 2:
        out["level2"] = _as_level2(items.pop(0)[1])
    if len(items) >= 3:
        out["actual"] = items.pop()[1]
        out["target"] = items.pop()[1]
    elif len(items) == 2:
        out["actual"] = items.pop()[1]
    if items:
        name = _join([cell for _, cell in items])
        split = _LEVEL2_PREFIX.match(_compact(name.text))
        if split is not None and not out["level2"].text:
            out["level2"] = Cell(text=split.group(1), bbox=name.bbox, confidence=name.confidence)
            name = name.model_copy(update={"text": _compact(name.text)[split.end():]})
        out["name"] = name
    return [out[field] for field in CANONICAL]


def _level_column(text: str, level1_col: int, level2_col: int) -> int | None:
    """Where a level name belongs: the 一级 column for 产出指标 …, the 二级 column for other …指标 names."""
    bare = _bare(text)
    if _LEVEL1.match(bare):
        return level1_col
    if _LEVEL2.match(bare) or _LEVEL2_STEM.match(bare):
        return level2_col
    return None


def _as_level2(cell: Cell) -> Cell:
    """'社会效益' (its 指标 wrapped into another cell) -> '社会效益指标'."""
    text = _compact(cell.text)
    if _WRAPPED_LEVEL2.match(text):
        return cell.model_copy(update={"text": text + "指标"})
    return cell


def _join(cells: list[Cell]) -> Cell:
    """One cell from several: texts joined (a cell repeating the start of the next is dropped), boxes united."""
    parts = [cell for cell in cells if cell.text.strip()]
    if not parts:
        return Cell(text="", bbox=cells[0].bbox if cells else None)
    if len(parts) == 1:
        return parts[0]
    texts: list[str] = []
    for position, cell in enumerate(parts):
        text = cell.text.strip()
        following = _compact(parts[position + 1].text) if position + 1 < len(parts) else ""
        if following.startswith(_compact(text)):
            continue
        texts.append(text)
    boxes = [cell.bbox for cell in parts if cell.bbox is not None]
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes)) if boxes else None
    confidences = [cell.confidence for cell in parts if cell.confidence is not None]
    return Cell(text="".join(texts), bbox=bbox, confidence=min(confidences) if confidences else None)


def _is_level_wrap(fragments: list[Cell]) -> bool:
    """A row holding only the wrapped end of level names ('指标 (10分)', '满意度指标'): no values."""
    texts = [_compact(cell.text) for cell in fragments]
    if not texts or len(texts) > 2 or any(_value_like(text) for text in texts):
        return False
    return any(_bare(text).endswith("指标") or _WEIGHT.search(text) for text in texts) and all(
        len(_bare(text)) <= 8 for text in texts)


def _overlap_join(first: str, second: str) -> str:
    """'服务对象满' + '满意度指标' -> '服务对象满意度指标' (a wrapped word whose break was read twice)."""
    for size in range(min(len(first), len(second), 3), 0, -1):
        if first.endswith(second[:size]):
            return first + second[size:]
    return first + second


def _merge_continuation(previous: TableRow, continuation: TableRow) -> TableRow:
    cells = list(previous.cells)
    fragments = [cell for cell in continuation.cells if cell.text.strip()]
    for target in (0, 1):
        current = _compact(cells[target].text)
        if not fragments:
            break
        if current and not _WEIGHT.sub("", current).endswith("指标"):
            fragment = fragments.pop(0)
            cells[target] = cells[target].model_copy(update={
                "text": _overlap_join(current, _compact(fragment.text))})
    return TableRow(page=previous.page, cells=cells)


# The standard indicator framework: each 二级指标 belongs to one 一级指标.
_LEVEL1_OF_LEVEL2: tuple[tuple[str, str], ...] = (
    (r"^(?:数量|质量|时效)指标", "产出指标"),
    (r"^(?:经济|社会|生态)效益指标|^可持续影响指标", "效益指标"),
    (r"满意度指标$", "满意度指标"),
    (r"^(?:经济|社会|生态环境)成本指标", "成本指标"),
)


def _align_level1(rows) -> list[TableRow]:
    """A merged 一级指标 cell prints its label in the middle of its rows, so carrying labels down
    gives the rows above the label the previous block's 一级. A row whose own 二级 name belongs to a
    different 一级 that this block prints takes that printed label (its cell, for the evidence)."""
    rows = list(rows)
    printed = {_bare(row.cells[0].text): row.cells[0] for row in rows if row.cells[0].text.strip()}
    carried = ""
    for index, row in enumerate(rows):
        own = _bare(row.cells[0].text)
        if own:
            carried = own
            continue
        level2 = _compact(row.cells[1].text)
        expected = next((level1 for pattern, level1 in _LEVEL1_OF_LEVEL2 if re.search(pattern, level2)), None)
        if expected and expected != carried and expected in printed:
            cells = list(row.cells)
            cells[0] = printed[expected]
            rows[index] = TableRow(page=row.page, cells=cells)
            carried = expected
    return rows


def _fill_level2_upwards(rows: list[TableRow]) -> list[TableRow]:
    """Rows opening a 一级 group before its first printed 二级 label take that label: a merged 二级
    cell prints its text in the middle of its rows, below the group's first rows."""
    out = list(rows)
    start = 0
    for index in range(len(out) + 1):
        if index < len(out) and (index == 0 or not out[index].cells[0].text.strip()):
            continue
        group = range(start, index)
        first_label = next((i for i in group if out[i].cells[1].text.strip()), None)
        if first_label is not None:
            for i in range(start, first_label):
                cells = list(out[i].cells)
                cells[1] = out[first_label].cells[1]
                out[i] = TableRow(page=out[i].page, cells=cells)
        start = index
    return out


def _drop_weight_fragments(row: TableRow) -> TableRow:
    """Level cells that hold only a wrapped weight ('分)', '(5分)') are empty; '产出指标(5' loses its '(5'."""
    cells = list(row.cells)
    for position in (0, 1):
        text = _compact(cells[position].text)
        if not text:
            continue
        if _WEIGHT_FRAGMENT.match(text) or not re.search(r"[\u4e00-\u9fff]", text):
            cells[position] = Cell(text="")
        elif _OPEN_WEIGHT.search(text):
            cells[position] = cells[position].model_copy(update={"text": _OPEN_WEIGHT.sub("", text)})
    return TableRow(page=row.page, cells=cells)


def _fix_levels(row: TableRow) -> TableRow:
    """A 二级 name read into the level1 cell (with level2 empty) moves to level2; a level name whose
    指标 wrapped into another cell gets it back (满意度 -> 满意度指标, 社会效益 -> 社会效益指标); a lone
    '指标' fragment is no name."""
    cells = list(row.cells)
    level1 = clean_name(cells[0].text) or ""
    bare = _WEIGHT.sub("", level1)
    if level1 and not cells[1].text.strip() and not _LEVEL1.match(bare) and _LEVEL2.match(bare):
        cells[0], cells[1] = Cell(text=""), cells[0]
    level1, level2 = _bare(cells[0].text), _compact(cells[1].text)
    if level1 and _LEVEL1.match(level1) and not level1.endswith("指标"):
        cells[0] = cells[0].model_copy(update={"text": level1 + "指标"})
    if level2 == "指标":
        cells[1] = Cell(text="")
    elif level2:
        cells[1] = _as_level2(cells[1])
    return TableRow(page=row.page, cells=cells)


MAX_SCORE = 100


def total_score(grid: TableGrid) -> tuple[int, int | None, Cell, str] | None:
    """The 总分 row's score as (row, column or None when joined, cell, text).

    OCR splits the printed total over cells ('97.' '94', '93' '. 4', '9' '8') and leaves debris
    ('73 /'). The score is the longest run of the row's last numeric fragments that, joined, reads as
    a number of at most 100; with one fragment it is that cell.
    """
    for index, row in enumerate(grid.rows):
        texts = [_compact(cell.text) for cell in row.cells]
        first = next((text for text in texts if text), "")
        if not first.startswith("总分"):
            continue
        fragments = [(col, cell, re.sub(r"[^\d.]", "", _compact(cell.text))) for col, cell in enumerate(row.cells)
                     if col > texts.index(first) and re.search(r"\d", cell.text)]
        for size in range(len(fragments), 0, -1):
            run = fragments[-size:]
            joined = re.sub(r"\.{2,}", ".", "".join(text for _, _, text in run))
            parsed = parse_number(joined)
            if parsed is None or parsed.value > MAX_SCORE or (size > 1 and parsed.value == 0):
                continue
            if re.fullmatch(r"0\d+", joined):
                continue  # '00': the tail of a number split over cells, not a score of its own
            if size == 1:
                col, cell, _ = run[0]
                return index, col, cell, joined
            return index, None, _join([cell for _, cell, _ in run]), joined
    return None
