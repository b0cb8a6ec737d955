"""ungrounded: a numeric value's quote must occur in the document's text (real PDF through ingest)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.ingest import ingest
from extractor.validate import validate
from schemas.extraction import Budget, Evidence, Flag, ReportExtraction
from tests.conftest import pdf


@pytest.fixture(scope="module")
def finance_doc():
    return ingest(pdf("putuo-finance-2024-final-accounts"))


def _extraction(quote: str, page: int | None = 21) -> ReportExtraction:
    return ReportExtraction(budget=Budget(spent=Decimal("2940.05")),
                            evidence={"budget.spent": Evidence(page=page, quote=quote, confidence=1.0)})


def test_quote_found_across_line_breaks(finance_doc):
    # p.21 prints '本年支出合计2940.05万元，其中：基本支出2336.91万元' with a line break inside
    extraction = _extraction("本年支出合计2940.05万元")
    assert [f for f in validate(extraction, finance_doc).flags if f.rule == "ungrounded"] == []


def test_quote_not_in_the_document_is_flagged(finance_doc):
    flags = [f for f in validate(_extraction("本年支出合计2904.05万元"), finance_doc).flags if f.rule == "ungrounded"]
    not_found = [f for f in flags if "找不到" in f.message]
    not_printed = [f for f in flags if "不是出处" in f.message]
    assert len(not_found) == 1 and len(not_printed) == 1
    assert not_found[0].path == "budget.spent" and "2904.05" in not_found[0].message
    assert all(f.severity == "warning" for f in flags)


def test_no_document_no_grounding_check():
    assert validate(_extraction("anything")).flags == []


def test_engine_flag_is_kept_and_not_doubled(finance_doc):
    extraction = _extraction("not printed anywhere 2940.05")
    extraction.flags.append(Flag(path="budget.spent", rule="ungrounded", message="engine: quote not found"))
    flags = [f for f in validate(extraction, finance_doc).flags if f.rule == "ungrounded"]
    assert [f.message for f in flags] == ["engine: quote not found"]


def test_value_must_be_printed_in_its_quote():
    from extractor.validate.grounding import value_in_quote

    assert value_in_quote(Decimal("22118861"), "22,118,861") is True
    assert value_in_quote(Decimal("22118861.34"), "22,118,861") is False          # completed, not read
    assert value_in_quote(Decimal("2211.8861"), "22,118,861") is True             # 元 read into 万元
    assert value_in_quote(Decimal("14344.12"), "14, 344, 12") is True             # OCR spacing repaired
    assert value_in_quote(30, "公务员编制数12人，机关后勤编制数1人，事业编制数17人") is True  # a printed sum
    assert value_in_quote(Decimal("99.93"), "执行率 99.93%") is True
    assert value_in_quote(Decimal("5"), "全年预算数") is None


def test_completed_value_flagged_without_the_document():
    extraction = ReportExtraction(budget=Budget(basic=Decimal("2211.886134")), evidence={
        "budget.basic": Evidence(page=12, quote="22,118,861", confidence=1.0)})
    checked = validate(extraction)
    (flag,) = checked.flags
    assert flag.rule == "ungrounded" and flag.path == "budget.basic" and "22,118,861" in flag.message
    assert checked.evidence["budget.basic"].confidence == 0.45  # 0.9 (input kind unknown) × 0.5
