"""Validator benchmark: corrupt numbers in gold extractions and measure what the validators flag.

For each gold extraction (evals/gold/*.json, the `_gold` header dropped) and each trial, k distinct
numeric values are corrupted the way readings go wrong (digit swap, dropped digit, doubled digit, decimal
shift, sign flip, value moved to the neighbouring cell), the corrupted extraction is validated (without
the document), and three shares are reported:

- identity-breaking corruptions flagged: a corruption breaks an identity when, after it, one of the
  identities that hold in the gold no longer holds. The identities are enumerated here, independently
  of the validators: parent 科目 = Σ children, a 合计/总计/小计 row = Σ the rows it totals (top-level
  科目, or a run of rows next to it), a row's column = Σ its other columns, basic + project = spent,
  三公 total = Σ parts, execution rate = spent / budget × 100, indicator weights keep their sum.
  Tolerance is 0.01 per amount in the identity, as in the validators.
- all corruptions flagged.
- untouched values falsely flagged: flags new against the uncorrupted gold's own flags (so printed
  inconsistencies do not count) that name no corrupted value, counted by the value they sit on.
  Reported beside it, not counted as false: untouched values that carry a new flag whose `related`
  names a corrupted value (a correct 合计 flagged because one of its items was corrupted).

A corruption counts as flagged when a new flag names one of its paths as `path` or in `related`.
Everything is seeded: the same gold files, k, seed and trials give the same numbers.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from extractor.errors import EvalError
from extractor.validate import validate
from extractor.validate.amounts import rate_tolerance
from schemas.extraction import (
    Budget,
    Evaluation,
    Indicator,
    Project,
    ReportExtraction,
    Staffing,
    ThreePublicAmounts,
)
from schemas.paths import iter_values

KINDS = ("digit_swap", "dropped_digit", "doubled_digit", "decimal_shift", "sign_flip", "moved")
RECALL_FLOOR = 0.90
FALSE_FLAG_CEILING = 0.02
CENT = Decimal("0.01")
_TOTAL_NAMES = frozenset({"合计", "总计", "小计"})


class KindStats(BaseModel):
    corruptions: int = 0
    identity_breaking: int = 0
    flagged_identity_breaking: int = 0
    flagged: int = 0


class Corruption(BaseModel):
    gold: str
    trial: int
    kind: str
    path: str
    old: str | None
    new: str | None
    moved_to: str | None = None
    identity_breaking: bool = False
    flagged: bool = False


class FlagBenchmarkResult(BaseModel):
    gold_files: list[str]
    k: int
    seed: int
    trials: int
    corruptions: int
    identity_breaking: int
    flagged_identity_breaking: int
    flagged: int
    untouched_values: int = Field(description="untouched numeric values summed over all trials")
    falsely_flagged: int
    collateral_flagged: int = Field(
        description="untouched values that carry a new flag as its path while the flag names a corrupted value "
                    "as related (a correct total flagged because a child was corrupted)")
    identity_breaking_recall: float = Field(description="share of identity-breaking corruptions flagged")
    overall_recall: float = Field(description="share of all corruptions flagged")
    false_flag_rate: float = Field(description="share of untouched values falsely flagged")
    collateral_rate: float = Field(description="share of untouched values carrying an explained flag")
    by_kind: dict[str, KindStats]
    missed: list[Corruption] = Field(default_factory=list, description="identity-breaking, not flagged (≤ 25)")
    false_flags: list[str] = Field(default_factory=list, description="messages of false flags (≤ 25)")
    floors_met: bool


def load_gold(path: Path) -> ReportExtraction:
    """A gold file as a ReportExtraction: numbers read as Decimal, the `_gold` header dropped."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        data.pop("_gold", None)
        return ReportExtraction.model_validate(data)
    except (OSError, ValueError) as e:
        raise EvalError(f"cannot read gold extraction: {e}", file=str(path)) from e


