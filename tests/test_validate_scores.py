"""score_range, grade_band, indicator_score, weights_sum, project_score (seed 000 read through ingest)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.ingest import ingest
from extractor.validate import validate
from extractor.validate.checks import compact
from extractor.validate.scores import DEFAULT_BANDS, expected_grade, grade_bands
from schemas.extraction import Evaluation, Indicator, Project, ReportExtraction
from tests.conftest import seed

D = Decimal


@pytest.fixture(scope="module")
def seed_000_doc():
    return ingest(seed("000"))


def _rules(extraction: ReportExtraction, rule: str, doc=None):
    return [f for f in validate(extraction, doc).flags if f.rule == rule]


def seed_000_indicators() -> list[Indicator]:
    """The 11 rows of seed 000's 整体支出绩效自评表 (分值, 得分); 开展业务学习's 得分 is printed empty."""
    rows = [(20, 20), (5, None), (5, 5), (5, 5), (5, 5), (10, 10), (10, 10), (5, 5), (10, 10), (5, 5), (10, 10)]
    return [Indicator(name=f"指标{i}", weight=D(w), score=None if s is None else D(s)) for i, (w, s) in enumerate(rows)]


def test_bands_read_from_the_seed_text(seed_000_doc):
    bands = grade_bands(compact(seed_000_doc.text))
    assert bands == [(D(90), "优"), (D(80), "良"), (D(60), "中"), (D(0), "差")]


def test_bands_stated_otherwise_are_used():
    bands = grade_bands(compact("90分以上为优秀，75-90分为良好，60-75分为合格，60分以下为不合格"))
    assert expected_grade(D("80"), bands) == "良"
    assert expected_grade(D("80"), DEFAULT_BANDS) == "良"
    assert expected_grade(D("78"), bands) == "良" and expected_grade(D("78"), DEFAULT_BANDS) == "中"


def test_grade_band(seed_000_doc):
    ok = ReportExtraction(evaluation=Evaluation(score=D("99.93"), grade="优"))
    assert _rules(ok, "grade_band", seed_000_doc) == []
    wrong = ReportExtraction(evaluation=Evaluation(score=D("89.5"), grade="优"))
    (flag,) = _rules(wrong, "grade_band", seed_000_doc)
    assert flag.path == "evaluation.grade" and "89.5" in flag.message and "“良”" in flag.message


def test_score_range():
    (flag,) = _rules(ReportExtraction(evaluation=Evaluation(score=D("999.3"))), "score_range")
    assert flag.path == "evaluation.score" and "0–100" in flag.message
    assert _rules(ReportExtraction(projects=[Project(score=D("100"))]), "score_range") == []


def test_indicator_score_not_above_weight():
    indicators = seed_000_indicators()
    assert _rules(ReportExtraction(indicators=indicators), "indicator_score") == []
    indicators[3].score = D("55")
    (flag,) = _rules(ReportExtraction(indicators=indicators), "indicator_score")
    assert flag.path == "indicators[3].score" and flag.related == ["indicators[3].weight"]
    assert "55" in flag.message and "分值 5" in flag.message


def test_weights_sum_accepts_90_with_execution_rate_outside():
    # seed 000: the table's weights add to 90; 预算执行率 (10 分) is scored above the indicator rows
    indicators = seed_000_indicators()
    assert _rules(ReportExtraction(indicators=indicators), "weights_sum") == []
    indicators[0].weight = D("25")
    (flag,) = _rules(ReportExtraction(indicators=indicators), "weights_sum")
    assert flag.severity == "warning" and "95" in flag.message
    assert len(flag.related) == len(indicators) - 1


def test_weights_sum_tolerance_counts_printed_weights_only():
    # two printed weights: 0.01 each, however many indicator rows print no weight
    indicators = [Indicator(name="a", weight=D("50")), Indicator(name="b", weight=D("50.05")),
                  *(Indicator(name=f"row {i}") for i in range(10))]
    (flag,) = _rules(ReportExtraction(indicators=indicators), "weights_sum")
    assert "100.05" in flag.message


def test_project_score_finds_the_printed_inconsistency_in_seed_000(seed_000_doc):
    """Seed 000 prints 分值 10, 执行率 99.93%, 得分 9.93: 10 × 99.93% = 9.993, so 9.93 is flagged."""
    flags = _rules(ReportExtraction(), "project_score", seed_000_doc)
    assert len(flags) == 1
    assert flags[0].path == "budget.execution_rate" and flags[0].severity == "warning"
    assert "9.93" in flags[0].message and "9.993" in flags[0].message
