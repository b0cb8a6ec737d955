"""`cli.py extract` as operators use it: batches, bad files, reruns, run records, the store."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from schemas.extraction import ReportExtraction
from tests.conftest import ROOT, seed


def _extract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "cli.py", "extract", *args], cwd=ROOT, capture_output=True, text=True)


def test_one_bad_file_never_stops_a_batch(tmp_path):
    fake_pdf = tmp_path / "fake.pdf"
    fake_pdf.write_text("<html>not a pdf</html>", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    out = tmp_path / "out"
    result = _extract(str(fake_pdf), str(seed("004")), str(empty), "--out", str(out), "--engine", "rules",
                      "--no-store")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    errors = json.loads((out / "errors.json").read_text(encoding="utf-8"))
    assert [Path(e["file"]).name for e in errors] == ["fake.pdf", "empty.txt"]
    assert all(Path(e["file"]).name in e["error"] for e in errors)

    extraction = ReportExtraction.model_validate_json((out / f"{seed('004').stem}.json").read_text(encoding="utf-8"))
    assert extraction.meta.budget_code == "703001"
    assert extraction.run is not None and extraction.run.engine == "rules"

    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [f["status"] for f in run["files"]] == ["failed", "done", "failed"]
    assert run["schema_version"] == 1 and run["git_commit"]


def test_rerun_skips_what_is_done_and_force_redoes_it(tmp_path):
    out = tmp_path / "out"
    assert _extract(str(seed("004")), "--out", str(out), "--engine", "rules", "--no-store").returncode == 0
    again = _extract(str(seed("004")), "--out", str(out), "--engine", "rules", "--no-store")
    assert again.returncode == 0 and "skipped" in again.stdout
    forced = _extract(str(seed("004")), "--out", str(out), "--engine", "rules", "--no-store", "--force")
    assert "skipped" not in forced.stdout


def test_extract_writes_the_store_as_well_as_json(tmp_path):
    db = tmp_path / "runs.db"
    result = _extract(str(seed("004")), "--out", str(tmp_path / "out"), "--engine", "rules",
                      "--db", f"sqlite:///{db}")
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(db) as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master where type='table'")}
        assert "documents" in tables
        assert connection.execute("select count(*) from documents").fetchone()[0] == 1


def test_llm_engine_without_endpoint_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "cli.py", "extract", str(seed("004")), "--out", str(tmp_path), "--engine", "llm",
         "--no-store"], cwd=ROOT, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 2
    assert "EXTRACTOR_LLM_BASE_URL" in result.stderr and "Traceback" not in result.stderr