def run_flag_benchmark(gold_dir: Path, k: int = 5, seed: int = 0, trials: int = 200) -> FlagBenchmarkResult:
    """Inject k corruptions per trial into every gold extraction in gold_dir and score the validators."""
    files = sorted(Path(gold_dir).glob("*.json"))
    if not files:
        raise EvalError("no gold extractions (*.json) found", file=str(gold_dir))
    by_kind = {kind: KindStats() for kind in KINDS}
    records: list[Corruption] = []
    untouched = falsely = collateral = 0
    false_messages: list[str] = []
    for file in files:
        gold = load_gold(file)
        baseline = {_key(f) for f in validate(gold).flags}
        identities = [i for i in _identities(gold) if i.holds(_values(gold))]
        targets = _targets(gold)
        targets_set = set(targets)
        if not targets:
            continue
        for trial in range(trials):
            rng = random.Random(f"{seed}:{file.name}:{trial}")
            corrupted, trial_records = _corrupt(gold, targets, min(k, len(targets)), rng, file.name, trial)
            values = _values(corrupted)
            touched = {p for r in trial_records for p in (r.path, r.moved_to) if p}
            new_flags = [f for f in validate(corrupted).flags if _key(f) not in baseline]
            for record in trial_records:
                paths = {record.path, record.moved_to} - {None}
                record.identity_breaking = any(i.involves(paths) and not i.holds(values) for i in identities)
                record.flagged = any(paths & {f.path, *f.related} for f in new_flags)
                stats = by_kind[record.kind]
                stats.corruptions += 1
                stats.identity_breaking += record.identity_breaking
                stats.flagged += record.flagged
                stats.flagged_identity_breaking += record.identity_breaking and record.flagged
            unexplained = [f for f in new_flags if not touched & {f.path, *f.related}]
            falsely += len({f.path for f in unexplained})
            collateral += len({f.path for f in new_flags if f.path not in touched and f.path in targets_set
                               and touched & set(f.related)})
            false_messages += [f.message for f in unexplained]
            untouched += len(targets) - len(touched & set(targets))
            records += trial_records
    breaking = [r for r in records if r.identity_breaking]
    result = FlagBenchmarkResult(
        gold_files=[f.name for f in files], k=k, seed=seed, trials=trials,
        corruptions=len(records), identity_breaking=len(breaking),
        flagged_identity_breaking=sum(r.flagged for r in breaking), flagged=sum(r.flagged for r in records),
        untouched_values=untouched, falsely_flagged=falsely, collateral_flagged=collateral,
        collateral_rate=_share(collateral, untouched),
        identity_breaking_recall=_share(sum(r.flagged for r in breaking), len(breaking)),
        overall_recall=_share(sum(r.flagged for r in records), len(records)),
        false_flag_rate=_share(falsely, untouched), by_kind=by_kind,
        missed=[r for r in breaking if not r.flagged][:25], false_flags=false_messages[:25], floors_met=False)
    result.floors_met = (result.identity_breaking_recall >= RECALL_FLOOR
                         and result.false_flag_rate <= FALSE_FLAG_CEILING)
    return result


def format_report(result: FlagBenchmarkResult) -> str:
    """The benchmark's figures as plain text for the terminal."""
    lines = [
        f"validator benchmark: {len(result.gold_files)} gold files, k={result.k}, seed={result.seed}, "
        f"trials={result.trials}",
        f"  corruptions: {result.corruptions}, identity-breaking: {result.identity_breaking}",
        f"  identity-breaking flagged: {result.identity_breaking_recall:.1%} "
        f"({result.flagged_identity_breaking}/{result.identity_breaking}; floor {RECALL_FLOOR:.0%})",
        f"  all corruptions flagged:   {result.overall_recall:.1%} ({result.flagged}/{result.corruptions})",
        f"  untouched values falsely flagged: {result.false_flag_rate:.2%} "
        f"({result.falsely_flagged}/{result.untouched_values}; ceiling {FALSE_FLAG_CEILING:.0%})",
        f"  untouched values flagged as the total of a corrupted item (explained, not counted as false): "
        f"{result.collateral_rate:.2%} ({result.collateral_flagged}/{result.untouched_values})",
        "  by kind (identity-breaking flagged / identity-breaking / all):",
    ]
    for kind, s in result.by_kind.items():
        lines.append(f"    {kind:<14} {s.flagged_identity_breaking:>5} / {s.identity_breaking:>5} / {s.corruptions:>5}")
    for miss in result.missed[:10]:
        lines.append(f"  missed: {miss.gold} #{miss.trial} {miss.kind} {miss.path} {miss.old} -> {miss.new}"
                     + (f" (moved to {miss.moved_to})" if miss.moved_to else ""))
    for message in result.false_flags[:10]:
        lines.append(f"  false flag: {message}")
    lines.append(f"  floors {'met' if result.floors_met else 'NOT met'}")
    return "\n".join(lines)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _key(flag) -> tuple[str, str, str]:
    return flag.rule, flag.path, flag.message


def _values(extraction: ReportExtraction) -> dict[str, Any]:
    return dict(iter_values(extraction, include_null=True))


def _targets(extraction: ReportExtraction) -> list[str]:
    """Paths of the numbers a corruption may hit (the fiscal year is a year, not a figure)."""
    return [path for path, value in iter_values(extraction)
            if isinstance(value, Decimal | int) and not isinstance(value, bool) and not path.startswith("meta.")]


# ---- corruptions -------------------------------------------------------------------------------------

