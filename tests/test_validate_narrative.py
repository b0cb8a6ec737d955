"""text_comparison, year_mismatch, placeholder_text, missing_table on the real finance PDFs: the defects
version (re-typeset with planted defects) against the published original."""

from __future__ import annotations

import pytest

from extractor.ingest import ingest
from extractor.validate import validate
from schemas.extraction import Meta, ReportExtraction
from tests.conftest import pdf

NARRATIVE_RULES = {"text_comparison", "year_mismatch", "placeholder_text", "missing_table", "numbering_order",
                   "stray_punctuation"}


@pytest.fixture(scope="module")
def docs():
    return {name: ingest(pdf(name)) for name in
            ("putuo-finance-2024-final-accounts", "putuo-finance-2024-final-accounts-defects")}


def _narrative_flags(doc):
    extraction = ReportExtraction(meta=Meta(fiscal_year=2024, report_type="final_accounts"))
    return [f for f in validate(extraction, doc).flags if f.rule in NARRATIVE_RULES]


def test_planted_text_defects_are_flagged(docs):
    flags = _narrative_flags(docs["putuo-finance-2024-final-accounts-defects"])
    by_rule: dict[str, list[str]] = {}
    for flag in flags:
        by_rule.setdefault(flag.rule, []).append(flag.message)
    # 行政运行 1560.05 -> 1511.89 and 职业年金 80.81 -> 80.38 called 大于; 医疗 62.29 -> 60.99 called 等于
    comparisons = " | ".join(by_rule["text_comparison"])
    assert len(by_rule["text_comparison"]) == 3
    assert "1,560.05" in comparisons and "80.81" in comparisons and "62.29" in comparisons
    years = " | ".join(by_rule["year_mismatch"])
    assert "2023年度部门决算" in years and "截至2023年12月31日" in years and len(by_rule["year_mismatch"]) == 2
    assert "XX局" in by_rule["placeholder_text"][0]
    assert by_rule["missing_table"] == ["第2页目录列出“支出决算表”，但文中未找到该表"]
    # points moved: 二、 before 一、 (twice), 2、 before 1、, 8、 before 7、, 10、 before 9、
    swapped = " | ".join(by_rule["numbering_order"])
    assert len(by_rule["numbering_order"]) == 5
    for before, after in (("一、收入支出决算总体情况说明", "二、收入决算情况说明"), ("一、财政拨款收入", "二、事业收入"),
                          ("1、一般公共服务支出", "2、一般公共服务支出"), ("7、社会保障", "8、社会保障"),
                          ("9、卫生健康", "10、住房保障")):
        assert f"“{before}" in swapped and f"“{after}" in swapped
    # '。' left alone on a line after a finished sentence, or doubled
    (stray,) = by_rule["stray_punctuation"]
    assert "共 6 处" in stray and "第18、19、21、25页" in stray


def test_original_has_none_of_these(docs):
    assert _narrative_flags(docs["putuo-finance-2024-final-accounts"]) == []


def test_year_check_needs_the_fiscal_year(docs):
    flags = validate(ReportExtraction(), docs["putuo-finance-2024-final-accounts-defects"]).flags
    assert not any(f.rule == "year_mismatch" for f in flags)
