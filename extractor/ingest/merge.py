"""Tables continued across pages become one grid.

A table is taken as continued when it ends the page (nothing but a page number below it) and the
next page opens with a table of the same columns and no other title (nothing but a page number,
the same title, its unit or 续表 above it). A header row repeated on the continuation page is dropped;
every row keeps the page it is printed on.
"""

from __future__ import annotations

import re
from statistics import median

from schemas.document import Page, TableGrid, TableRow

_PAGE_FURNITURE = re.compile(
    r"^[-—–\s]*\d+[-—–\s]*$|^第\s*\d+\s*页|^共\s*\d+\s*页|^\d+\s*/\s*\d+$"
    r"|^[(（]?续[表)）]?|^续表|单位\s*[:：]|^编制(部门|单位)\s*[:：]|^金额单位")
_CONTINUED = re.compile(r"[(（]\s*续\s*[)）]|续表")
_COLUMN_TOLERANCE_PT = 6.0
_MAX_HEADER_ROWS = 6


def merge_tables(tables: list[TableGrid], pages: list[Page]) -> list[TableGrid]:
    """Tables in reading order, with each table continued on following pages merged into one grid.

    The input grids are not modified; a merged table is a new grid sharing their rows.

    `tables` must be in reading order (page, then top to bottom); `pages` supplies the words used to
    check that nothing but page furniture sits between the end of one part and the start of the next.
    """
    by_number = {page.number: page for page in pages}
    merged: list[TableGrid] = []
    for table in tables:
        previous = merged[-1] if merged else None
        if previous is not None and _continues(previous, table, by_number):
            merged[-1] = _join(previous, table)
        else:
            merged.append(table)
    return merged


def _continues(first: TableGrid, second: TableGrid, pages: dict[int, Page]) -> bool:
    """True when `second` is the next page's part of `first`."""
    if second.page_start != first.page_end + 1 or second.n_cols != first.n_cols:
        return False
    if second.title and not _same_title(first.title, second.title):
        return False
    last_page, next_page = pages.get(first.page_end), pages.get(second.page_start)
    if last_page is None or next_page is None:
        return False
    first_bottom = _rows_edge(first.rows, first.page_end, bottom=True)
    second_top = _rows_edge(second.rows, second.page_start, bottom=False)
    if first_bottom is None or second_top is None:
        return False
    if _other_words(last_page, lambda box: box[1] >= first_bottom - 1, first.title):
        return False
    if _other_words(next_page, lambda box: box[3] <= second_top + 1, first.title):
        return False
    if last_page.width == next_page.width:
        return _same_columns(first, second)
    return True


def _same_title(first: str | None, second: str) -> bool:
    if first is None:
        return bool(_CONTINUED.search(second))
    return _CONTINUED.sub("", first).strip() == _CONTINUED.sub("", second).strip()


def _rows_edge(rows: list[TableRow], page: int, *, bottom: bool) -> float | None:
    """The lowest bottom (or highest top) of the cells printed on `page`."""
    edges = [cell.bbox[3] if bottom else cell.bbox[1]
             for row in rows if row.page == page for cell in row.cells if cell.bbox]
    if not edges:
        return None
    return max(edges) if bottom else min(edges)


def _other_words(page: Page, where, title: str | None) -> bool:
    """True when a word in the region is more than a page number, unit line or the table's own title."""
    for word in page.words:
        if not where(word.bbox):
            continue
        text = word.text.strip()
        if not text or _PAGE_FURNITURE.search(text) or (title and text in title):
            continue
        return True
    return False


def _same_columns(first: TableGrid, second: TableGrid) -> bool:
    left_a, left_b = _column_lefts(first), _column_lefts(second)
    if left_a is None or left_b is None:
        return True
    return all(abs(a - b) <= _COLUMN_TOLERANCE_PT for a, b in zip(left_a, left_b, strict=True))


def _column_lefts(table: TableGrid) -> list[float] | None:
    """Median left edge of each column, from the cells that start in it."""
    lefts: list[list[float]] = [[] for _ in range(table.n_cols)]
    for row in table.rows:
        for j, cell in enumerate(row.cells):
            if cell.bbox:
                lefts[j].append(cell.bbox[0])
    if any(not values for values in lefts):
        return None
    return [median(values) for values in lefts]


def _join(first: TableGrid, second: TableGrid) -> TableGrid:
    rows = list(second.rows)
    repeated = _repeated_header_rows(first.rows, rows)
    return first.model_copy(update={
        "rows": first.rows + rows[repeated:],
        "page_end": second.page_end,
        "unit": first.unit or second.unit,
    })


def _repeated_header_rows(first: list[TableRow], second: list[TableRow]) -> int:
    """How many opening rows of the continuation repeat the table's opening (header) rows."""
    repeated = 0
    for k in range(min(_MAX_HEADER_ROWS, len(first), len(second) - 1)):
        if _row_texts(first[k]) != _row_texts(second[k]) or not any(_row_texts(second[k])):
            break
        repeated = k + 1
    return repeated


def _row_texts(row: TableRow) -> list[str]:
    return [re.sub(r"\s+", "", cell.text) for cell in row.cells]
