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
    (flag,) = [f for f in validate(_extraction("本年支出合计2904.05万元"), finance_doc).flags
               if f.rule == "ungrounded"]
    assert flag.path == "budget.spent" and "2904.05" in flag.message and flag.severity == "warning"


def test_no_document_no_grounding_check():
    assert validate(_extraction("anything")).flags == []


def test_engine_flag_is_kept_and_not_doubled(finance_doc):
    extraction = _extraction("not printed anywhere")
    extraction.flags.append(Flag(path="budget.spent", rule="ungrounded", message="engine: quote not found"))
    flags = [f for f in validate(extraction, finance_doc).flags if f.rule == "ungrounded"]
    assert [f.message for f in flags] == ["engine: quote not found"]
