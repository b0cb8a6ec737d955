"""Evidence-based confidence: base from the input kind / OCR words, grounding, checks, agreement."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.ingest import ingest
from extractor.validate import ValidateOptions, validate
from schemas.document import Document, Page, SourceInfo, Word
from schemas.extraction import Budget, Evidence, Flag, ReportExtraction
from tests.conftest import pdf

D = Decimal


def _budget_extraction(kind: str = "pdf_text", **changes) -> ReportExtraction:
    values = dict(adjusted=D("1430.40"), spent=D("1429.40"), execution_rate=D("99.93"), basic=D("310.69"),
                  project=D("1118.71"))
    values.update(changes)
    evidence = {f"budget.{k}": Evidence(page=1, quote=str(v), confidence=0.5) for k, v in values.items()}
    evidence["budget.initial"] = Evidence(page=1, quote=None, confidence=0.5)
    return ReportExtraction(source=SourceInfo(file="x", sha256="0", pages=1, input_kind=kind),
                            budget=Budget(initial=D("440.43"), **values), evidence=evidence)


def _confidence(extraction, path, doc=None, options=None):
    return validate(extraction, doc, options).evidence[path].confidence


def test_passed_checks_raise_and_failed_checks_lower():
    good = _budget_extraction()
    # spent takes part in two passing checks (rate, basic + project): 1.0 stays 1.0
    assert _confidence(good, "budget.spent") == 1.0
    bad = _budget_extraction(project=D("1181.71"))
    assert _confidence(bad, "budget.project") < 0.7
    assert _confidence(bad, "budget.adjusted") > _confidence(bad, "budget.project")


def test_base_by_input_kind_and_missing_quote():
    ocr_text = _budget_extraction(kind="text")
    assert _confidence(ocr_text, "budget.initial") == pytest.approx(0.72)  # 0.9 × 0.8 (no quote)
    assert 0.9 < _confidence(ocr_text, "budget.spent") < 1.0                # 0.9 raised by two passed checks


def test_never_the_engines_self_report_and_stable_when_validated_twice():
    extraction = _budget_extraction()
    once = validate(extraction)
    twice = validate(once)
    assert {p: e.confidence for p, e in once.evidence.items()} == {p: e.confidence for p, e in twice.evidence.items()}
    assert once.evidence["budget.adjusted"].confidence != 0.5


def test_ocr_word_confidence_inside_the_box():
    page = Page(number=1, width=600, height=800, text="全年执行数 1429.40", ocr_confidence=0.95,
                words=[Word(text="1429.40", bbox=(100, 100, 160, 112), confidence=0.6)])
    doc = Document(source=SourceInfo(file="x.pdf", sha256="0", pages=1, input_kind="pdf_scanned"), pages=[page])
    extraction = ReportExtraction(budget=Budget(spent=D("1429.40")), evidence={
        "budget.spent": Evidence(page=1, bbox=(90, 95, 170, 115), quote="1429.40", confidence=0.99)})
    assert _confidence(extraction, "budget.spent", doc) == pytest.approx(0.6)
    extraction.flags.append(Flag(path="budget.spent", rule="ocr_repair", message="spaces removed"))
    assert _confidence(extraction, "budget.spent", doc) == pytest.approx(0.54)


def test_quote_not_found_halves_confidence():
    doc = ingest(pdf("putuo-finance-2024-final-accounts"))
    extraction = ReportExtraction(budget=Budget(initial=D("2993.92")), evidence={
        "budget.initial": Evidence(page=21, quote="年初预算为2993.92万元", confidence=1.0)})
    assert _confidence(extraction, "budget.initial", doc) == 1.0
    extraction.evidence["budget.initial"].quote = "预算总额2993.92万元"   # the value, but not this text
    assert _confidence(extraction, "budget.initial", doc) == 0.5
    extraction.evidence["budget.initial"].quote = "年初预算为2999.32万元"  # neither found nor the value
    assert _confidence(extraction, "budget.initial", doc) == 0.25


def test_agreement_of_a_second_engine():
    mine = _budget_extraction(kind="text")
    same = ValidateOptions(other=_budget_extraction(kind="text"))
    other = _budget_extraction(kind="text")
    other.budget.initial = D("404.43")
    different = ValidateOptions(other=other)
    alone = _confidence(mine, "budget.initial")
    assert _confidence(mine, "budget.initial", options=same) > alone
    assert _confidence(mine, "budget.initial", options=different) == pytest.approx(alone * 0.7, abs=1e-3)


@pytest.mark.parametrize("rule", ["ungrounded", "prompt_injection"])
def test_an_engine_error_on_a_value_keeps_its_confidence_low(rule):
    extraction = _budget_extraction()
    before = _confidence(extraction, "budget.adjusted")
    extraction.flags.append(Flag(path="budget.adjusted", rule=rule, severity="error", message="quote not in source"))
    assert _confidence(extraction, "budget.adjusted") == pytest.approx(before * 0.3, abs=0.002)
    assert _confidence(extraction, "budget.adjusted") < 0.35
