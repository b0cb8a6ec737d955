"""三公经费 rules: narrative sentences, the statement table and the basic-data form."""

from decimal import Decimal

from extractor.extract.rules.statements import extract_tables
from extractor.extract.rules.three_public import extract_three_public
from extractor.ingest import ingest
from tests.conftest import pdf, seed


def _three_public(source):
    doc = ingest(source)
    tables, table_evidence, _ = extract_tables(doc)
    return extract_three_public(doc, tables, table_evidence)


def test_narrative_with_a_unit_typo_seed_004():
    result, evidence, flags = _three_public(seed("004"))
    assert result.budget.total == Decimal("5.07") and result.budget.reception == Decimal("5.07")
    assert result.budget.overseas == Decimal("0.00")
    # '公务用车购置及运行维护费0.00万元' is one combined figure: zero, so both parts are zero.
    assert result.budget.vehicle_purchase == Decimal("0.00") == result.budget.vehicle_operation
    # '“三公”经费决算数5.07元' among 万元 figures it equals: read as 万元 and flagged.
    assert result.actual.total == Decimal("5.07")
    assert any(f.rule == "unit_anomaly" and f.path == "three_public.actual.total" for f in flags)
    assert result.actual.vehicle_purchase is None  # the 决算 sentence names only 运行维护费
    assert result.actual.vehicle_operation == Decimal("0.00")
    assert "决算数5.07元" in evidence["three_public.actual.total"].quote.replace(" ", "")


def test_item_sentences_seed_002():
    result, _, _ = _three_public(seed("002"))
    for side in (result.budget, result.actual):
        assert side.total == Decimal("0.27") and side.reception == Decimal("0.27")
        assert side.overseas == Decimal("0") and side.vehicle_purchase == Decimal("0")


def test_basic_data_form_seed_000():
    result, evidence, _ = _three_public(seed("000"))
    assert result.budget.reception == Decimal("0.5")  # column 2024年预算数
    assert result.actual.reception == Decimal("0.24")  # column 2024年决算数, not 2023's 6.59
    assert result.budget.total is None and result.actual.overseas is None
    assert evidence["three_public.actual.reception"].quote == "0.24"


def test_pdf_table_and_narrative():
    result, _, _ = _three_public(pdf("putuo-finance-2024-final-accounts"))
    assert result.budget.total == Decimal("0.95") and result.budget.reception == Decimal("0.95")
    assert result.budget.overseas is None
    assert result.actual.total == Decimal("0.00") and result.actual.vehicle_operation == Decimal("0.00")
    result, evidence, _ = _three_public(pdf("putuo-justice-2026-dept-budget"))
    assert (result.budget.total, result.budget.vehicle_operation, result.budget.reception) == (
        Decimal("10.81"), Decimal("9.98"), Decimal("0.83"))
    assert result.actual.total is None
    found = evidence["three_public.budget.vehicle_operation"]
    assert found.page == 22 and "运行费9.98万元" in found.quote
