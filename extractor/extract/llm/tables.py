"""Table tasks: show a grid with row and column ids, get a mapping back, account for every row.

"The model maps, the code reads": the answer only names rows and columns; the values are read
from the cells by extractor/extract/table_reader.py. Long grids go in chunks of at most
max_rows_per_chunk rows (plus the heading rows for context); a chunk whose answer is cut off at
the output limit is split in half and asked again, never re-asked as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from extractor.extract.engine import Task
from extractor.extract.llm.answers import (
    IndicatorColumns,
    IndicatorTableAnswer,
    ProjectTableAnswer,
    StatementTableAnswer,
    _RowsAnswer,
    col_index,
    row_index,
)
from extractor.extract.llm.client import OutputTruncated
from extractor.extract.llm.grounding import numbers_in
from schemas.document import Document, SectionKind, TableGrid
from schemas.extraction import Flag
from schemas.mapping import CellRef, IndicatorMapping, ProjectMapping, StatementMapping, StatementSide

MAX_CELL_CHARS = 40
MAX_CONTEXT_HEADER_ROWS = 6

_SECTION_KIND = {
    Task.TABLES: SectionKind.STATEMENT_TABLE,
    Task.INDICATORS: SectionKind.INDICATOR_TABLE,
    Task.PROJECTS: SectionKind.PROJECT_SELF_EVALUATION,
}


def _grid_text(grid: TableGrid, first_rows: int | None = None) -> str:
    rows = grid.rows if first_rows is None else grid.rows[:first_rows]
    return " ".join(cell.text for row in rows for cell in row.cells)


def _kind_by_keywords(grid: TableGrid) -> Task | None:
    head = f"{grid.title or ''} {_grid_text(grid, 6)}"
    if "项目名称" in head.replace(" ", "") or "项目支出名称" in head.replace(" ", ""):
        return Task.PROJECTS
    if "三级指标" in _grid_text(grid).replace(" ", ""):
        return Task.INDICATORS
    if any(numbers_in(cell.text) for row in grid.rows for cell in row.cells):
        return Task.TABLES
    return None


def tables_for(task: Task, doc: Document) -> list[TableGrid]:
    """The grids a table task reads: those its sections name, else those whose headings fit the task."""
    kind = _SECTION_KIND[task]
    ids = [tid for s in doc.all_sections() if s.kind == kind for tid in s.table_ids]
    if ids:
        known = {t.id for t in doc.tables}
        return [doc.table(tid) for tid in dict.fromkeys(ids) if tid in known]
    return [grid for grid in doc.tables if _kind_by_keywords(grid) == task]


def is_blank(grid: TableGrid, row: int) -> bool:
    return not any(cell.text.strip() for cell in grid.rows[row].cells)


def render_grid(grid: TableGrid, rows: list[int]) -> str:
    """Tab-separated grid: a line of column ids, then one line per row starting with its row id."""
    lines = ["\t".join(["", *(f"c{c}" for c in range(grid.n_cols))])]
    for r in rows:
        cells = []
        for cell in grid.rows[r].cells:
            text = " ".join(cell.text.split())
            cells.append(text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS] + "…")
        lines.append("\t".join([f"r{r}", *cells]))
    return "\n".join(lines)


def chunk_rows(rows: list[int], size: int) -> list[list[int]]:
    """Consecutive chunks of at most `size` row indices."""
    size = max(1, size)
    return [rows[i:i + size] for i in range(0, len(rows), size)]


@dataclass
class TableMapping:
    """The merged answers for one grid: row classes, the first answer (for columns), disagreements."""

    header_rows: list[int] = field(default_factory=list)
    data_rows: list[int] = field(default_factory=list)
    classified: set[int] = field(default_factory=set)
    answers: list[_RowsAnswer] = field(default_factory=list)
    chunk_sizes: list[int] = field(default_factory=list)

    @property
    def first(self) -> _RowsAnswer | None:
        """The first answer that maps any column (a chunk of title rows maps none), else the first answer."""
        mapping = [a for a in self.answers if _maps_columns(a)]
        return mapping[0] if mapping else (self.answers[0] if self.answers else None)


Ask = Callable[[dict, type[_RowsAnswer]], _RowsAnswer]


def map_grid(grid: TableGrid, answer_type: type[_RowsAnswer], ask: Ask, max_rows: int,
             fail: Callable[[str], Exception]) -> TableMapping:
    """Ask for the mapping of `grid` chunk by chunk; a truncated answer splits its chunk in half."""
    rows = [r for r in range(len(grid.rows)) if not is_blank(grid, r)]
    pending = chunk_rows(rows, max_rows)
    merged = TableMapping()
    context: list[int] = []
    while pending:
        chunk = pending.pop(0)
        shown = sorted(set(context) | set(chunk))
        variables = {
            "table_id": grid.id, "title": grid.title, "unit": grid.unit,
            "context_rows": ", ".join(f"r{r}" for r in context if r not in chunk),
            "rows_to_classify": f"r{chunk[0]}–r{chunk[-1]}" if len(chunk) > 1 else f"r{chunk[0]}",
            "grid": render_grid(grid, shown),
        }
        try:
            answer = ask(variables, answer_type.for_ids(shown, grid.n_cols))
        except OutputTruncated:
            if len(chunk) == 1:
                raise fail(f"table {grid.id}: the answer for the single row r{chunk[0]} exceeds the "
                           f"model's output limit") from None
            half = len(chunk) // 2
            pending[:0] = [chunk[:half], chunk[half:]]
            continue
        merged.answers.append(answer)
        merged.chunk_sizes.append(len(chunk))
        headers = [row_index(i) for i in answer.header_rows]
        if not context:
            context = sorted(headers)[:MAX_CONTEXT_HEADER_ROWS]
        merged.header_rows = sorted(set(merged.header_rows) | set(headers))
        merged.data_rows = sorted(set(merged.data_rows) | {row_index(i) for i in answer.data_rows})
        merged.classified |= {row_index(i) for i in answer.header_rows + answer.data_rows + answer.skipped_rows}
    merged.data_rows = [r for r in merged.data_rows if r not in set(merged.header_rows)]
    return merged


def missing_rows_flag(grid: TableGrid, merged: TableMapping, path: str) -> Flag | None:
    """A flag naming the non-blank rows no answer accounted for (error when one of them holds a number)."""
    missing = [r for r in range(len(grid.rows)) if not is_blank(grid, r) and r not in merged.classified]
    if not missing:
        return None
    numeric = any(numbers_in(cell.text) for r in missing for cell in grid.rows[r].cells)
    shown = ", ".join(f"r{r}" for r in missing[:20]) + (" …" if len(missing) > 20 else "")
    return Flag(path=path, rule="missing_rows", severity="error" if numeric else "warning",
                message=f"table {grid.id}: {len(missing)} row(s) not accounted for by the model: {shown}")


def disagreement_flags(merged: TableMapping, path: str, grid: TableGrid) -> list[Flag]:
    """Flag chunks whose column mapping differs from the one used (the first that maps columns)."""
    first = merged.first
    if first is None:
        return []
    columns = _columns_of(first)
    return [Flag(path=path, rule="chunk_disagreement", severity="warning",
                 message=f"table {grid.id}: chunk {i + 1} mapped the columns differently; the first "
                         f"chunk's mapping was used")
            for i, answer in enumerate(merged.answers)
            if answer is not first and _maps_columns(answer) and _columns_of(answer) != columns]


def _maps_columns(answer: _RowsAnswer) -> bool:
    if isinstance(answer, StatementTableAnswer):
        return any(s.name or s.code or s.values for s in answer.sides)
    return any(answer.columns.model_dump().values())


def _columns_of(answer: _RowsAnswer) -> object:
    if isinstance(answer, StatementTableAnswer):
        return [s.model_dump() for s in answer.sides]
    return answer.columns.model_dump()


def statement_mapping(grid: TableGrid, merged: TableMapping) -> StatementMapping:
    """The StatementMapping table_reader reads, from the merged answers (columns from the first); a grid
    with no answer (every row blank) maps no side, so nothing is read from it."""
    first = merged.first
    sides = [StatementSide(code=col_index(s.code), name=col_index(s.name),
                           values={v.name.strip(): col_index(v.column) for v in s.values})
             for s in (first.sides if isinstance(first, StatementTableAnswer) else [])]
    title = grid.title or next((a.title for a in merged.answers if a.title), None)
    unit = grid.unit or next((a.unit for a in merged.answers if a.unit), None)
    return StatementMapping(table_id=grid.id, title=title, unit=unit, header_rows=merged.header_rows,
                            data_rows=merged.data_rows, sides=sides)


def indicator_mapping(grid: TableGrid, merged: TableMapping) -> IndicatorMapping:
    first = merged.first
    columns = first.columns if first is not None else IndicatorColumns()
    return IndicatorMapping(table_id=grid.id, header_rows=merged.header_rows, data_rows=merged.data_rows,
                            **{name: col_index(col) for name, col in columns.model_dump().items()})


def project_mapping(grid: TableGrid, merged: TableMapping) -> tuple[ProjectMapping, str | None]:
    """The ProjectMapping (summary cells from the first answer that names each) and the printed unit."""
    def cell(name: str) -> CellRef | None:
        for answer in merged.answers:
            ref = getattr(answer, name)
            if ref is not None:
                return CellRef(row=row_index(ref.row), col=col_index(ref.column))
        return None

    answers = [a for a in merged.answers if isinstance(a, ProjectTableAnswer)]
    unit = next((a.unit for a in answers if a.unit), None)
    mapping = ProjectMapping(table_id=grid.id, name=cell("name"), budget=cell("budget"), spent=cell("spent"),
                             execution_rate=cell("execution_rate"), score=cell("score"),
                             indicators=indicator_mapping(grid, merged) if merged.data_rows else None)
    return mapping, unit


ANSWER_TYPES: dict[Task, type[_RowsAnswer]] = {
    Task.TABLES: StatementTableAnswer,
    Task.INDICATORS: IndicatorTableAnswer,
    Task.PROJECTS: ProjectTableAnswer,
}
