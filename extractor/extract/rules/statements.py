"""Statement-table rules: map each 决算/预算 table grid onto a StatementMapping, then let the reader read it.

The mapping comes from the grid itself:
- header rows are the rows above the first row that holds a value (栏次 rows count as header);
- each column's header is the chain of header cells covering it, a spanning cell covering the
  columns up to the next cell of its row within its parent's span; a value column is named by the
  deepest cell of its chain (本年支出合计, 基本支出, 决算数 …);
- column roles come from the data cells: a code column holds 科目编码 (3/5/7 digits, or 类 then
  款/项 fragments), a name column mostly text, a value column numbers or nothing; 行次 columns
  (header 行次 or line numbers) are dropped. Every code or name column starts a new side, so a
  two-sided 收入 | 支出 table (or the three-sided 基本支出 明细表) gives one side per block.

A 三公 table is one data row under a two-level header (category x 预算数/决算数); it is read
transposed, one row per category, so that rows carry names.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from extractor.extract.rules.text import find_first
from extractor.extract.rules.text import pages as text_pages
from extractor.extract.table_reader import (
    cell_evidence,
    clean_name,
    clean_text,
    heading_evidence,
    normalise_code,
    parse_number,
    read_statement,
)
from schemas.document import Document, TableGrid
from schemas.extraction import Evidence, Flag, StatementRow, StatementTable
from schemas.mapping import StatementMapping, StatementSide

STATEMENT_TITLE = re.compile(r"决算|预算|收支|收入|支出")
THREE_PUBLIC_TITLE = re.compile(r"三公")
_NOT_STATEMENT = re.compile(r"绩效|自评|评价|基础数据|指标")
_NOTE_ROW = re.compile(r"^(?:[注主]\s*[:：]|注\d|说明|备注|本表|[—-]\s*\d+\s*[—-])")
_HEADER_WORDS = re.compile(r"^(?:栏次|行次|项目|科目名称|科目编码|类|款|项|类款项|金额|合计)$")
_ROW_NUMBER_HEADER = re.compile(r"行次")
_FRAGMENT = re.compile(r"^\d{2,3}$")
_VALUE_LABELS = ("预算数", "决算数")


def is_statement_grid(grid: TableGrid) -> bool:
    """A table whose title names a 决算/预算 statement (not a self-evaluation or basic-data form)."""
    title = grid.title or ""
    return bool(STATEMENT_TITLE.search(title)) and not _NOT_STATEMENT.search(title) and len(title) <= 60


def extract_tables(doc: Document) -> tuple[list[StatementTable], dict[str, Evidence], list[Flag]]:
    """Every statement table with values, in document order; empty printed tables are left out."""
    tables: list[StatementTable] = []
    evidence: dict[str, Evidence] = {}
    flags: list[Flag] = []
    for grid in _join_continuations(doc.tables):
        if not is_statement_grid(grid):
            continue
        prefix = f"tables[{len(tables)}]"
        if THREE_PUBLIC_TITLE.search(grid.title or "") and _categories_in_header(grid):
            table, table_evidence, table_flags = read_three_public_table(grid, prefix)
        else:
            mapping = map_statement(grid)
            if mapping is None:
                continue
            table, table_evidence, table_flags = read_statement(grid, mapping, prefix)
        if not table.rows or all(value is None for row in table.rows for value in row.values.values()):
            continue
        if table.unit is None:
            table.unit, stated = _infer_unit(doc, table, prefix, table_flags)
            if table.unit is not None:  # read from the narrative, not printed with the table: see its flag
                table_evidence[f"{prefix}.unit"] = stated or Evidence(page=grid.page_start, confidence=0.5)
        if doc.source.input_kind != "pdf_text":  # a text layer prints what it prints: never "complete" it
            _repair_cut_digits(table, prefix, table_flags)
        tables.append(table)
        evidence.update(table_evidence)
        flags.extend(table_flags)
    _repair_names(tables, flags)
    return tables, evidence, flags


def _plain(value: Decimal) -> set[str]:
    text = format(value, "f")
    forms = {text}
    if "." in text:
        forms.add(text.rstrip("0").rstrip("."))
    return forms


def _infer_unit(doc: Document, table: StatementTable, prefix: str, flags: list[Flag]
                ) -> tuple[str | None, Evidence | None]:
    """A table printed without a legible unit takes the unit its totals carry in the narrative.

    Three of the table's amounts (half of them when it has fewer than six) stated in the text with 万元 (or
    with 元) decide it; the choice is flagged for a reviewer. Evidence (confidence 0.5) quotes the first
    such amount in the text.
    """
    text = "".join(page.text for page in text_pages(doc))
    values = {value for row in table.rows for value in row.values.values() if value is not None and value > 0}
    needed = min(3, (len(values) + 1) // 2)
    stated: dict[str, list[str]] = {"万元": [], "元": []}
    for value in values:
        for form, unit in ((form, unit) for form in _plain(value) for unit in ("万元", "元")):
            pattern = rf"(?<![\d.]){re.escape(form)}{unit}"
            if re.search(pattern, text):
                stated[unit].append(pattern)
                break
    wan, yuan = len(stated["万元"]), len(stated["元"])
    unit = "万元" if needed and wan >= needed and wan >= yuan else "元" if needed and yuan >= needed else None
    if unit is None:
        return None, None
    flags.append(Flag(path=f"{prefix}.unit", rule="unit_inferred", severity="info",
                      message=f"no unit printed with the table; {max(wan, yuan)} of its amounts appear "
                              f"in the text in {unit}"))
    hit = next(filter(None, (find_first(doc, p) for p in stated[unit])), None)
    return unit, hit.evidence().model_copy(update={"confidence": 0.5}) if hit is not None else None


_TOTAL_COLUMNS = ("本年收入合计", "本年支出合计", "合计", "小计")


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _repair_cut_digits(table: StatementTable, prefix: str, flags: list[Flag]) -> None:
    """A cell OCR cut short at its edge ('3, 042. 9' for 3,042.92) is completed from its row's total.

    Only when the table's first column is the row total, the cell prints fewer decimals than the
    total, and total minus the other cells gives a number that starts with the printed digits;
    each completion is flagged.
    """
    if not table.columns or table.columns[0] not in _TOTAL_COLUMNS:
        return
    total_column = table.columns[0]
    for row_index, row in enumerate(table.rows):
        total = row.values.get(total_column)
        if total is None:
            continue
        parts = {column: value for column, value in row.values.items() if column != total_column and value is not None}
        short = [column for column, value in parts.items() if _decimals(value) < _decimals(total)]
        if len(short) != 1:
            continue
        column = short[0]
        completed = total - sum(value for name, value in parts.items() if name != column)
        printed = format(parts[column], "f")
        if completed != parts[column] and format(completed, "f").startswith(printed) and completed > 0:
            row.values[column] = completed
            flags.append(Flag(path=f"{prefix}.rows[{row_index}].values.{column}", rule="ocr_repair",
                              severity="warning",
                              message=f"printed {printed} lost digits at the cell edge; completed to {completed} "
                                      f"from the row total {total}"))


# Row names every 决算 statement prints; an OCR'd name one non-Chinese glyph away is repaired to them.
STANDARD_ROW_NAMES = (
    "本年收入合计", "本年支出合计", "年初结转和结余", "年末结转和结余", "结余分配", "总计", "合计",
    "使用非财政拨款结余（含专用结余）", "年初财政拨款结转和结余", "年末财政拨款结转和结余",
    "一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入",
    "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入",
)


def _repair_names(tables: list[StatementTable], flags: list[Flag]) -> None:
    """OCR name errors fixed across the document's tables.

    A 科目编码 printed in several tables names one 科目: where its names disagree, the name most
    tables print wins (行歌运行 -> 行政运行). A name one glyph away from a standard row name, the
    differing glyph not Chinese (E初结转和结余), is that standard name. Each repair is flagged.
    """
    names: dict[str, Counter[str]] = {}
    for table in tables:
        for row in table.rows:
            if row.code and row.name:
                names.setdefault(row.code, Counter())[row.name] += 1
    for index, table in enumerate(tables):
        for row_index, row in enumerate(table.rows):
            path = f"tables[{index}].rows[{row_index}].name"
            repaired = None
            if row.code and row.name and row.code in names:
                (best, count), *rest = names[row.code].most_common()
                if best != row.name and count > names[row.code][row.name] and len(best) == len(row.name):
                    repaired = best
            elif row.name and not row.code:
                repaired = _standard_name(row.name)
            if repaired is not None and repaired != row.name:
                flags.append(Flag(path=path, rule="ocr_repair", severity="info",
                                  message=f"name {row.name!r} read as {repaired!r}"))
                row.name = repaired


def _standard_name(name: str) -> str | None:
    for standard in STANDARD_ROW_NAMES:
        if len(standard) != len(name):
            continue
        diffs = [(a, b) for a, b in zip(name, standard, strict=True) if a != b]
        if len(diffs) == 1 and not re.match(r"[\u4e00-\u9fff]", diffs[0][0]):
            return standard
    return None


def _categories_in_header(grid: TableGrid) -> bool:
    """A 三公 table printed with its categories as columns (read transposed), not as rows."""
    return any(re.search(r"因公出国|公务接待", cell.text) for row in grid.rows[:header_end(grid)]
               for cell in row.cells)


def _join_continuations(grids: list[TableGrid]) -> list[TableGrid]:
    """A grid with no title whose first row already holds values, on the page after a statement grid
    of the same width, continues that grid (a table carried over a page without a repeated header)."""
    out: list[TableGrid] = []
    for grid in grids:
        previous = out[-1] if out else None
        if (previous is not None and grid.title is None and is_statement_grid(previous)
                and grid.n_cols == previous.n_cols and grid.page_start == previous.page_end + 1
                and header_end(grid) == 0):
            out[-1] = previous.model_copy(update={"rows": previous.rows + grid.rows, "page_end": grid.page_end})
            continue
        out.append(grid)
    return out


def header_end(grid: TableGrid) -> int:
    """Index of the first data row: the first row holding a value that is not a 栏次 / line-number row."""
    for index, row in enumerate(grid.rows):
        texts = [cell.text.strip() for cell in row.cells]
        if any("栏次" in text for text in texts):
            continue
        numbers = [parse_number(text) for text in texts if text]
        numbers = [number for number in numbers if number is not None]
        if not numbers:
            continue
        if _is_column_numbering(texts):
            continue
        return index
    return len(grid.rows)


def _is_column_numbering(texts: list[str]) -> bool:
    """A row like '1 2 3 4 5 6' (column numbers printed under the header)."""
    values = [text for text in texts if text]
    return len(values) >= 3 and all(re.fullmatch(r"\d{1,2}", text) for text in values) and \
        [int(text) for text in values] == list(range(int(values[0]), int(values[0]) + len(values)))


def column_headers(grid: TableGrid, header_rows: list[int]) -> list[list[str]]:
    """For each column, the header cells covering it from top to bottom (spans bounded by their parent)."""
    n_cols = grid.n_cols
    chains: list[list[str]] = [[] for _ in range(n_cols)]
    parent_bounds = [(0, n_cols)] * n_cols
    for row in header_rows:
        texts = [clean_name(cell.text) or "" for cell in grid.rows[row].cells] + [""] * n_cols
        new_bounds = list(parent_bounds)
        for col in range(n_cols):
            low, high = parent_bounds[col]
            owner = next((k for k in range(col, low - 1, -1) if texts[k]), None)
            if owner is None:
                continue
            end = next((k for k in range(owner + 1, high) if texts[k]), high)
            if col >= end:
                continue
            chains[col].append(texts[owner])
            new_bounds[col] = (owner, end)
        parent_bounds = new_bounds
    return chains


def map_statement(grid: TableGrid) -> StatementMapping | None:
    """The StatementMapping of a statement grid, or None when no name or value column is found."""
    start = header_end(grid)
    header_rows = list(range(start))
    data_rows = [index for index in range(start, len(grid.rows)) if _is_data_row(grid, index)]
    if not data_rows:
        return None
    chains = column_headers(grid, header_rows)
    roles = _column_roles(grid, data_rows, chains)
    sides: list[StatementSide] = []
    pending_code: int | None = None
    for col, role in enumerate(roles):
        if role == "code":
            if pending_code is None:
                pending_code = col
        elif role == "fragment":
            continue
        elif role == "name":
            sides.append(StatementSide(code=pending_code, name=col))
            pending_code = None
        elif role == "value" and sides:
            label = _value_label(chains[col])
            if label and label not in sides[-1].values:
                sides[-1].values[label] = col
    sides = [side for side in sides if side.values]
    if not sides:
        return None
    return StatementMapping(table_id=grid.id, title=grid.title, unit=grid.unit, header_rows=header_rows,
                            data_rows=data_rows, sides=sides)


def _is_data_row(grid: TableGrid, index: int) -> bool:
    texts = [cell.text.strip() for cell in grid.rows[index].cells]
    first = next((text for text in texts if text), "")
    if not first or _NOTE_ROW.match(first):
        return False
    if any("栏次" in text for text in texts) or _is_column_numbering(texts):
        return False
    return True


def _column_roles(grid: TableGrid, data_rows: list[int], chains: list[list[str]]) -> list[str]:
    roles: list[str] = []
    for col in range(grid.n_cols):
        codes = fragments = numbers = texts = 0
        for row in data_rows:
            text = grid.rows[row].cells[col].text.strip() if col < len(grid.rows[row].cells) else ""
            if not text:
                continue
            compact = re.sub(r"\s+", "", text)
            if normalise_code(compact) is not None and len(compact) in (3, 5, 7):
                codes += 1
            elif _FRAGMENT.match(compact):
                fragments += 1
            elif parse_number(text) is not None:
                numbers += 1
            else:
                texts += 1
        header = "".join(chains[col])
        if _ROW_NUMBER_HEADER.search(header) or (numbers and _is_line_numbers(grid, data_rows, col)):
            roles.append("skip")
        elif codes and codes >= max(numbers, texts, fragments):
            roles.append("code")
        elif fragments and fragments >= max(numbers, texts) and roles and roles[-1] in ("code", "fragment"):
            roles.append("fragment")
        elif texts and texts >= numbers:
            roles.append("name")
        else:
            roles.append("value")
    return roles


def _is_line_numbers(grid: TableGrid, data_rows: list[int], col: int) -> bool:
    values = []
    for row in data_rows:
        text = grid.rows[row].cells[col].text.strip()
        if text:
            if not re.fullmatch(r"\d{1,3}", text):
                return False
            values.append(int(text))
    return len(values) >= 3 and values == sorted(values) and len(set(values)) == len(values)


def _value_label(chain: list[str]) -> str | None:
    labels = [text for text in chain if text and not _is_noise_header(text)]
    return labels[-1] if labels else None


def _is_noise_header(text: str) -> bool:
    return text in ("栏次",) or re.fullmatch(r"[\d\s]+", text) is not None


def read_three_public_table(grid: TableGrid, prefix: str) -> tuple[StatementTable, dict[str, Evidence], list[Flag]]:
    """A 三公 table read transposed: one row per printed category, columns 预算数 / 决算数."""
    start = header_end(grid)
    header_rows = list(range(start))
    chains = column_headers(grid, header_rows)
    evidence: dict[str, Evidence] = {}
    rows: list[StatementRow] = []
    positions: dict[str, int] = {}
    columns: list[str] = []
    for col in range(grid.n_cols):
        name, label = _category(chains[col])
        if name is None or label is None:
            continue
        if label not in columns:
            columns.append(label)
        if name not in positions:
            positions[name] = len(rows)
            rows.append(StatementRow(name=name, values={}))
            header_cell = next(((row, cell) for row in header_rows for cell in grid.rows[row].cells
                                if clean_name(cell.text) == name), None)
            if header_cell is not None:
                evidence[f"{prefix}.rows[{positions[name]}].name"] = cell_evidence(grid, *header_cell)
        index = positions[name]
        value = None
        for row in range(start, len(grid.rows)):
            cell = grid.rows[row].cells[col]
            parsed = parse_number(cell.text)
            if parsed is not None:
                value = parsed.value
                evidence[f"{prefix}.rows[{index}].values.{label}"] = cell_evidence(grid, row, cell, repaired=parsed.repaired)
                break
        rows[index].values[label] = value
    for row in rows:
        for label in columns:
            row.values.setdefault(label, None)
    table = StatementTable(title=clean_name(grid.title), unit=clean_text(grid.unit), columns=columns, rows=rows)
    return table, evidence | heading_evidence(grid, table, prefix), []


def _category(chain: list[str]) -> tuple[str | None, str | None]:
    """(category, 预算数/决算数) for one column of a 三公 table header chain."""
    label = None
    for text in chain:
        for candidate in _VALUE_LABELS:
            if candidate[:2] in text:
                label = candidate
    names = [text for text in chain if text not in _VALUE_LABELS and not _is_noise_header(text)]
    if not names:
        return None, label
    name = names[-1]
    if name == "小计" and len(names) > 1:
        name = names[-2]
    if len(names) == 1 and "三公" in name and label is not None:
        return None, label  # the title cell spanning everything, without a category below it
    return name, label
