"""The store on a real SQLite file with an extraction read off a real PDF."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from extractor.errors import StoreError
from extractor.store import PathError, open_store
from extractor.store.database import migration_sql
from extractor.store.models import Base
from extractor.store.paths import apply_value, get_path, iter_leaves, parse_path, set_path
from schemas.extraction import Flag
from tests.conftest import ROOT
from tests.store_fixtures import copy_justice_pdf, justice_extraction, row_index, validated


@pytest.fixture
def pdf_copy(tmp_path):
    return copy_justice_pdf(tmp_path)


@pytest.fixture
def store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield store
    store.close()


def _cell(extraction, code: str, column: str = "项目支出") -> str:
    return f"tables[0].rows[{row_index(extraction, code)}].values.{column}"


def test_save_keeps_document_run_every_value_and_flags(store, pdf_copy):
    extraction = validated(justice_extraction(pdf_copy))
    doc_id = store.save_extraction(pdf_copy, extraction)

    summary = store.document(doc_id)
    assert summary.sha256 == extraction.source.sha256
    assert summary.pages == 21
    assert summary.department == "上海市普陀区司法局" and summary.fiscal_year == 2026
    fields = {f.path: f for f in store.fields(doc_id)}
    leaves = dict(iter_leaves(extraction.model_dump(mode="json")))
    assert set(fields) == set(leaves)  # every value, nulls included
    cell = fields[_cell(extraction, "2040601")]
    assert cell.value == "64840547.00" and cell.unit == "元" and cell.page == 11 and cell.status == "open"
    assert cell.quote == "64,840,547.00" and cell.bbox == pytest.approx((651.35, 269.37, 720.35, 282.71), abs=0.01)
    assert fields["meta.budget_code"].value is None
    assert len(store.flags(doc_id)) == len(extraction.flags) > 0
    run = store.run_info(doc_id)
    assert run["engine"] == "test-fixture" and run["schema_version"] == 1 and run["started_at"]


def test_load_returns_the_saved_extraction(store, pdf_copy):
    extraction = validated(justice_extraction(pdf_copy))
    doc_id = store.save_extraction(pdf_copy, extraction)
    assert store.load_extraction(doc_id) == extraction


def test_database_is_migrated_to_head_and_in_wal_mode(tmp_path, pdf_copy):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    open_store(url).close()
    again = open_store(url)  # a second open finds the schema at head and changes nothing
    again.close()
    with sqlite3.connect(tmp_path / "wal.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"documents", "runs", "fields", "flags", "review_actions", "users"} <= tables


_OPEN_AT = """
import sys, time
from extractor.store import open_store
start = float(sys.argv[2])
while time.time() < start:
    pass
