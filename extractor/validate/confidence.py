"""Evidence-based confidence for each value: never a model's self-report.

    confidence = clamp((base × grounding × 0.6^failed × ocr_repair, raised by passes and agreement) × distrusted)

- base: the OCR confidence of the words inside the value's box (the page's mean OCR confidence when
  there is no box); 1.0 for a text layer; 0.9 for input that was already OCR'd text; without the
  document, by `source.input_kind`: pdf_text 1.0, text 0.9, pdf_scanned 0.85.
- grounding: 1.0 when the quote is found in the document (or the document is not given and a quote
  exists), 0.5 when the quote is not found, 0.8 when the value has no quote; × 0.5 more when the
  quote does not print the value (a completed or computed figure).
- failed: number of failed checks that involve the value (as the flagged value or a related one).
- ocr_repair: × 0.9 when an engine flagged the value as repaired OCR text.
- distrusted: × 0.3 when an engine flagged the value as an error for its source (`ungrounded`,
  `prompt_injection`): what the engine could not tie to the document stays low whatever else holds.
- each passed identity involving the value (at most 3) moves it 10 % of the way to 1.0; only checks
  that tie two or more values together count (sums, rates, a figure read twice), not range checks.
- a second engine's reading (ValidateOptions.other): equal value moves it 30 % of the way to 1.0,
  a different value multiplies it by 0.7.

The result is rounded to 3 decimals; the formula only reads its inputs, so validating twice gives the
same confidences.
"""

from __future__ import annotations

from collections import Counter

from extractor.validate.checks import CheckOutcome, ValidationContext
from extractor.validate.grounding import numeric_values, quote_found, value_in_quote
from schemas.document import BBox, Page
from schemas.extraction import Evidence
from schemas.paths import iter_values

FAIL_FACTOR = 0.6
PASS_STEP = 0.1
MAX_PASSES = 3
AGREE_STEP = 0.3
DISAGREE_FACTOR = 0.7
OCR_REPAIR_FACTOR = 0.9
NOT_IN_QUOTE_FACTOR = 0.5
DISTRUSTED_FACTOR = 0.3
DISTRUST_RULES = frozenset({"ungrounded", "prompt_injection"})
CORROBORATING_RULES = frozenset({
    "code_sum", "subtotal_sum", "row_identity", "execution_rate", "basic_plus_project", "three_public_sum",
    "weights_sum", "text_table_mismatch"})
_KIND_BASE = {"pdf_text": 1.0, "text": 0.9, "pdf_scanned": 0.85}


def update_confidences(ctx: ValidationContext, outcomes: list[CheckOutcome]) -> dict[str, Evidence]:
    """A copy of the extraction's evidence with each confidence recomputed from the evidence."""
    failed: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for result in outcomes:
        if result.rule == "ungrounded":
            continue
        if result.passed and (result.rule not in CORROBORATING_RULES or len(result.paths) < 2):
            continue
        for path in result.paths:
            (passed if result.passed else failed)[path] += 1
    repaired = {f.path for f in ctx.extraction.flags if f.rule == "ocr_repair"}
    distrusted = {f.path for f in ctx.extraction.flags if f.rule in DISTRUST_RULES and f.severity == "error"}
    other = dict(iter_values(ctx.options.other)) if ctx.options.other is not None else None
    mine = dict(iter_values(ctx.extraction)) if other is not None else {}
    numbers = numeric_values(ctx)
    updated: dict[str, Evidence] = {}
    for path, evidence in ctx.extraction.evidence.items():
        c = _base(ctx, evidence) * _grounding(ctx, evidence) * FAIL_FACTOR ** failed[path]
        if path in numbers and evidence.quote and value_in_quote(numbers[path], evidence.quote) is False:
            c *= NOT_IN_QUOTE_FACTOR
        if path in repaired:
            c *= OCR_REPAIR_FACTOR
        for _ in range(min(passed[path], MAX_PASSES)):
            c += (1 - c) * PASS_STEP
        if other is not None and path in other:
            c = c + (1 - c) * AGREE_STEP if mine.get(path) == other[path] else c * DISAGREE_FACTOR
        if path in distrusted:  # last, so that passed checks cannot lift it again
            c *= DISTRUSTED_FACTOR
        updated[path] = evidence.model_copy(update={"confidence": round(min(max(c, 0.0), 1.0), 3)})
    return updated


def _base(ctx: ValidationContext, evidence: Evidence) -> float:
    if ctx.doc is None:
        kind = ctx.extraction.source.input_kind if ctx.extraction.source else None
        return _KIND_BASE.get(kind, 0.9)
    if ctx.doc.source.input_kind == "text":
        return _KIND_BASE["text"]
    page = next((p for p in ctx.doc.pages if p.number == evidence.page), None)
    if page is None or page.ocr_confidence is None:
        return 1.0
    return _words_confidence(page, evidence.bbox) or page.ocr_confidence


def _words_confidence(page: Page, bbox: BBox | None) -> float | None:
    if bbox is None:
        return None
    x0, y0, x1, y1 = bbox
    inside = [w.confidence for w in page.words if w.confidence is not None
              and x0 <= (w.bbox[0] + w.bbox[2]) / 2 <= x1 and y0 <= (w.bbox[1] + w.bbox[3]) / 2 <= y1]
    return sum(inside) / len(inside) if inside else None


def _grounding(ctx: ValidationContext, evidence: Evidence) -> float:
    if not evidence.quote:
        return 0.8
    if ctx.doc is None:
        return 1.0
    return 1.0 if quote_found(ctx, evidence.quote, evidence.page) else 0.5
