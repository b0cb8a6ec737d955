"""Ingest text that an OCR tool already produced (plain text or markdown) into a Document.

The file is one page unless it holds form feeds, then each chunk is a page. Each page's text is
cleaned: HTML fragments (`<p>`, `<br>`, `<u>`, entities, whole `<table>`s) and LaTeX (`$\\geq 99\\%$`)
become plain text. Table rows in Page.text are tab-separated whatever their source (tabs, markdown
pipes, HTML rows).

Tables: consecutive rows (tab-separated lines, markdown `| a | b |` lines, HTML `<tr>`s) form a
TableGrid. Blank lines, page-number lines (`— 8 —`) and page breaks do not end a table, any other
text line does: OCR tools leave blank lines where a table crossed a page. A table's title is the
nearest preceding short line that names a table (ends in 表), its unit comes from a `单位：…` line
between that title and the table (or from the table's first rows).
"""

from __future__ import annotations

import codecs
import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

from extractor.errors import IngestError
from extractor.numbers import parse_unit
from schemas.document import Cell, Document, Page, SourceInfo, TableGrid, TableRow

MIN_TABLE_ROWS = 2
"""A single tab-separated line is a label and its value, not a table."""
TITLE_LOOKBACK_LINES = 5
"""How many non-empty text lines above a table may stand between it and its title."""
TITLE_MAX_CHARS = 60

_BREAK = "\ue000"  # private-use stand-in for a line break inside one cell or line while lines are split

_BLOCK_TAGS = "p|br|div|li|ul|ol|h[1-6]|tr|table|tbody|thead|tfoot|blockquote|hr|center|section|article"
_INLINE_TAGS = "u|i|b|em|strong|span|sub|sup|font|s|del|ins|mark|small|big|a|img|td|th|code|caption|colgroup|col"
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^>]*>", re.I)
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_TAGS})\b[^>]*>", re.I)
_HTML_TABLE = re.compile(r"<table\b[^>]*>(.*?)</table\s*>", re.I | re.S)
_HTML_ROW = re.compile(r"<tr\b[^>]*>(.*?)(?:</tr\s*>|(?=<tr\b)|$)", re.I | re.S)
_HTML_CELL = re.compile(r"<t([dh])\b([^>]*)>(.*?)(?:</t[dh]\s*>|(?=<t[dh]\b)|$)", re.I | re.S)
_SPAN_ATTR = re.compile(r"""(colspan|rowspan)\s*=\s*["']?(\d+)""", re.I)

_LATEX_SYMBOLS: dict[str, str] = {
    "geq": "≥", "ge": "≥", "geqslant": "≥", "leq": "≤", "le": "≤", "leqslant": "≤", "neq": "≠", "ne": "≠",
    "times": "×", "div": "÷", "pm": "±", "cdot": "·", "sim": "~", "approx": "≈", "circ": "°", "degree": "°",
    "ldots": "…", "cdots": "…", "dots": "…", "rightarrow": "→", "to": "→", "leftarrow": "←", "infty": "∞",
    "lt": "<", "gt": ">", "mu": "μ", "quad": " ", "qquad": " ", "checkmark": "✓", "square": "□",
}
_LATEX_ESCAPES = {"%": "%", "$": "$", "&": "&", "#": "#", "_": "_", "{": "{", "}": "}", ",": "", ";": "", "!": "",
                  " ": " "}
_LATEX_WRAPPERS = ("underline", "overline", "text", "textrm", "textbf", "textit", "mathrm", "mathbf", "mathit",
                   "operatorname", "emph", "mbox", "boldsymbol", "mathbb")
_LATEX_WRAPPER = re.compile(rf"\\(?:{'|'.join(_LATEX_WRAPPERS)})\s*\{{([^{{}}]*)\}}")
_LATEX_SCRIPT = re.compile(r"[_^]\{([^{}]*)\}")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+) ?")
_LATEX_ESCAPE = re.compile(r"\\([%$&#_{},;! ])")
_LATEX_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)")
_MATHLIKE = re.compile(r"\\[A-Za-z%]|[\^_{}]")

_MARKDOWN_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_MARKDOWN_RULE_CELL = re.compile(r"^\s*:?-+:?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[—–\-－]+\s*\d{1,4}\s*[—–\-－]+|第\s*\d{1,4}\s*页(?:\s*[,，]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")
_NAMES_A_TABLE = re.compile(r"表\s*(?:[（(][^（()）]{0,20}[）)])?\s*$")
_NOT_A_TITLE = re.compile(r"^\s*(?:注|说明|备注|填表|主\s*[:：])")
_LEADING_ENUMERATION = re.compile(
    r"^\s*(?:[-•·]\s+)?(?:附件\s*\d+\s*[:：、.]?|[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|"
    r"\d{1,2}\s*[、.．](?!\d))\s*")
