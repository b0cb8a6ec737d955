"""The validator benchmark: seeded corruptions of the gold extractions, recall and false-flag shares."""

from __future__ import annotations

import random
import shutil
from decimal import Decimal

import pytest

from evals.flag_benchmark import (
    FALSE_FLAG_CEILING,
    RECALL_FLOOR,
    _corrupt,
    _identities,
    _mutate,
    _neighbour,
    _targets,
    _values,
    format_report,
    load_gold,
    run_flag_benchmark,
)
from extractor.errors import EvalError
from tests.conftest import GOLD_DIR

GOLD = GOLD_DIR
D = Decimal


@pytest.fixture(scope="module")
def result():
    return run_flag_benchmark(GOLD, k=5, seed=0, trials=30)


def test_floors_met_on_the_gold_extractions(result):
    assert result.corruptions == 5 * 30 * len(result.gold_files)
    assert result.identity_breaking > 0.5 * result.corruptions
    assert result.identity_breaking_recall >= RECALL_FLOOR
    assert result.false_flag_rate <= FALSE_FLAG_CEILING
    assert result.floors_met
    assert all(stats.corruptions > 0 for stats in result.by_kind.values())


def test_same_seed_same_numbers_other_seed_other_corruptions(result):
    again = run_flag_benchmark(GOLD, k=5, seed=0, trials=30)
    assert again.model_dump() == result.model_dump()
    other = run_flag_benchmark(GOLD, k=5, seed=1, trials=3)
    first = run_flag_benchmark(GOLD, k=5, seed=0, trials=3)
    assert other.by_kind != first.by_kind or other.missed != first.missed or other.flagged != first.flagged


def test_report_states_the_figures(result):
    report = format_report(result)
    assert f"{result.identity_breaking_recall:.1%}" in report
    assert f"{result.false_flag_rate:.2%}" in report
    assert "floors met" in report


def test_mutations():
    rng = random.Random(0)
    assert _mutate("sign_flip", D("2940.05"), rng) == D("-2940.05")
    assert _mutate("sign_flip", D("0"), rng) is None
    assert _mutate("decimal_shift", D("2940.05"), rng) in (D("294.005"), D("29400.5"))
    swapped = _mutate("digit_swap", D("2940.05"), rng)
    assert swapped != D("2940.05") and sorted(str(swapped)) == sorted("2940.05")
    dropped = _mutate("dropped_digit", D("2940.05"), rng)
    assert len(str(dropped).replace(".", "")) == 5 or dropped in (D("294.05"), D("2940.5"))
    doubled = _mutate("doubled_digit", D("187.19"), rng)
    assert len(str(doubled).replace(".", "")) == 6
    assert _mutate("digit_swap", D("11"), rng) is None


def test_moved_value_goes_to_the_next_cell_in_the_row():
    gold = load_gold(GOLD / "putuo-finance-2024-final-accounts.json")
    data = gold.model_dump(mode="python")
    paths = [p for p in _targets(gold) if p.startswith("tables[") and p.endswith(".values.本年支出合计")]
    assert _neighbour(data, paths[0]) == paths[0].replace("本年支出合计", "基本支出")
    assert _neighbour(data, "budget.basic") == "budget.project"


def test_corruptions_are_reproducible_and_distinct():
    gold = load_gold(GOLD / "seed-000.json")
    targets = _targets(gold)
    a, records_a = _corrupt(gold, targets, 5, random.Random("x"), "seed-000.json", 0)
    b, records_b = _corrupt(gold, targets, 5, random.Random("x"), "seed-000.json", 0)
    assert records_a == records_b and a == b
    assert len({r.path for r in records_a}) == 5
    assert all(_values(a)[r.path] != _values(gold)[r.path] for r in records_a)


def test_identity_oracle_holds_on_gold_and_breaks_on_a_changed_child():
    gold = load_gold(GOLD / "putuo-finance-2024-final-accounts.json")
    identities = [i for i in _identities(gold) if i.holds(_values(gold))]
    assert identities
    data = gold.model_dump(mode="python")
    ti = next(i for i, t in enumerate(gold.tables) if t.title == "支出决算表")
    ri = next(i for i, r in enumerate(gold.tables[ti].rows) if r.code == "2080505")
    path = f"tables[{ti}].rows[{ri}].values.本年支出合计"
    data["tables"][ti]["rows"][ri]["values"]["本年支出合计"] = D("106.75")
    broken = type(gold).model_validate(data)
    assert any(i.involves({path}) and not i.holds(_values(broken)) for i in identities)


def test_empty_or_missing_gold_dir(tmp_path):
    with pytest.raises(EvalError):
        run_flag_benchmark(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(EvalError, match="bad.json"):
        run_flag_benchmark(tmp_path)


def test_a_single_gold_file_dir(tmp_path):
    shutil.copy(GOLD / "seed-004.json", tmp_path / "seed-004.json")
    result = run_flag_benchmark(tmp_path, k=3, seed=2, trials=10)
    assert result.gold_files == ["seed-004.json"] and result.corruptions == 30