def _corrupt(gold: ReportExtraction, targets: list[str], k: int, rng: random.Random, name: str,
             trial: int) -> tuple[ReportExtraction, list[Corruption]]:
    data = gold.model_dump(mode="python")
    records: list[Corruption] = []
    taken: set[str] = set()
    for path in rng.sample(targets, len(targets)):
        if len(records) == k:
            break
        if path in taken:
            continue
        old = _get(data, path)
        kinds = list(KINDS)
        rng.shuffle(kinds)
        for kind in kinds:
            applied = _apply(kind, data, path, old, rng, taken)
            if applied is None:
                continue
            new, moved_to = applied
            taken |= {path, moved_to} - {None}
            records.append(Corruption(gold=name, trial=trial, kind=kind, path=path, old=f"{old:f}" if isinstance(old, Decimal) else str(old),
                                      new=None if new is None else (f"{new:f}" if isinstance(new, Decimal) else str(new)),
                                      moved_to=moved_to))
            break
    return ReportExtraction.model_validate(data), records


def _apply(kind: str, data: dict, path: str, old: Decimal | int, rng: random.Random,
           taken: set[str]) -> tuple[Any, str | None] | None:
    """Apply one corruption in place; None when this kind cannot change this value."""
    if kind == "moved":
        neighbour = _neighbour(data, path)
        if neighbour is None or neighbour in taken:
            return None
        if _get(data, neighbour) == old:
            return None
        _set(data, neighbour, old)
        _set(data, path, None)
        return None, neighbour
    new = _mutate(kind, old, rng)
    if new is None or new == old:
        return None
    _set(data, path, new)
    return new, None


def _mutate(kind: str, value: Decimal | int, rng: random.Random) -> Decimal | int | None:
    is_int = isinstance(value, int)
    text = f"{Decimal(value):f}"
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    digits = [i for i, ch in enumerate(body) if ch.isdigit()]
    if kind == "sign_flip":
        return -value if value != 0 else None
    if kind == "decimal_shift":
        if is_int:
            return value * 10 if rng.random() < 0.5 or value % 10 else value // 10
        return Decimal(value).scaleb(rng.choice((-1, 1)))
    if kind == "digit_swap":
        pairs = [(a, b) for a, b in zip(digits, digits[1:], strict=False) if body[a] != body[b]]
        if not pairs:
            return None
        a, b = rng.choice(pairs)
        chars = list(body)
        chars[a], chars[b] = chars[b], chars[a]
        body = "".join(chars)
    elif kind == "dropped_digit":
        if len(digits) < 2:
            return None
        i = rng.choice(digits)
        body = body[:i] + body[i + 1:]
    elif kind == "doubled_digit":
        i = rng.choice(digits)
        body = body[:i] + body[i] + body[i:]
    if body.startswith(".") or body.endswith(".") or not body:
        body = body.strip(".") or "0"
    try:
        new = Decimal(sign + body)
    except InvalidOperation:
        return None
    return int(new) if is_int and new == new.to_integral_value() else new


_NUMERIC_FIELDS = frozenset(
    name for model in (Budget, Staffing, ThreePublicAmounts, Evaluation, Indicator, Project)
    for name, field in model.model_fields.items() if "Decimal" in str(field.annotation) or "int" in str(field.annotation))
"""Fields a misread value can land in: a number never moves into a name or a grade."""

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _parse(path: str) -> list[str | int]:
    head, sep, column = path.partition(".values.")
    keys: list[str | int] = [int(i) if i else n for n, i in _SEGMENT.findall(head)]
    return [*keys, "values", column] if sep else keys


def _get(data: Any, path: str) -> Any:
    for key in _parse(path):
        data = data[key]
    return data


def _set(data: Any, path: str, value: Any) -> None:
    *parents, last = _parse(path)
    for key in parents:
        data = data[key]
    data[last] = value


def _neighbour(data: dict, path: str) -> str | None:
    """The next cell to the right in a table row (left for the last column), else the next numeric
    field of the same object (年初预算数 | 全年预算数 | 全年执行数 …, 分值 | 得分)."""
    keys = _parse(path)
    parent = _container(data, keys)
    if not isinstance(parent, dict):
        return None
    in_table = ".values." in path
    siblings = [k for k, v in parent.items()
                if (in_table or k in _NUMERIC_FIELDS)
                and (v is None or (isinstance(v, Decimal | int) and not isinstance(v, bool)))]
    if keys[-1] not in siblings or len(siblings) < 2:
        return None
    i = siblings.index(keys[-1])
    other = siblings[i + 1] if i + 1 < len(siblings) else siblings[i - 1]
    prefix = path[: len(path) - len(str(keys[-1]))]
    return prefix + str(other)


def _container(data: Any, keys: list[str | int]) -> dict:
    for key in keys[:-1]:
        data = data[key]
    return data


# ---- identities that hold in the gold (the oracle) --------------------------------------------------

