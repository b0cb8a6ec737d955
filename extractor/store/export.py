"""Reviewed extractions out of the store: JSON per SCHEMA.md, CSV/XLSX in long form, and gold files.

Long form has one row per value: document, path, value, unit, page, confidence, status.
A gold file is the SCHEMA.md shape of a fully reviewed document plus a `_gold` header for the eval harness.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any, Literal

from extractor.errors import StoreError
from extractor.store.store import Store

ExportFormat = Literal["json", "csv", "xlsx"]
LONG_COLUMNS = ("document", "path", "value", "unit", "page", "confidence", "status")
_EXCLUDED_FROM_GOLD = ("evidence", "flags", "run")


def export_store(store: Store, out_dir: Path, fmt: ExportFormat = "json") -> list[Path]:
    """Write every document's reviewed extraction into out_dir; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    documents = store.list_documents()
    if fmt == "json":
        written = []
        stems = [Path(summary.file_name).stem for summary in documents]
        for summary, stem in zip(documents, stems, strict=True):
            # two stored files of the same name (different content) must not overwrite each other
            name = stem if stems.count(stem) == 1 else f"{stem}-{summary.sha256[:8]}"
            target = out_dir / f"{name}.json"
            extraction = store.load_extraction(summary.id)
            target.write_text(json.dumps(extraction.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n",
                              encoding="utf-8")
            written.append(target)
        return written
    rows = [row for summary in documents for row in long_rows(store, summary.id)]
    if fmt == "csv":
        target = out_dir / "extractions.csv"
        # utf-8-sig so that spreadsheet programs read the Chinese text right
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(LONG_COLUMNS)
            writer.writerows(rows)
        return [target]
    if fmt == "xlsx":
        return [_write_xlsx(out_dir / "extractions.xlsx", rows)]
    raise StoreError(f"unknown export format {fmt!r}; use json, csv or xlsx")


def long_rows(store: Store, doc_id: int) -> list[tuple[Any, ...]]:
    """One row per value of a document, in document order, with the reviewed value."""
    summary = store.document(doc_id)
    return [(summary.file_name, field.path, _cell(field.value), field.unit, field.page, field.confidence,
             field.status) for field in store.fields(doc_id)]


def promote_to_gold(store: Store, doc_id: int, gold_dir: Path, *, notes: list[str] | None = None,
                    today: date | None = None, overwrite: bool = False) -> Path:
    """Write a fully reviewed document as a gold file; StoreError when any value is still unreviewed,
    or when a gold file of that name exists (hand-labelled gold is never replaced unless overwrite)."""
    summary = store.document(doc_id)
    if summary.open_fields:
        raise StoreError(f"{summary.open_fields} of {summary.total_fields} values are not reviewed yet; "
                         "a gold file holds only checked values", file=summary.file_name)
    reviewers = store.reviewers(doc_id)
    data = store.load_extraction(doc_id).model_dump(mode="json")
    for key in _EXCLUDED_FROM_GOLD:
        data.pop(key, None)
    header = {
        "source": summary.file_name,
        "sha256": summary.sha256,
        "labeller": "review:" + ",".join(reviewers),
        "date": (today or date.today()).isoformat(),
        "notes": notes or [f"promoted from the review store; every value accepted, corrected or marked "
                           f"not in document by {', '.join(reviewers)}"],
    }
    gold_dir.mkdir(parents=True, exist_ok=True)
    target = gold_dir / f"{Path(summary.file_name).stem}.json"
    if target.exists() and not overwrite:
        raise StoreError(f"gold file {target} exists; pass --overwrite to replace it", file=summary.file_name)
    target.write_text(json.dumps({"_gold": header} | data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def _cell(value: Any) -> Any:
    """A value for a CSV/XLSX cell: text and decimal strings as they are, null as empty."""
    return "" if value is None else value


def _write_xlsx(target: Path, rows: list[tuple[Any, ...]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "extractions"
    sheet.append(LONG_COLUMNS)
    for row in rows:
        # decimal strings stay text: a spreadsheet float would round money
        sheet.append([value if not isinstance(value, (list, dict)) else json.dumps(value, ensure_ascii=False)
                      for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                # openpyxl would store text starting with "=" as a formula; document text is never one
                cell.data_type = "s"
    workbook.save(target)
    return target
