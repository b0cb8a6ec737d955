"""The scorer itself: each kind of error moves the metrics exactly as expected."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from evals.normalize import Tolerances
from evals.scoring import GOLD_HEADER, load_json, score_dirs, score_document
from tests.conftest import GOLD_DIR


def _gold_with_tables() -> tuple[str, dict]:
    for path in sorted(GOLD_DIR.glob("*.json")):
        data = load_json(path)
        if any(len(t.get("rows", [])) >= 4 for t in data.get("tables", [])):
            return path.stem, data
    pytest.fail("no gold file with a statement table in evals/gold")


def _as_prediction(gold: dict) -> dict:
    pred = copy.deepcopy(gold)
    pred.pop(GOLD_HEADER, None)
    return pred


def _score(gold: dict, pred: dict, tolerances: Tolerances | None = None):
    outcomes = score_document("doc", gold, pred, tolerances or Tolerances())
    counts = {status: sum(o.status == status for o in outcomes) for status in ("correct", "wrong", "missing", "extra")}
    return outcomes, counts


def _leaves(node) -> int:
    """Scored values: every non-null leaf except a table's column list, which is structure."""
    if isinstance(node, dict):
        return sum(_leaves(v) for k, v in node.items() if k != "columns")
    if isinstance(node, list):
        return sum(_leaves(v) for v in node)
    return node is not None


def _numeric_row(table: dict) -> tuple[int, str]:
    """Index and column of the first row holding a non-zero number."""
    for index, row in enumerate(table["rows"]):
        for column, value in (row.get("values") or {}).items():
            if value not in (None, 0):
                return index, column
    pytest.fail("table without numbers")


@pytest.fixture(scope="module")
def gold() -> dict:
    return _gold_with_tables()[1]


def test_identical_prediction_scores_one(gold):
    _, counts = _score(gold, _as_prediction(gold))
    assert counts["correct"] == _leaves({k: v for k, v in gold.items() if k not in (GOLD_HEADER, "source", "schema_version")})
    assert counts["wrong"] == counts["missing"] == counts["extra"] == 0


def test_wrong_cell_is_one_false_positive_and_one_false_negative(gold):
    pred = _as_prediction(gold)
    index, column = _numeric_row(pred["tables"][0])
    pred["tables"][0]["rows"][index]["values"][column] += Decimal("1")
    outcomes, counts = _score(gold, pred)
    (wrong,) = [o for o in outcomes if o.status == "wrong"]
    assert wrong.path == f"tables[0].rows[{index}].values.{column}"
    assert counts["missing"] == counts["extra"] == 0


def test_missing_row_counts_each_of_its_values_as_missing(gold):
    pred = _as_prediction(gold)
    index, _ = _numeric_row(pred["tables"][0])
    removed = pred["tables"][0]["rows"].pop(index)
    _, counts = _score(gold, pred)
    assert counts["missing"] == _leaves(removed)
    assert counts["wrong"] == counts["extra"] == 0


def test_swapped_row_order_still_matches(gold):
    pred = _as_prediction(gold)
    for table in pred["tables"]:
        table["rows"].reverse()
    pred["tables"].reverse()
    _, counts = _score(gold, pred)
    assert counts["wrong"] == counts["missing"] == counts["extra"] == 0


def test_extra_row_counts_each_of_its_values_as_extra(gold):
    pred = _as_prediction(gold)
    pred["tables"][0]["rows"].append({"code": "2999999", "name": "其他虚构支出", "values": {"合计": Decimal("5.00")}})
    outcomes, counts = _score(gold, pred)
    assert counts["extra"] == 3
    assert counts["wrong"] == counts["missing"] == 0
    precision = counts["correct"] / (counts["correct"] + counts["extra"])
    assert precision < 1


@pytest.mark.parametrize(("delta", "expected"), [("0.01", "correct"), ("0.02", "wrong")])
def test_numeric_near_miss_within_and_beyond_tolerance(gold, delta, expected):
    pred = _as_prediction(gold)
    index, column = _numeric_row(pred["tables"][0])
    pred["tables"][0]["rows"][index]["values"][column] += Decimal(delta)
    outcomes, _ = _score(gold, pred)
    (outcome,) = [o for o in outcomes if o.path == f"tables[0].rows[{index}].values.{column}"]
    assert outcome.status == expected


def test_per_path_tolerance_override(gold):
    pred = _as_prediction(gold)
    index, column = _numeric_row(pred["tables"][0])
    pred["tables"][0]["rows"][index]["values"][column] += Decimal("0.3")
    loose = Tolerances(Decimal("0.01"), {"tables[*].rows[*].values.*": Decimal("0.5")})
    _, counts = _score(gold, pred, loose)
    assert counts["wrong"] == 0


def test_strings_are_normalised_before_comparison():
    gold = {"problems": ["预算编制工作有待细化。"], "meta": {"department": "衡阳县人力资源和社会保障局"}}
    pred = {"problems": ["1、预算编制工作 有待细化"], "meta": {"department": "衡阳县人力资源和社会保障局 "}}
    _, counts = _score(gold, pred)
    assert counts == {"correct": 2, "wrong": 0, "missing": 0, "extra": 0}


def test_checked_null_makes_a_predicted_value_extra():
    _, counts = _score({"three_public": {"actual": {"vehicle_purchase": None}}},
                       {"three_public": {"actual": {"vehicle_purchase": "1.00"}}})
    assert counts == {"correct": 0, "wrong": 0, "missing": 0, "extra": 1}


def test_score_dirs_matches_predictions_by_sha256(tmp_path, gold):
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    gold_dir.mkdir()
    pred_dir.mkdir()
    source = GOLD_DIR / "seed-004.json"
    (gold_dir / "seed-004.json").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    pred = _as_prediction(load_json(source))
    pred["source"]["file"] = "renamed.txt"
    (pred_dir / "anything.json").write_text(json.dumps(pred, default=str, ensure_ascii=False), encoding="utf-8")
    result = score_dirs(gold_dir, pred_dir)
    assert result.score().f1 == 1.0
    assert result.unmatched_predictions == []
