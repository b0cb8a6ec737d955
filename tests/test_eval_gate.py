"""The regression gate CI runs: the rules engine over every gold document must stay above the F1 floor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from evals.scoring import GOLD_HEADER, load_json, score_dirs
from tests.conftest import GOLD_DIR, PDFS, ROOT, SEEDS

RULES_F1_FLOOR = 0.90


def _sources() -> list[Path]:
    sources = []
    for gold_file in sorted(GOLD_DIR.glob("*.json")):
        name = load_json(gold_file)[GOLD_HEADER]["source"]
        (path,) = [p for p in (SEEDS / name, PDFS / name) if p.is_file()]
        sources.append(path)
    return sources


def test_rules_engine_meets_the_f1_floor_on_the_gold_set(tmp_path):
    sources = _sources()
    assert len(sources) >= 5
    run = subprocess.run([sys.executable, "cli.py", "extract", *map(str, sources), "--out", str(tmp_path),
                          "--engine", "rules", "--no-store"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    result = score_dirs(GOLD_DIR, tmp_path)
    overall = result.score()
    per_doc = {d: round(result.score(document=d).f1, 3) for d in result.documents}
    assert overall.f1 >= RULES_F1_FLOOR, f"rules F1 {overall.f1:.3f} below {RULES_F1_FLOOR}: {per_doc}"
