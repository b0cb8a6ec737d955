"""Evaluation rules: the department's score and grade."""

from decimal import Decimal

import pytest

from extractor.extract.rules.evaluation import extract_evaluation
from extractor.ingest import ingest
from tests.conftest import pdf, seed


@pytest.mark.parametrize(("source", "score", "grade"), [
    (seed("000"), Decimal("99.93"), "优"),  # text, not the self-evaluation table's 总分 100
    (seed("004"), Decimal("97.22"), "优"),  # 自评结果为优秀
    (seed("002"), Decimal("93.7"), None),  # 整体绩效自评表 总分; '自评得分96.6分' is a sampled project's
    (pdf("putuo-finance-2024-final-accounts"), None, None),  # '绩效评级为“良”的项目0个' is not a grade
])
def test_score_and_grade(source, score, grade):
    evaluation, evidence, _ = extract_evaluation(ingest(source))
    assert evaluation.score == score
    assert evaluation.grade == grade
    if score is not None:
        assert evidence["evaluation.score"].quote
