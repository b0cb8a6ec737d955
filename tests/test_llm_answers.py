"""The response models the model fills: lenient number reading, id checks, per-leaf grounding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from extractor.extract.llm.answers import (
    MetaAnswer,
    QuotedCount,
    QuotedDate,
    QuotedGrade,
    QuotedNumber,
    StatementTableAnswer,
    col_index,
    row_index,
)
from extractor.extract.llm.grounding import SourceText

SOURCE = SourceText([(1, "2025 年 5 月 1 日\n本单位部门整体支出绩效自评得分 99.93 分, 等级为优。60分以下为差，60分（含）—80分为较差")])


@pytest.mark.parametrize(("printed", "value"), [
    ("1,430.40", Decimal("1430.40")), ("99.93%", Decimal("99.93")), ("3, 042. 92", Decimal("3042.92")),
    (1429.4, Decimal("1429.4")), (None, None),
])
def test_numbers_as_models_write_them(printed, value):
    assert QuotedNumber(value=printed).value == value


def test_counts_and_bad_numbers():
    assert QuotedCount(value="30人").value == 30
    with pytest.raises(ValidationError):
        QuotedNumber(value="约一千")
    with pytest.raises(ValidationError):
        QuotedCount(value="30.5")


def test_row_ids_given_as_numbers_and_id_parsing():
    answer = StatementTableAnswer.for_ids([3, 4], n_cols=2).model_validate({"data_rows": [3, "r4"]})
    assert answer.data_rows == ["r3", "r4"]
    assert (row_index(" r12"), col_index("c3"), col_index(None)) == (12, 3, None)


def test_statement_unit_must_be_a_money_unit():
    with pytest.raises(ValidationError, match="unit must be"):
        StatementTableAnswer(unit="人")
    assert StatementTableAnswer(unit=" 万元").unit == "万元"


def test_date_and_grade_grounding():
    assert QuotedDate(value=date(2025, 5, 1), quote="2025 年 5 月 1 日").ground(SOURCE).grounded
    wrong_day = QuotedDate(value=date(2025, 5, 2), quote="2025 年 5 月 1 日").ground(SOURCE)
    assert wrong_day.status == "value_not_in_quote"
    assert QuotedGrade(value="优", quote="等级为优").ground(SOURCE).grounded
    assert QuotedGrade(value="中", quote="80分为较差").ground(SOURCE).grounded      # 较差 counts as 中
    assert not QuotedGrade(value="良", quote="等级为优").ground(SOURCE).grounded


def test_nested_answers_default_to_empty_leaves():
    answer = MetaAnswer.model_validate({"meta": {"fiscal_year": {"value": "2024", "quote": "2024 年度"}}})
    assert answer.meta.fiscal_year.value == 2024 and answer.meta.department.value is None
