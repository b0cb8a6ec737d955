"""Exports of reviewed extractions (JSON, CSV, XLSX) and promotion of a reviewed document to gold."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook

import cli
from evals.scoring import score_dirs
from extractor.errors import StoreError
from extractor.store import open_store
from extractor.store.export import LONG_COLUMNS, export_store, promote_to_gold
from tests.conftest import pdf
from tests.store_fixtures import copy_justice_pdf, justice_extraction, row_index, validated


@pytest.fixture
def reviewed(tmp_path):
    """A stored document whose broken cell 2040601 项目支出 was corrected to 0.00 by bob."""
    pdf_copy = copy_justice_pdf(tmp_path)
    extraction = validated(justice_extraction(pdf_copy))
    url = f"sqlite:///{tmp_path / 'export.db'}"
    store = open_store(url)
    doc_id = store.save_extraction(pdf_copy, extraction)
    cell = f"tables[0].rows[{row_index(extraction, '2040601')}].values.项目支出"
    field = next(f for f in store.fields(doc_id) if f.path == cell)
    store.correct(doc_id, field.id, "bob", "0.00", "the printed figure is 20406's")
    yield store, url, doc_id, cell
    store.close()


def test_json_export_is_the_reviewed_extraction(reviewed, tmp_path):
    store, _, doc_id, cell = reviewed
    (written,) = export_store(store, tmp_path / "out", "json")
    assert written.name == "putuo-justice-2026-unit-budget.json"
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data == store.load_extraction(doc_id).model_dump(mode="json")
    assert data["tables"][0]["rows"][2]["values"]["项目支出"] == "0.00"
    assert data["schema_version"] == 1 and data["source"]["pages"] == 21
    assert cell in data["evidence"]


def test_json_export_keeps_documents_of_the_same_name_apart(reviewed, tmp_path):
    store, _, _, _ = reviewed
    other = tmp_path / "elsewhere" / "putuo-justice-2026-unit-budget.pdf"
    other.parent.mkdir()
    other.write_bytes(pdf("putuo-justice-2026-dept-budget").read_bytes())
    store.save_extraction(other, justice_extraction(other))
    written = export_store(store, tmp_path / "out", "json")
    assert len(written) == 2 and len({path.name for path in written}) == 2


def test_csv_export_is_long_form_with_exact_decimals(reviewed, tmp_path):
    store, _, doc_id, cell = reviewed
    (written,) = export_store(store, tmp_path / "out", "csv")
    with written.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == LONG_COLUMNS
    assert len(rows) - 1 == len(store.fields(doc_id))
    by_path = {row[1]: row for row in rows[1:]}
    confidence = next(f.confidence for f in store.fields(doc_id) if f.path == cell)
    assert 0 < confidence < 1
    assert by_path[cell] == ["putuo-justice-2026-unit-budget.pdf", cell, "0.00", "元", "11", str(confidence),
                             "corrected"]
    assert by_path["meta.department"][2] == "上海市普陀区司法局"
    assert by_path["meta.budget_code"][2] == ""


def test_xlsx_export_matches_csv(reviewed, tmp_path):
    store, _, _, cell = reviewed
    (written,) = export_store(store, tmp_path / "out", "xlsx")
    sheet = load_workbook(written).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == LONG_COLUMNS
    row = next(r for r in rows if r[1] == cell)
    assert row[2] == "0.00" and row[3] == "元" and row[4] == 11 and row[6] == "corrected"
    total = next(r for r in rows if r[1].endswith("values.基本支出") and r[2] == "22118861")
    assert isinstance(total[2], str)  # money stays exact text, never a float cell


def test_xlsx_export_keeps_text_that_looks_like_a_formula_as_text(reviewed, tmp_path):
    store, _, doc_id, _ = reviewed
    field = next(f for f in store.fields(doc_id) if f.path == "meta.department")
    store.correct(doc_id, field.id, "bob", '=HYPERLINK("http://example.invalid","x")', "hostile text")
    (written,) = export_store(store, tmp_path / "out", "xlsx")
    cell = next(row[2] for row in load_workbook(written).active.iter_rows() if row[1].value == "meta.department")
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://example.invalid","x")'


def test_export_command(reviewed, tmp_path):
    _, url, _, _ = reviewed
    out = tmp_path / "cli-out"
    assert cli.main(["export", "--db", url, "--out", str(out), "--format", "csv"]) == 0
    assert (out / "extractions.csv").is_file()
    assert cli.main(["export", "--db", url, "--out", str(out)]) == 0
    assert (out / "putuo-justice-2026-unit-budget.json").is_file()


def test_promote_refuses_a_document_with_unreviewed_values(reviewed, tmp_path):
    store, _, doc_id, _ = reviewed
    with pytest.raises(StoreError, match="are not reviewed yet"):
        promote_to_gold(store, doc_id, tmp_path / "gold")
    assert not (tmp_path / "gold").exists()


def test_promoted_gold_scores_the_export_as_all_correct(reviewed, tmp_path, capsys):
    store, url, doc_id, _ = reviewed
    for field in store.fields(doc_id):
        if field.status == "open":
            store.accept(doc_id, field.id, "alice")
    gold_dir = tmp_path / "gold"
    assert cli.main(["review", "promote", "putuo-justice-2026-unit-budget.pdf", "--gold", str(gold_dir),
                     "--db", url, "--note", "checked against page 11"]) == 0
    gold_file = gold_dir / "putuo-justice-2026-unit-budget.json"
    assert str(gold_file) in capsys.readouterr().out
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    header = gold["_gold"]
    assert header["source"] == "putuo-justice-2026-unit-budget.pdf"
    assert header["sha256"] == store.document(doc_id).sha256
    assert header["labeller"] == "review:alice,bob"
    assert header["notes"] == ["checked against page 11"] and len(header["date"]) == 10
    assert not {"evidence", "flags", "run"} & set(gold)
    assert gold["tables"][0]["rows"][2]["values"]["项目支出"] == "0.00"

    predictions = tmp_path / "pred"
    export_store(store, predictions, "json")
    result = score_dirs(gold_dir, predictions)
    assert result.outcomes and {o.status for o in result.outcomes} == {"correct"}


    # a second promotion never replaces the gold file unless asked to
    before = gold_file.read_text(encoding="utf-8")
    assert cli.main(["review", "promote", "putuo-justice-2026-unit-budget.pdf", "--gold", str(gold_dir),
                     "--db", url]) == 2
    assert gold_file.read_text(encoding="utf-8") == before
    assert cli.main(["review", "promote", "putuo-justice-2026-unit-budget.pdf", "--gold", str(gold_dir),
                     "--db", url, "--overwrite"]) == 0
