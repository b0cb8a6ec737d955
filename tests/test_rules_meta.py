"""Meta rules on the real seeds and PDFs."""

from __future__ import annotations

from datetime import date

import pytest

from extractor.extract.rules.meta import extract_meta
from extractor.ingest import ingest
from tests.conftest import pdf, seed


@pytest.mark.parametrize(("source", "expected"), [
    (seed("004"), dict(department="衡阳县人力资源和社会保障局", region="衡阳县", fiscal_year=2023,
                       report_type="performance_self_evaluation", report_date=date(2024, 3, 24),
                       budget_code="703001")),
    (seed("000"), dict(department="怀化市洪江区人力资源和社会保障局", region="怀化市洪江区", fiscal_year=2024,
                       report_type="performance_self_evaluation", report_date=date(2025, 5, 1), budget_code=None)),
    (seed("002"), dict(fiscal_year=2024, report_type="final_accounts", report_date=None, budget_code=None)),
    (pdf("putuo-finance-2024-final-accounts"), dict(
        department="上海市普陀区财政局", region="上海市普陀区", fiscal_year=2024, report_type="final_accounts",
        report_date=None, budget_code=None)),
    (pdf("putuo-justice-2026-dept-budget"), dict(
        department="上海市普陀区司法局", region="上海市普陀区", fiscal_year=2026, report_type="budget")),
])
def test_meta_values(source, expected):
    meta, evidence, _ = extract_meta(ingest(source))
    for field, value in expected.items():
        assert getattr(meta, field) == value, field
        if value is not None:
            assert evidence[f"meta.{field}"].quote, field


def test_meta_evidence_points_at_the_printed_text():
    meta, evidence, _ = extract_meta(ingest(seed("004")))
    assert evidence["meta.budget_code"].quote == "预算编码：703001"
    assert evidence["meta.report_date"].quote == "2024 年 3 月 24 日"
    assert "衡阳县人力资源和社会保障局" in evidence["meta.department"].quote
