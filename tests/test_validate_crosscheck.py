"""text_table_mismatch and unit_anomaly: amounts against tables, narrative against tables, 元 for 万元."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.ingest import ingest
from extractor.validate import validate
from schemas.extraction import (
    Budget,
    ReportExtraction,
    StatementRow,
    StatementTable,
    ThreePublic,
    ThreePublicAmounts,
)
from tests.conftest import pdf, seed
from tests.test_validate_sums import finance_expenditure_table

D = Decimal


@pytest.fixture(scope="module")
def finance_doc():
    return ingest(pdf("putuo-finance-2024-final-accounts"))


@pytest.fixture(scope="module")
def defects_doc():
    return ingest(pdf("putuo-finance-2024-final-accounts-defects"))


def _rules(extraction: ReportExtraction, rule: str, doc=None):
    return [f for f in validate(extraction, doc).flags if f.rule == rule]


def _finance(budget: Budget) -> ReportExtraction:
    return ReportExtraction(budget=budget, tables=[finance_expenditure_table()])


def test_budget_amounts_agree_with_the_expenditure_table():
    budget = Budget(spent=D("2940.05"), basic=D("2336.91"), project=D("603.14"))
    assert _rules(_finance(budget), "text_table_mismatch") == []
    budget.project = D("630.14")
    (flag,) = _rules(_finance(budget), "text_table_mismatch")
    assert flag.path == "budget.project" and flag.related == ["tables[0].rows[0].values.项目支出"]
    assert "630.14" in flag.message and "603.14" in flag.message


def test_amount_ten_thousand_times_the_table_is_a_unit_anomaly():
    extraction = _finance(Budget(spent=D("29400500")))
    flags = _rules(extraction, "unit_anomaly")
    assert {f.path for f in flags} == {"budget.spent"}
    assert any("一万倍" in f.message for f in flags) and any("100 亿元" in f.message for f in flags)
    assert _rules(extraction, "text_table_mismatch") == []


def test_table_in_yuan_is_converted_before_comparing():
    table = StatementTable(title="支出决算表", unit="元", columns=["合计"],
                           rows=[StatementRow(name="合计", values={"合计": D("29400500.00")})])
    assert validate(ReportExtraction(budget=Budget(spent=D("2940.05")), tables=[table])).flags == []


def test_implausibly_large_budget_amount():
    (flag,) = _rules(ReportExtraction(budget=Budget(initial=D("86959408.34"))), "unit_anomaly")
    assert flag.path == "budget.initial" and "100 亿元" in flag.message


def test_three_public_against_its_table():
    rows = [StatementRow(name="合计", values={"预算数": D("0.95"), "决算数": None}),
            StatementRow(name="公务接待费", values={"预算数": D("0.95"), "决算数": None})]
    table = StatementTable(title="财政拨款“三公”经费支出决算表", unit="万元", columns=["预算数", "决算数"], rows=rows)
    three = ThreePublic(budget=ThreePublicAmounts(total=D("0.95"), reception=D("0.95")),
                        actual=ThreePublicAmounts(total=D("0.00"), reception=D("0.00")))
    assert _rules(ReportExtraction(three_public=three, tables=[table]), "text_table_mismatch") == []
    three.actual.reception = D("0.59")
    (flag,) = _rules(ReportExtraction(three_public=three, tables=[table]), "text_table_mismatch")
    assert flag.path == "three_public.actual.reception"


def test_narrative_totals_against_printed_tables_in_the_defects_pdf(defects_doc):
    flags = _rules(ReportExtraction(), "text_table_mismatch", defects_doc)
    messages = " | ".join(f.message for f in flags)
    assert len(flags) == 2, messages
    assert "收入支出总计0万元" in messages and "2,995.39" in messages          # planted: 总计 0 in the text
    assert "年初预算为0.95万元" in messages and "表中 空" in messages           # planted: 三公 table emptied
    assert any(f.path == "three_public.budget.total" for f in flags)


def test_original_finance_pdf_has_one_real_narrative_error(finance_doc):
    """The published original prints '财政拨款收入支出总计0.3万元' against the table's 2,961.68."""
    flags = _rules(ReportExtraction(), "text_table_mismatch", finance_doc)
    assert len(flags) == 1
    assert "0.3万元" in flags[0].message and "2,961.68" in flags[0].message
    assert _rules(ReportExtraction(), "unit_anomaly", finance_doc) == []


def test_yuan_among_wan_in_seed_004_text():
    doc = ingest(seed("004"))
    extraction = ReportExtraction(three_public=ThreePublic(actual=ThreePublicAmounts(total=D("5.07"))))
    flags = _rules(extraction, "unit_anomaly", doc)
    messages = " | ".join(f.message for f in flags)
    assert "决算数5.07元" in messages and "货物296.49元" in messages and "净资产1604.99元" in messages
    assert next(f for f in flags if "5.07元" in f.message).path == "three_public.actual.total"
    assert all(f.severity == "warning" for f in flags)
