"""Staffing and budget rules on the real seeds and PDFs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.extract.rules.budget import extract_budget, extract_staffing
from extractor.extract.rules.statements import extract_tables
from extractor.ingest import ingest
from tests.conftest import ROOT, pdf, seed


def _budget(source):
    doc = ingest(source)
    tables, table_evidence, _ = extract_tables(doc)
    return extract_budget(doc, tables, table_evidence)


def test_staffing_single_figures_seed_004():
    staffing, evidence, _ = extract_staffing(ingest(seed("004")))
    assert (staffing.authorized, staffing.actual) == (123, 82)
    assert evidence["staffing.authorized"].quote == "编制人数 123 人"


def test_staffing_sums_every_kind_of_post_seed_000():
    # 公务员编制数12 + 机关后勤编制数1 + 事业编制数17; 实有 11 + 1 + 14; 临时人员 and 退休 are not posts.
    staffing, evidence, _ = extract_staffing(ingest(seed("000")))
    assert (staffing.authorized, staffing.actual) == (30, 26)
    assert "事业编制数17人" in evidence["staffing.authorized"].quote
    assert "临时" not in evidence["staffing.actual"].quote


def test_budget_from_narrative_seed_000():
    budget, evidence, _ = _budget(seed("000"))
    assert budget.initial == Decimal("440.43")
    assert budget.adjusted == Decimal("1430.40")
    assert budget.spent == Decimal("1429.40")
    assert budget.execution_rate == Decimal("99.93")
    assert budget.basic == Decimal("310.69")  # spent, not the 年初预算数 335.43 printed under 基本支出
    assert budget.project == Decimal("1118.71")
    assert evidence["budget.basic"].quote == "基本支出按一体化系统数据总额310.69万元"


def test_budget_seed_004_and_002():
    budget, _, _ = _budget(seed("004"))
    assert (budget.initial, budget.adjusted, budget.spent) == (Decimal("799.57"), Decimal("2423.53"),
                                                                 Decimal("2234.98"))
    assert (budget.execution_rate, budget.basic, budget.project) == (Decimal("92.22"), Decimal("1230.25"),
                                                                      Decimal("1004.73"))
    budget, evidence, _ = _budget(seed("002"))
    # 8371.59 is the 一般公共预算 年初预算 only (11121.2 of 14344.12 spent): not the department's.
    assert budget.initial is None
    assert budget.adjusted == Decimal("19923.13")  # not the 三公 全年预算 0.27
    assert budget.execution_rate == Decimal("72")
    assert (budget.spent, budget.basic, budget.project) == (Decimal("14344.12"), Decimal("1699.45"),
                                                            Decimal("12644.67"))


@pytest.fixture(scope="module")
def finance_budget():
    return _budget(pdf("putuo-finance-2024-final-accounts"))


def test_budget_final_accounts_pdf(finance_budget):
    budget, evidence, _ = finance_budget
    assert budget.initial == Decimal("2993.92")  # 一般公共预算 is 100.00% of spending here
    assert budget.execution_rate == Decimal("98.20")  # wrapped over two PDF lines: 完\n成年初预算的98.20%
    assert (budget.spent, budget.basic, budget.project) == (Decimal("2940.05"), Decimal("2336.91"),
                                                            Decimal("603.14"))
    assert budget.adjusted is None
    assert evidence["budget.execution_rate"].page == 21


def test_budget_in_yuan_converted_exactly():
    budget, evidence, _ = _budget(pdf("putuo-justice-2026-dept-budget"))
    assert budget.initial == Decimal("9628.221344")  # 96,282,213.44 元 (支出预算总表 合计)
    assert budget.basic == Decimal("2574.166644")
    assert budget.project == Decimal("7054.0547")
    assert budget.spent is None and budget.execution_rate is None
    assert evidence["budget.basic"].quote == "25741666.44"


def test_stated_total_is_not_added_to_its_breakdown():
    # '编制数35人，其中行政编制28人、事业编制7人；实有人数31人' (the repository's fictional sample)
    staffing, _, _ = extract_staffing(ingest(ROOT / "samples" / "sample-county-hrss-2024.pdf"))
    assert (staffing.authorized, staffing.actual) == (35, 31)