@dataclass(frozen=True)
class _Identity:
    lhs: str
    rhs: tuple[str, ...]
    kind: str = "sum"  # "sum": lhs = Σ rhs; "rate": lhs = rhs[0] / rhs[1] × 100; "const": Σ rhs = lhs value
    constant: Decimal | None = None

    def involves(self, paths: set[str]) -> bool:
        return self.lhs in paths or bool(paths & set(self.rhs))

    def holds(self, values: dict[str, Any]) -> bool:
        get = [_num(values.get(p)) for p in self.rhs]
        if self.kind == "const":
            return abs(sum(get, Decimal(0)) - self.constant) <= CENT * len(self.rhs)
        lhs = _num(values.get(self.lhs))
        if self.kind == "rate":
            spent, base = get
            if base == 0:
                return lhs == 0
            return abs(lhs - spent / base * 100) <= rate_tolerance(lhs, spent, base)
        return abs(lhs - sum(get, Decimal(0))) <= CENT * (len(self.rhs) + 1)


def _num(value: Any) -> Decimal:
    return Decimal(0) if value is None or isinstance(value, str) else Decimal(value)


def _identities(ex: ReportExtraction) -> Iterator[_Identity]:
    for ti, table in enumerate(ex.tables):
        yield from _table_identities(ti, table)
    b = "budget"
    yield _Identity(f"{b}.spent", (f"{b}.basic", f"{b}.project"))
    base = "adjusted" if ex.budget.adjusted is not None else "initial"
    if ex.budget.execution_rate is not None:
        yield _Identity(f"{b}.execution_rate", (f"{b}.spent", f"{b}.{base}"), kind="rate")
    for side in ("budget", "actual"):
        p = f"three_public.{side}"
        yield _Identity(f"{p}.total", tuple(f"{p}.{f}" for f in ("overseas", "vehicle_purchase",
                                                                 "vehicle_operation", "reception")))
    for i, project in enumerate(ex.projects):
        if project.execution_rate is not None:
            yield _Identity(f"projects[{i}].execution_rate", (f"projects[{i}].spent", f"projects[{i}].budget"),
                            kind="rate")
    lists = [("indicators", ex.indicators)] + [(f"projects[{i}].indicators", p.indicators)
                                               for i, p in enumerate(ex.projects)]
    for prefix, indicators in lists:
        weights = [ind.weight for ind in indicators]
        if len(weights) >= 2 and all(w is not None for w in weights):
            yield _Identity("", tuple(f"{prefix}[{j}].weight" for j in range(len(weights))), kind="const",
                            constant=sum(weights, Decimal(0)))


def _table_identities(ti: int, table) -> Iterator[_Identity]:
    def cell(r: int, c: str) -> str:
        return f"tables[{ti}].rows[{r}].values.{c}"

    columns = list(dict.fromkeys([*table.columns, *(c for row in table.rows for c in row.values)]))
    codes = {row.code: r for r, row in enumerate(table.rows) if row.code and row.code.isdigit()}
    names = [re.sub(r"\s+", "", row.name or "") for row in table.rows]
    for code, r in codes.items():
        below = [c for c in codes if c.startswith(code) and len(c) > len(code)]
        if below:
            level = min(len(c) for c in below)
            for col in columns:
                yield _Identity(cell(r, col), tuple(cell(codes[c], col) for c in below if len(c) == level))
    if codes:
        top = min(len(c) for c in codes)
        for r, name in enumerate(names):
            if name in _TOTAL_NAMES and not table.rows[r].code:
                for col in columns:
                    yield _Identity(cell(r, col), tuple(cell(codes[c], col) for c in codes if len(c) == top))
    else:
        for r, name in enumerate(names):
            if "合计" in name or "总计" in name or "小计" in name:
                yield from _adjacent_runs(r, table, columns, cell)
    for r, row in enumerate(table.rows):
        filled = [c for c in columns if row.values.get(c) is not None]
        for col in filled:
            others = [c for c in filled if c != col]
            if len(others) >= 2 and row.values[col] == sum((row.values[c] for c in others), Decimal(0)) \
                    and row.values[col] != 0:
                yield _Identity(cell(r, col), tuple(cell(r, c) for c in others))


def _adjacent_runs(r: int, table, columns: list[str], cell) -> Iterator[_Identity]:
    """A total row of an uncoded table: the shortest run of rows right above (or below) it that adds up."""
    for col in columns:
        total = table.rows[r].values.get(col)
        if total is None or total == 0:
            continue
        for step in (-1, 1):
            running, run = Decimal(0), []
            i = r + step
            while 0 <= i < len(table.rows):
                run.append(i)
                running += _num(table.rows[i].values.get(col))
                if running == total and len(run) >= 2:
                    yield _Identity(cell(r, col), tuple(cell(j, col) for j in run))
                    break
                i += step
