"""Run comparison: a planted regression is detected and gates the exit code."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from evals.compare import compare_runs
from evals.scoring import GOLD_HEADER, load_json
from extractor.runs import RunRecord
from schemas.extraction import PromptRef
from tests.conftest import GOLD_DIR, ROOT

GOLD = GOLD_DIR / "seed-004.json"


def _run_dir(path: Path, prediction: dict, prompt_hash: str) -> Path:
    path.mkdir()
    (path / "004.json").write_text(json.dumps(prediction, default=str, ensure_ascii=False), encoding="utf-8")
    RunRecord(engine="llm", model="m", prompts=[PromptRef(name="budget", version="1", sha256=prompt_hash)]
              ).save(path)
    return path


def _runs(tmp_path: Path) -> tuple[Path, Path, Path]:
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    (gold_dir / GOLD.name).write_text(GOLD.read_text(encoding="utf-8"), encoding="utf-8")
    good = load_json(GOLD)
    good.pop(GOLD_HEADER)
    bad = copy.deepcopy(good)
    bad["budget"]["spent"] = Decimal("2243.98")  # a digit swap in the new run
    bad["staffing"]["actual"] = None
    return gold_dir, _run_dir(tmp_path / "a", good, "aaa"), _run_dir(tmp_path / "b", bad, "bbb")


def test_compare_lists_broken_fields_and_config_diff(tmp_path):
    gold_dir, run_a, run_b = _runs(tmp_path)
    comparison = compare_runs(run_a, run_b, gold_dir)
    assert {c.path for c in comparison.broken} == {"budget.spent", "staffing.actual"}
    assert comparison.fixed == []
    assert comparison.f1_a == 1.0 and comparison.f1_b < 1.0
    assert "prompt budget" in comparison.config_diff
    assert comparison.regressed(1.0)

    reverse = compare_runs(run_b, run_a, gold_dir)
    assert {c.path for c in reverse.fixed} == {"budget.spent", "staffing.actual"}
    assert not reverse.regressed(0.0)


def test_cli_gate_fails_on_regression_and_passes_otherwise(tmp_path):
    gold_dir, run_a, run_b = _runs(tmp_path)

    def gate(a: Path, b: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "cli.py", "eval", "compare", str(a), str(b), "--gold", str(gold_dir),
                               "--fail-on-regression", "1"], cwd=ROOT, capture_output=True, text=True)

    regressed = gate(run_a, run_b)
    assert regressed.returncode == 1, regressed.stdout + regressed.stderr
    assert "budget.spent" in regressed.stdout
    assert gate(run_b, run_a).returncode == 0


def test_cli_reports_a_missing_run_dir_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "cli.py", "eval", "compare", str(tmp_path), str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert "run.json missing" in result.stderr and "Traceback" not in result.stderr
