"""validate() on real documents through the real pipeline (ingest → segment → rules engine), and its
contract: own flags recomputed, engine flags kept, a copy returned."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from extractor.extract.engine import Task, merge_task_result
from extractor.extract.rules.engine import RulesEngine
from extractor.ingest import ingest
from extractor.segment import segment
from extractor.validate import ARITHMETIC_RULES, validate
from schemas.document import Document
from schemas.extraction import Budget, Flag, ReportExtraction
from tests.conftest import pdf, seed

TABLE_RULES = {"code_sum", "subtotal_sum", "row_identity"}
CLEAN_PDFS = ("putuo-finance-2024-final-accounts", "putuo-planning-2024-final-accounts",
              "putuo-social-work-2024-final-accounts", "national-template-final-accounts",
              "putuo-justice-2026-dept-budget")


@cache
def _extract(name: str) -> tuple[Document, ReportExtraction]:
    """One document through ingest → segment → rules engine → validate (cached: the tests only read it)."""
    path: Path = seed(name) if name.isdigit() else pdf(name)
    doc = segment(ingest(path))
    extraction = ReportExtraction(source=doc.source)
    engine = RulesEngine()
    for task in Task:
        result = engine.run(task, doc)
        if result.filled:
            merge_task_result(extraction, result)
    return doc, validate(extraction, doc)


@pytest.fixture(scope="module")
def justice_unit():
    return _extract("putuo-justice-2026-unit-budget")[1]


@pytest.fixture(scope="module")
def finance_defects():
    return _extract("putuo-finance-2024-final-accounts-defects")[1]


def test_justice_unit_budget_real_defects(justice_unit):
    by_rule: dict[str, list[str]] = {}
    for flag in justice_unit.flags:
        by_rule.setdefault(flag.rule, []).append(flag.message)
    row = " | ".join(by_rule["row_identity"])
    assert "2040601 行政运行：合计 14,348,853.34 ≠ 基本支出 14,348,853.34 + 项目支出 64,840,547.00" in row
    code = " | ".join(by_rule["code_sum"])
    assert "20406 司法 上级科目 64,840,547.00 ≠ 下级科目合计 129,681,094.00" in code
    # 基本支出合计 is printed 22,118,861 (no cents) against items adding up to 22,118,861.34: the text layer's
    # figure is kept as printed and the failed sum is flagged
    total_flags = [f.message for f in justice_unit.flags if f.rule == "subtotal_sum" and "22,118,861" in f.message]
    assert any("合计 22,118,861.00 ≠ 所列各项之和 22,118,861.34（差 0.34）" in m for m in total_flags), total_flags
    # the flags point at the cells, and the cells are in the extraction
    flagged = next(f for f in justice_unit.flags if f.rule == "code_sum")
    table, row_index = flagged.path.split(".")[0], flagged.path.split(".")[1]
    ti, ri = int(table[7:-1]), int(row_index[5:-1])
    assert justice_unit.tables[ti].rows[ri].code == "20406"
    assert justice_unit.tables[ti].rows[ri].values["项目支出"] == Decimal("64840547.00")


def test_finance_defects_planted_defects_flagged(finance_defects):
    messages = [f"{f.rule}: {f.message}" for f in finance_defects.flags]
    text = "\n".join(messages)
    assert "收入支出总计0万元" in text and "2,995.39" in text              # 总计 0 in the narrative
    assert "年初预算为0.95万元" in text                                   # 三公 table emptied
    assert text.count("text_comparison:") == 3                           # 大于 / 等于 said of smaller figures
    assert "2023年度部门决算" in text and "截至2023年12月31日" in text     # wrong year twice
    assert "placeholder_text:" in text and "XX局" in text                # template name left in
    assert "missing_table: 第2页目录列出“支出决算表”" in text              # 支出决算表 dropped
    assert text.count("numbering_order:") == 5                           # points swapped
    assert not [f for f in finance_defects.flags if f.rule in ARITHMETIC_RULES], text


@pytest.mark.parametrize("name", CLEAN_PDFS)
def test_published_documents_raise_no_narrative_defect(name):
    _, extraction = _extract(name)
    narrative = {"text_comparison", "year_mismatch", "missing_table", "numbering_order"}
    assert [f.message for f in extraction.flags if f.rule in narrative] == []


@pytest.mark.parametrize("name", CLEAN_PDFS)
def test_documents_that_add_up_raise_no_table_flag(name):
    doc, extraction = _extract(name)
    assert extraction.tables or name == "national-template-final-accounts"
    wrong = [f"{f.rule}: {f.message}" for f in extraction.flags
             if f.rule in TABLE_RULES | {"three_public_sum", "basic_plus_project", "weights_sum"}]
    assert wrong == []


@pytest.mark.parametrize("name", ["putuo-finance-2024-final-accounts", "national-template-final-accounts",
                                  "putuo-justice-2026-dept-budget"])
def test_no_arithmetic_flag_at_all_where_the_extraction_is_right(name):
    _, extraction = _extract(name)
    assert [f.message for f in extraction.flags if f.rule in ARITHMETIC_RULES] == []


def test_own_flags_recomputed_engine_flags_kept():
    extraction = ReportExtraction(
        budget=Budget(spent=Decimal("1429.40"), basic=Decimal("310.69"), project=Decimal("1118.71")),
        flags=[Flag(path="budget.spent", rule="basic_plus_project", message="stale"),
               Flag(path="budget.basic", rule="ocr_repair", message="spaces removed"),
               Flag(path="tables", rule="missing_rows", message="rows missing")])
    checked = validate(extraction)
    assert [(f.rule, f.message) for f in checked.flags] == [("ocr_repair", "spaces removed"),
                                                          ("missing_rows", "rows missing")]
    assert len(extraction.flags) == 3  # the input is not modified
    extraction.budget.project = Decimal("1181.71")
    assert [f.rule for f in validate(extraction).flags] == ["ocr_repair", "missing_rows", "basic_plus_project"]


def test_seed_000_prints_an_execution_score_that_is_not_weight_times_rate():
    _, extraction = _extract("000")
    flags = [f for f in extraction.flags if f.rule == "project_score"]
    assert len(flags) == 1 and "9.93 ≠ 分值 10 × 执行率 99.93%" in flags[0].message
    assert not [f for f in extraction.flags if f.rule in ARITHMETIC_RULES - {"project_score"}]


def test_seed_004_yuan_typo_flagged_on_the_extracted_value():
    _, extraction = _extract("004")
    flags = [f for f in extraction.flags if f.rule == "unit_anomaly"]
    assert any(f.path == "three_public.actual.total" and "5.07元" in f.message for f in flags)
    assert not [f for f in extraction.flags if f.rule in ARITHMETIC_RULES]


def test_without_the_document_its_text_flags_stand(finance_defects):
    """The review store revalidates a correction without the file: flags only the text can check stay."""
    text_flags = {(f.rule, f.path, f.message) for f in finance_defects.flags
                  if f.rule in ("placeholder_text", "year_mismatch", "text_comparison", "missing_table")}
    assert text_flags
    again = validate(finance_defects)
    assert text_flags <= {(f.rule, f.path, f.message) for f in again.flags}
