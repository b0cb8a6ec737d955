"""Run-vs-run comparison: what changed in the configuration, which fields got fixed or broken, F1 deltas.

`regressed(pct)` is the gate for prompt and rule changes: overall F1 (in percentage points) of run B
below run A by more than pct.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from evals.normalize import Tolerances
from evals.scoring import SECTIONS, EvalResult, FieldOutcome, score_dirs
from extractor.errors import EvalError
from extractor.runs import RUN_FILE, RunRecord, load_run

_CONFIG_KEYS = ("engine", "model", "schema_version", "git_commit")


class FieldChange(BaseModel):
    document: str
    path: str
    before: FieldOutcome | None
    after: FieldOutcome | None


class RunComparison(BaseModel):
    run_a: str
    run_b: str
    config_diff: dict[str, tuple[Any, Any]]
    f1_a: float
    f1_b: float
    section_f1: dict[str, tuple[float, float]]
    fixed: list[FieldChange]
    broken: list[FieldChange]
    changed: list[FieldChange]

    @property
    def f1_delta_points(self) -> float:
        return (self.f1_b - self.f1_a) * 100

    def regressed(self, pct: float) -> bool:
        return -self.f1_delta_points > pct


def compare_runs(run_a: Path, run_b: Path, gold_dir: Path, tolerances: Tolerances | None = None) -> RunComparison:
    """Score both runs against the same gold and diff them field by field."""
    record_a, record_b = _load(run_a), _load(run_b)
    result_a = score_dirs(gold_dir, run_a, tolerances)
    result_b = score_dirs(gold_dir, run_b, tolerances)
    fixed, broken, changed = _field_changes(result_a, result_b)
    return RunComparison(
        run_a=str(run_a), run_b=str(run_b), config_diff=_config_diff(record_a, record_b),
        f1_a=result_a.score().f1, f1_b=result_b.score().f1,
        section_f1={s: (result_a.score(section=s).f1, result_b.score(section=s).f1) for s in SECTIONS
                    if s in result_a.scored_sections() or s in result_b.scored_sections()},
        fixed=fixed, broken=broken, changed=changed)


def format_comparison(comparison: RunComparison, *, max_fields: int = 30) -> str:
    lines = [f"A = {comparison.run_a}", f"B = {comparison.run_b}", ""]
    if comparison.config_diff:
        lines.append("configuration changes:")
        lines += [f"  {key}: {a!r} -> {b!r}" for key, (a, b) in comparison.config_diff.items()]
    else:
        lines.append("configuration: identical")
    lines.append(f"\noverall F1 {comparison.f1_a:.4f} -> {comparison.f1_b:.4f} "
                 f"({comparison.f1_delta_points:+.2f} points)")
    for section, (a, b) in comparison.section_f1.items():
        lines.append(f"  {section:<14} {a:.4f} -> {b:.4f} ({(b - a) * 100:+.2f})")
    for label, changes in (("fixed", comparison.fixed), ("broken", comparison.broken),
                           ("changed", comparison.changed)):
        lines.append(f"\n{label}: {len(changes)}")
        for change in changes[:max_fields]:
            before = change.before.pred if change.before else None
            after = change.after.pred if change.after else None
            gold = (change.after or change.before).gold
            lines.append(f"  {change.document} {change.path}: {before!r} -> {after!r} (gold {gold!r})")
    return "\n".join(lines)


def _load(run_dir: Path) -> RunRecord:
    if not (run_dir / RUN_FILE).is_file():
        raise EvalError(f"not a run directory: {RUN_FILE} missing (written by `cli.py extract --out`)",
                        file=str(run_dir))
    return load_run(run_dir)


def _config_diff(a: RunRecord, b: RunRecord) -> dict[str, tuple[Any, Any]]:
    diff = {key: (getattr(a, key), getattr(b, key)) for key in _CONFIG_KEYS if getattr(a, key) != getattr(b, key)}
    prompts_a = {p.name: f"{p.version} {p.sha256[:12]}" for p in a.prompts}
    prompts_b = {p.name: f"{p.version} {p.sha256[:12]}" for p in b.prompts}
    for name in sorted(set(prompts_a) | set(prompts_b)):
        if prompts_a.get(name) != prompts_b.get(name):
            diff[f"prompt {name}"] = (prompts_a.get(name), prompts_b.get(name))
    return diff


def _field_changes(a: EvalResult, b: EvalResult):
    before = {(o.document, o.path): o for o in a.outcomes}
    after = {(o.document, o.path): o for o in b.outcomes}
    fixed, broken, changed = [], [], []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        change = FieldChange(document=key[0], path=key[1], before=old, after=new)
        old_ok = old is not None and old.status == "correct"
        new_ok = new is not None and new.status == "correct"
        if new_ok and not old_ok:
            fixed.append(change)
        elif old_ok and not new_ok:
            broken.append(change)
        elif (old.pred if old else None) != (new.pred if new else None):
            changed.append(change)
    return fixed, broken, changed