open_store(sys.argv[1]).close()
"""


def test_processes_opening_a_fresh_database_at_once_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    start = str(time.time() + 3)  # each process imports first, then all open together
    processes = [subprocess.Popen([sys.executable, "-c", _OPEN_AT, url, start], cwd=ROOT,
                                  stderr=subprocess.PIPE, text=True) for _ in range(6)]
    failures = [error for process in processes if (error := process.communicate(timeout=120)[1]) or process.returncode]
    assert failures == []
    with sqlite3.connect(tmp_path / "fresh.db") as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]


def test_an_unusable_database_url_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="cannot migrate database"):
        open_store(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    with pytest.raises(StoreError, match="cannot open database"):
        open_store("nosuchdialect://host/db")


def test_models_match_the_migrated_schema(store):
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_render_for_postgresql():
    sql = migration_sql("postgresql")
    assert "CREATE TABLE review_actions" in sql and "SERIAL" in sql
    assert "CREATE UNIQUE INDEX ix_documents_sha256" in sql
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in sql


def test_a_reader_is_not_blocked_by_an_open_write_transaction(tmp_path, pdf_copy):
    path = tmp_path / "busy.db"
    store = open_store(f"sqlite:///{path}")
    doc_id = store.save_extraction(pdf_copy, justice_extraction(pdf_copy))
    writer = sqlite3.connect(path, timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE fields SET status='accepted' WHERE id=1")
    try:
        result: list = []
        reader = threading.Thread(target=lambda: result.append(store.fields(doc_id)[0].status))
        reader.start()
        reader.join(timeout=10)
        assert result == ["open"]  # the reader sees the last committed state without waiting
    finally:
        writer.rollback()
        writer.close()
        store.close()


def test_concurrent_reviewers_do_not_lose_actions(store, pdf_copy):
    extraction = justice_extraction(pdf_copy)
    doc_id = store.save_extraction(pdf_copy, extraction)
    names = [f for f in store.fields(doc_id) if f.path.endswith(".name")][:8]
    errors: list[Exception] = []

    def review(reviewer: str, fields) -> None:
        try:
            for field in fields:
                store.correct(doc_id, field.id, reviewer, f"{field.value}（{reviewer}）")
        except Exception as exc:  # collected: an exception in a thread would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=review, args=(name, names[i::2])) for i, name in enumerate(["amy", "ben"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(store.history(doc_id)) == len(names)
    assert all(store.field(doc_id, f.id).status == "corrected" for f in names)


def test_saving_the_same_file_again_adds_a_run(store, pdf_copy):
    extraction = justice_extraction(pdf_copy)
    first = store.save_extraction(pdf_copy, extraction)
    run_one = store.run_info(first)["id"]
    second = store.save_extraction(pdf_copy, extraction)
    assert second == first
    assert store.run_info(first)["id"] != run_one
    assert len(store.list_documents()) == 1


def test_a_new_run_keeps_reviews_of_values_extracted_as_before(store, pdf_copy):
    extraction = validated(justice_extraction(pdf_copy))
    doc_id = store.save_extraction(pdf_copy, extraction)
    fields = {f.path: f for f in store.fields(doc_id)}
    cell = _cell(extraction, "2040601")
    store.correct(doc_id, fields[cell].id, "alice", "0.00", "belongs to 20406")
    store.accept(doc_id, fields["meta.department"].id, "bob")
    store.accept(doc_id, fields["meta.region"].id, "bob")
    open_flags = store.document(doc_id).open_flags

    again = extraction.model_copy(deep=True)
    again.meta.region = "普陀区"  # extracted differently this time: the old review does not apply
    assert store.save_extraction(pdf_copy, again) == doc_id

    fields = {f.path: f for f in store.fields(doc_id)}
    assert (fields[cell].value, fields[cell].status) == ("0.00", "corrected")
    assert fields["meta.department"].status == "accepted"
    assert (fields["meta.region"].value, fields["meta.region"].status) == ("普陀区", "open")
    assert store.document(doc_id).open_flags == open_flags  # the sum flags the correction settled stay settled
    (kept,) = store.history(doc_id, fields[cell].id)
    assert (kept.action, kept.reviewer, kept.old_value, kept.new_value) == ("carry_over", "carry-over",
                                                                            "64840547.00", "0.00")
    assert "corrected by alice" in kept.reason
    assert store.reviewers(doc_id) == ["alice", "bob"]


def test_saving_a_missing_file_names_it(store, tmp_path, pdf_copy):
    with pytest.raises(StoreError, match="gone.pdf"):
        store.save_extraction(tmp_path / "gone.pdf", justice_extraction(pdf_copy))


def test_unknown_document_is_a_store_error(store):
    with pytest.raises(StoreError, match="no document with id 99"):
        store.load_extraction(99)


def test_accept_keeps_value_and_marks_its_flags_accepted(store, pdf_copy):
    extraction = justice_extraction(pdf_copy)
    path = _cell(extraction, "2040601", "合计")
    extraction.flags.append(Flag(path=path, rule="row_identity", severity="error", message="合计 != 基本 + 项目"))
    doc_id = store.save_extraction(pdf_copy, extraction)
    field = next(f for f in store.fields(doc_id) if f.path == path)

    action = store.accept(doc_id, field.id, "alice", "printed so")

    assert action.old_value == action.new_value == "14348853.34"
    assert (action.reviewer, action.action, action.reason, action.new_status) == ("alice", "accept", "printed so",
                                                                                  "accepted")
    assert store.field(doc_id, field.id).status == "accepted"
    assert [f.status for f in store.flags(doc_id)] == ["accepted"]
    assert store.document(doc_id).open_flags == 0
    assert action.closed_flags == (f"row_identity on {path} (accepted)",)


def test_correction_is_typed_audited_and_clears_the_sum_flag(store, pdf_copy):
    extraction = validated(justice_extraction(pdf_copy))
    cell = _cell(extraction, "2040601")
    involved = [f for f in extraction.flags if f.path == cell or cell in f.related]
    assert involved, "the validators flag the broken 20406 sum"
    doc_id = store.save_extraction(pdf_copy, extraction)
    field = next(f for f in store.fields(doc_id) if f.path == cell)

    with pytest.raises(PathError, match="not a valid value for tables"):
        store.correct(doc_id, field.id, "alice", "abc", "typo")
    assert store.history(doc_id) == []  # a refused correction leaves no trace and changes nothing

    action = store.correct(doc_id, field.id, "alice", "0.00", "printed value belongs to 20406")

    assert (action.old_value, action.new_value, action.old_status, action.new_status) == (
        "64840547.00", "0.00", "open", "corrected")
    assert action.closed_flags, "the correction closed the flags it settled"
    assert store.load_extraction(doc_id).tables[0].rows[row_index(extraction, "2040601")].values["项目支出"] == 0
    standing = [f for f in store.flags(doc_id, statuses=("open",)) if f.path == cell or cell in f.related]
    assert not [f for f in standing if f.rule in {i.rule for i in involved}]
    resolved = store.flags(doc_id, statuses=("resolved",))
    assert resolved and all(f.closed_by_action_id == action.id for f in resolved)
    assert store.document(doc_id).open_flags < len(extraction.flags)


def test_a_correction_that_still_breaks_the_sum_supersedes_the_flag(store, pdf_copy):
    extraction = validated(justice_extraction(pdf_copy))
    parent = _cell(extraction, "20406")
    doc_id = store.save_extraction(pdf_copy, extraction)
    field = next(f for f in store.fields(doc_id) if f.path == _cell(extraction, "2040601"))
    (before,) = [f for f in store.flags(doc_id) if f.path == parent and f.rule == "code_sum"]

    action = store.correct(doc_id, field.id, "alice", "1.00", "misread")

    flags = {f.id: f for f in store.flags(doc_id) if f.path == parent and f.rule == "code_sum"}
    assert flags[before.id].status == "superseded" and flags[before.id].message == before.message
    (new,) = [f for f in flags.values() if f.status == "open"]
    assert new.message != before.message and "64,840,548.00" in new.message
    assert f"code_sum on {parent} (superseded)" in action.closed_flags
    assert f"code_sum on {parent} (open)" in action.opened_flags


def test_accept_unflagged_leaves_flagged_values_to_the_reviewer(store, pdf_copy):
    extraction = validated(justice_extraction(pdf_copy))
    doc_id = store.save_extraction(pdf_copy, extraction)
    named = {f.path for f in extraction.flags} | {p for f in extraction.flags for p in f.related}

    accepted = store.accept_unflagged(doc_id, "alice", "bulk")

    fields = store.fields(doc_id)
    assert accepted == len(fields) - len(named & {f.path for f in fields})
    assert {f.path for f in fields if f.status == "open"} == named & {f.path for f in fields}
    assert len(store.history(doc_id)) == accepted
    assert store.document(doc_id).open_flags == len(extraction.flags)


def test_every_action_is_kept_with_old_and_new_values(store, pdf_copy):
    extraction = justice_extraction(pdf_copy)
    doc_id = store.save_extraction(pdf_copy, extraction)
    field = next(f for f in store.fields(doc_id) if f.path == "meta.region")

    store.correct(doc_id, field.id, "alice", "普陀区", "short form")
    store.correct(doc_id, field.id, "bob", "上海市普陀区", "as printed")
    store.mark_not_in_document(doc_id, field.id, "carol", "not printed on the cover")

    history = store.history(doc_id, field.id)
    assert [(a.reviewer, a.old_value, a.new_value) for a in history] == [
        ("alice", "上海市普陀区", "普陀区"), ("bob", "普陀区", "上海市普陀区"), ("carol", "上海市普陀区", None)]
    assert [a.reason for a in history] == ["short form", "as printed", "not printed on the cover"]
    assert all(a.at is not None for a in history)
    assert store.field(doc_id, field.id).status == "not_in_document"
    assert store.load_extraction(doc_id).meta.region is None
    assert store.field(doc_id, field.id).extracted_value == "上海市普陀区"
    assert store.reviewers(doc_id) == ["alice", "bob", "carol"]


def test_corrections_are_validated_by_the_schema(store, pdf_copy):
    extraction = justice_extraction(pdf_copy)
    doc_id = store.save_extraction(pdf_copy, extraction)
    fields = {f.path: f for f in store.fields(doc_id)}

    with pytest.raises(PathError, match="meta.report_type"):
        store.correct(doc_id, fields["meta.report_type"].id, "alice", "annual report")
    with pytest.raises(PathError, match="empty"):
        store.correct(doc_id, fields["meta.region"].id, "alice", "   ")
    year = store.correct(doc_id, fields["meta.fiscal_year"].id, "alice", "2025")
    assert year.new_value == 2025
    grouped = store.correct(doc_id, fields[_cell(extraction, "2040604")].id, "alice", "21,703,947.10")
    assert grouped.new_value == "21703947.10"


def test_queue_filters(store, pdf_copy):
    extraction = justice_extraction(pdf_copy)
    extraction.flags.append(Flag(path="meta.department", rule="not_grounded", message="department not found"))
    doc_id = store.save_extraction(pdf_copy, extraction)

    assert [d.id for d in store.list_documents(rule="not_grounded")] == [doc_id]
    assert store.list_documents(rule="code_sum_mismatch_nonexistent") == []
    assert [d.id for d in store.list_documents(department="司法局", year=2026, report_type="budget")] == [doc_id]
    assert store.list_documents(year=2024) == []
    assert store.list_documents(report_type="final_accounts") == []
    assert store.next_document_with_open_flags() == doc_id
    assert store.next_document_with_open_flags(after=doc_id) is None


def test_find_document_by_id_name_or_hash(store, pdf_copy):
    extraction = justice_extraction(pdf_copy)
    doc_id = store.save_extraction(pdf_copy, extraction)
    assert store.find_document(str(doc_id)) == doc_id
    assert store.find_document(pdf_copy.name) == doc_id
    assert store.find_document(pdf_copy.stem) == doc_id
    assert store.find_document(extraction.source.sha256[:12]) == doc_id
    with pytest.raises(StoreError, match="names 0 documents"):
        store.find_document("nothing.pdf")


def test_paths_get_set_and_typed_apply(pdf_copy):
    extraction = justice_extraction(pdf_copy)
    data = extraction.model_dump(mode="json")
    assert parse_path("tables[2].rows[5].values.基本支出") == ["tables", 2, "rows", 5, "values", "基本支出"]
    assert get_path(data, "tables[0].rows[1].code") == "20406"
    set_path(data, "budget.adjusted", "12.5")
    assert get_path(data, "budget.adjusted") == "12.5"
    with pytest.raises(PathError, match="no value at path"):
        get_path(data, "tables[0].rows[99].code")
    with pytest.raises(PathError, match="no value at path"):
        get_path(data, "budget.nothing")

    changed = apply_value(extraction, "budget.adjusted", "8695.94")
    assert changed.budget.adjusted == Decimal("8695.94") and extraction.budget.adjusted is None
    with pytest.raises(PathError, match=r"'abc' is not a valid value for budget.adjusted"):
        apply_value(extraction, "budget.adjusted", "abc")


def test_column_names_with_dots_or_brackets_are_stored_and_corrected(store, pdf_copy):
    extraction = justice_extraction(pdf_copy)
    row = extraction.tables[0].rows[0]
    odd = {"合计": Decimal("1"), "合计.其中": Decimal("2"), "决算数.": Decimal("3"), "调整[1]": Decimal("4")}
    extraction.tables[0].rows[0] = row.model_copy(update={"values": dict(row.values) | odd})
    data = extraction.model_dump(mode="json")
    for path, value in iter_leaves(data):
        assert get_path(data, path) == value, path

    doc_id = store.save_extraction(pdf_copy, extraction)
    assert store.load_extraction(doc_id).tables[0].rows[0].values == dict(row.values) | odd
    fields = {f.path: f for f in store.fields(doc_id)}
    dotted = fields["tables[0].rows[0].values.合计.其中"]
    assert dotted.value == "2" and dotted.unit == extraction.tables[0].unit
    store.correct(doc_id, dotted.id, "alice", "20", "typo")
    store.correct(doc_id, fields["tables[0].rows[0].values.调整[1]"].id, "alice", "40", "typo")
    values = store.load_extraction(doc_id).tables[0].rows[0].values
    assert (values["合计"], values["合计.其中"], values["调整[1]"]) == (Decimal("1"), Decimal("20"), Decimal("40"))


def test_extraction_json_of_a_run_is_kept_verbatim(store, pdf_copy, tmp_path):
    extraction = justice_extraction(pdf_copy)
    doc_id = store.save_extraction(pdf_copy, extraction)
    with sqlite3.connect(tmp_path / "store.db") as raw:
        (stored,) = raw.execute("SELECT extraction_json FROM runs WHERE document_id=?", (doc_id,)).fetchone()
    assert json.loads(stored) == extraction.model_dump(mode="json")
