"""`cli.py ingest FILE [--json] [--jobs N]`: read a document and show what ingestion and segmentation found."""

from __future__ import annotations

import argparse

from extractor.ingest import ingest
from extractor.ingest.options import IngestOptions
from extractor.segment import segment
from schemas.document import Document, Section, TableGrid

_PREVIEW_ROWS = 3
_PREVIEW_CELL_CHARS = 24


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ingest", help="read a PDF or OCR'd text file and show its pages, sections and tables")
    parser.add_argument("file", help="a .pdf, .txt, .md or .markdown file")
    parser.add_argument("--json", action="store_true", help="print the whole Document as JSON")
    parser.add_argument("--jobs", type=int, default=None, help="parallel OCR workers for scanned pages")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Ingest and segment one file, then print a summary (or the Document as JSON)."""
    options = IngestOptions() if args.jobs is None else IngestOptions(jobs=max(1, args.jobs))
    document = segment(ingest(args.file, options))
    print(document.model_dump_json(indent=2) if args.json else summary(document))
    return 0


def summary(document: Document) -> str:
    """A readable account of a segmented Document: source, section tree, and a preview of each table."""
    source = document.source
    lines = [
        f"file:       {source.file}",
        f"pages:      {source.pages}",
        f"input kind: {source.input_kind}",
        f"sha256:     {source.sha256}",
        "",
        f"sections ({sum(1 for _ in document.all_sections())}):",
    ]
    for section in document.sections:
        lines += _section_lines(section, depth=1)
    lines += ["", f"tables ({len(document.tables)}):"]
    for table in document.tables:
        lines += _table_lines(table)
    return "\n".join(lines)


def _section_lines(section: Section, depth: int) -> list[str]:
    tables = f" tables={','.join(section.table_ids)}" if section.table_ids else ""
    pages = _pages(section.page_start, section.page_end)
    lines = [f"{'  ' * depth}{section.id} [{section.kind.value}] {section.title} ({pages}){tables}"]
    for child in section.children:
        lines += _section_lines(child, depth + 1)
    return lines


def _table_lines(table: TableGrid) -> list[str]:
    lines = [f"  {table.id} {table.title or '(no title)'} | unit: {table.unit or '?'} | "
             f"{_pages(table.page_start, table.page_end)} | "
             f"{len(table.rows)} rows x {table.n_cols} cols"]
    for row in table.rows[:_PREVIEW_ROWS]:
        cells = [_short(cell.text) for cell in row.cells]
        lines.append("      | " + " | ".join(cells) + " |")
    return lines


def _pages(start: int, end: int) -> str:
    return f"p{start}" if end == start else f"p{start}-{end}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _PREVIEW_CELL_CHARS else text[: _PREVIEW_CELL_CHARS - 1] + "…"