_CJK = r"\u3400-\u9fff\uff08\uff09（）“”\""
_SPACE_IN_TITLE = re.compile(rf"(?<=[{_CJK}\d])\s+(?=[{_CJK}\d])")


@dataclass
class _Line:
    """One cleaned line of the document: text, or a table row when cells is not None."""

    page: int
    text: str
    cells: list[str] | None = None
    markup_only: bool = False  # a markdown rule row: part of a table, absent from the page text

    @property
    def is_row(self) -> bool:
        return self.cells is not None


def ingest_text(path: Path) -> Document:
    """Read an OCR'd text or markdown file into a Document with cleaned pages and table grids.

    Raises IngestError naming the file when it is missing, empty, binary or not UTF-8 / UTF-16 text.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise IngestError(f"cannot read the file ({error.strerror or error})", file=str(path)) from error
    text = _decode(data, path)
    if not text.strip():
        raise IngestError("the file is empty: there is no text to extract", file=str(path))
    chunks = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    if len(chunks) > 1 and not chunks[-1].strip():
        chunks.pop()  # a form feed that ends the file closes the last page, it opens no new one
    lines = [line for number, chunk in enumerate(chunks, 1) for line in _clean_lines(chunk, number)]
    pages = [
        Page(number=number, width=0, height=0,
             text="\n".join(line.text for line in lines if line.page == number and not line.markup_only))
        for number in range(1, len(chunks) + 1)
    ]
    return Document(
        source=SourceInfo(file=path.name, sha256=hashlib.sha256(data).hexdigest(), pages=len(pages),
                          input_kind="text"),
        pages=pages,
        tables=_tables(lines),
    )


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise IngestError(
            f"not {encoding.removesuffix('-sig').upper()} text: byte 0x{data[error.start]:02x} at offset "
            f"{error.start} cannot be decoded; save the file as UTF-8",
            file=str(path)) from error
    if "\x00" in text:
        raise IngestError("binary data (NUL characters), not a text file", file=str(path))
    return text


# --- cleaning -------------------------------------------------------------------------------------


def _clean_lines(chunk: str, page: int) -> list[_Line]:
    lines: list[_Line] = []
    for raw in _html_tables_to_rows(chunk).split("\n"):
        markdown = _MARKDOWN_ROW.match(raw)
        if markdown:
            cells = [_clean_cell(cell.replace("\\|", "|")) for cell in _PIPE.split(markdown.group(1))]
            rule = all(_MARKDOWN_RULE_CELL.match(cell) for cell in cells)
            lines.append(_Line(page, _row_text(cells), cells, markup_only=rule))
        elif "\t" in raw:
            cells = [_clean_cell(cell) for cell in raw.split("\t")]
            lines.append(_Line(page, _row_text(cells), cells))
        elif "<" in raw or "\\" in raw or "$" in raw or "&" in raw or "{" in raw:
            parts = _clean_inline(raw).split(_BREAK)
            kept = [part.rstrip() for part in parts if part.strip()] if len(parts) > 1 else [parts[0].rstrip()]
            lines.extend(_Line(page, part) for part in kept)
        else:
            lines.append(_Line(page, raw.rstrip()))
    return lines


def _clean_cell(text: str) -> str:
    parts = [part.strip() for part in _clean_inline(text).split(_BREAK)]
    return "\n".join(part for part in parts if part)


def _row_text(cells: list[str]) -> str:
    return "\t".join(cell.replace("\n", " ") for cell in cells)


def _clean_inline(text: str) -> str:
    """HTML tags and entities, and LaTeX, to plain text; block-level breaks become _BREAK."""
    text = _BLOCK_TAG.sub(_BREAK, text)
    text = _INLINE_TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    return _latex_to_text(text)


def _latex_to_text(text: str) -> str:
    def math(match: re.Match[str]) -> str:
        body = next(group for group in match.groups() if group is not None)
        if not _MATHLIKE.search(body) and not re.fullmatch(r"[\d\s.,+\-=()%]+", body):
            return match.group(0)  # two dollar signs around ordinary text, not mathematics
        return re.sub(r"\s+", "", _latex_commands(body))

    return _latex_commands(_LATEX_MATH.sub(math, text))


def _latex_commands(text: str) -> str:
    for _ in range(3):  # nested wrappers such as \underline{\text{x}}
        text = _LATEX_WRAPPER.sub(r"\1", text)
    text = _LATEX_SCRIPT.sub(r"\1", text)
    text = _LATEX_ESCAPE.sub(lambda m: _LATEX_ESCAPES[m.group(1)], text)
    return _LATEX_COMMAND.sub(lambda m: _LATEX_SYMBOLS.get(m.group(1), m.group(0)), text)


def _html_tables_to_rows(text: str) -> str:
    """Each HTML <table> becomes tab-separated lines, col- and rowspans laid out as a rectangle."""

    def table(match: re.Match[str]) -> str:
        grid: dict[tuple[int, int], str] = {}
        for r, row in enumerate(_HTML_ROW.findall(match.group(1))):
            c = 0
            for _kind, attrs, content in _HTML_CELL.findall(row):
                while (r, c) in grid:
                    c += 1
                spans = {name.lower(): int(value) for name, value in _SPAN_ATTR.findall(attrs)}
                cell = re.sub(r"[\t\n]+", " ", _BLOCK_TAG.sub(_BREAK, content)).strip()
                for dr in range(max(1, spans.get("rowspan", 1))):
                    for dc in range(max(1, spans.get("colspan", 1))):
                        grid[(r + dr, c + dc)] = cell if dr == dc == 0 else ""
                c += max(1, spans.get("colspan", 1))
        if not grid:
            return ""
        n_rows, n_cols = max(r for r, _ in grid) + 1, max(c for _, c in grid) + 1
        rows = ["\t".join(grid.get((r, c), "") for c in range(n_cols)) for r in range(n_rows)]
        return "\n" + "\n".join(rows) + "\n"

    return _HTML_TABLE.sub(table, text)


# --- tables ---------------------------------------------------------------------------------------


def _tables(lines: list[_Line]) -> list[TableGrid]:
    grids: list[TableGrid] = []
    for start, rows in _row_blocks(lines):
        data_rows = [line for line in rows if not line.markup_only]
        if len(data_rows) < MIN_TABLE_ROWS:
            continue
        title, title_index = _title(lines, start)
        grids.append(_grid(f"t{len(grids) + 1}", data_rows, title, _unit(lines, start, title_index, data_rows)))
    return grids


def _row_blocks(lines: list[_Line]) -> list[tuple[int, list[_Line]]]:
    """Runs of table rows; blank and page-number lines between rows do not end a run, other text does."""
    blocks: list[tuple[int, list[_Line]]] = []
    current: list[_Line] = []
    start = 0
    for index, line in enumerate(lines):
        if line.is_row:
            if not current:
                start = index
            current.append(line)
        elif not line.text.strip() or is_page_number(line.text):
            continue
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _title(lines: list[_Line], start: int) -> tuple[str | None, int | None]:
    seen = 0
    for index in range(start - 1, -1, -1):
        line = lines[index]
        if line.is_row:
            return None, None
        text = line.text.strip()
        if not text or is_page_number(text):
            continue
        if _names_a_table(text):
            return _clean_title(text), index
        seen += 1
        if seen >= TITLE_LOOKBACK_LINES:
            break
    return None, None


def is_page_number(line: str) -> bool:
    """True for a page-number line (`— 8 —`, `第 3 页`, `3/10`): it neither ends a table nor names one."""
    return _PAGE_NUMBER.match(line) is not None


def _names_a_table(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return (len(compact) <= TITLE_MAX_CHARS and _NAMES_A_TABLE.search(compact) is not None
            and not _NOT_A_TITLE.match(compact))


def _clean_title(text: str) -> str:
    text = _LEADING_ENUMERATION.sub("", text.strip())
    return _SPACE_IN_TITLE.sub("", text).strip()


def _unit(lines: list[_Line], start: int, title_index: int | None, rows: list[_Line]) -> str | None:
    first = title_index if title_index is not None else max(0, start - 3)
    candidates = [line.text for line in lines[first:start] if not line.is_row]
    candidates += [cell for row in rows[:2] for cell in (row.cells or [])]
    for text in candidates:
        unit = parse_unit(text)
        if unit is not None:
            return unit
    return None


def _grid(table_id: str, rows: list[_Line], title: str | None, unit: str | None) -> TableGrid:
    width = max(len(row.cells or []) for row in rows)
    while width > 1 and all(len(row.cells or []) < width or not (row.cells or [])[width - 1] for row in rows):
        width -= 1  # a column empty in every row is only the trailing tab of each line
    table_rows = [
        TableRow(page=row.page,
                 cells=[Cell(text=text) for text in ((row.cells or [])[:width] + [""] * width)[:width]])
        for row in rows
    ]
    return TableGrid(id=table_id, title=title, unit=unit, page_start=rows[0].page, page_end=rows[-1].page,
                     n_cols=width, rows=table_rows)
