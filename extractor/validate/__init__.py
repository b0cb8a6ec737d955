"""Validation: named rules turn failed identities into flags a reviewer can act on, and every value's
confidence is rebuilt from its evidence (see extractor/validate/confidence.py for the formula).

    validate(extraction, doc=None, options=None) -> ReportExtraction

Rules, one module per family:
- sums.py: `code_sum` (parent 科目 = Σ children), `subtotal_sum` (合计/小计/总计 = Σ its rows)
- identities.py: `row_identity` (合计 = 基本支出 + 项目支出 + …, 收入总计 = 支出总计 …)
- amounts.py: `execution_rate`, `basic_plus_project`, `three_public_sum`, `negative_value`
- scores.py: `score_range`, `grade_band`, `indicator_score`, `weights_sum`, `project_score`
- crosscheck.py: `text_table_mismatch`, `unit_anomaly`
- narrative.py (needs doc): `text_comparison`, `year_mismatch`, `placeholder_text`, `missing_table`,
  `numbering_order`, `stray_punctuation`
- grounding.py: `ungrounded` (quote not in the document, needs doc; quote not printing the value)

Severity: `error` for a broken identity or a contradiction between two readings (in `auto` mode an
error on a task's fields makes the pipeline ask the LLM engine too); `warning` for what a reviewer
should check but an engine cannot fix (a document's own wording, a value completed from others, weights
that sum to an unusual total, the seeds' 得分 ≠ 分值 × 执行率); `info` for cosmetics (stray 。).
Document-level findings sit on `source`.

Tolerances are rounding-aware: 0.01 (in the table's unit) per printed amount taking part in a sum;
percentages 0.01 pp plus what rounding the operands to 0.01 can move them.
"""

from __future__ import annotations

from extractor.validate import amounts, crosscheck, grounding, identities, narrative, scores, sums
from extractor.validate.checks import CheckOutcome, Rule, ValidateOptions, ValidationContext
from extractor.validate.confidence import update_confidences
from schemas.document import Document
from schemas.extraction import Flag, ReportExtraction

__all__ = ["ARITHMETIC_RULES", "OWN_RULES", "ValidateOptions", "run_checks", "validate"]

RULES: tuple[Rule, ...] = (
    sums.check_code_sums,
    sums.check_subtotals,
    identities.check_row_identities,
    amounts.check_execution_rates,
    amounts.check_basic_plus_project,
    amounts.check_three_public,
    amounts.check_negative_values,
    scores.check_score_range,
    scores.check_grade_band,
    scores.check_indicator_scores,
    scores.check_weights_sum,
    scores.check_project_scores,
    crosscheck.check_amounts_against_tables,
    crosscheck.check_narrative_against_tables,
    crosscheck.check_implausible_amounts,
    crosscheck.check_yuan_in_wan_text,
    narrative.check_text_comparisons,
    narrative.check_years,
    narrative.check_placeholders,
    narrative.check_listed_tables,
    narrative.check_numbering,
    narrative.check_stray_punctuation,
    grounding.check_grounding,
    grounding.check_quoted_values,
)

ARITHMETIC_RULES = frozenset({
    "code_sum", "subtotal_sum", "row_identity", "execution_rate", "basic_plus_project", "three_public_sum",
    "score_range", "grade_band", "indicator_score", "weights_sum", "project_score", "negative_value"})
"""Rules that check printed numbers against each other."""

OWN_RULES = ARITHMETIC_RULES | {
    "text_table_mismatch", "unit_anomaly", "text_comparison", "year_mismatch", "placeholder_text",
    "missing_table"}
"""Rules whose flags validate() recomputes; `ungrounded` is shared with the engines and only added to."""

DOCUMENT_RULES = frozenset({
    "text_table_mismatch", "unit_anomaly", "text_comparison", "year_mismatch", "placeholder_text",
    "missing_table", "project_score"})
"""Rules that (at least partly) read the document's text: without the document their flags stand as they
were, since a rule that cannot run has not found the problem gone (the review store revalidates a
correction without re-reading the file)."""


def run_checks(extraction: ReportExtraction, doc: Document | None = None,
               options: ValidateOptions | None = None) -> list[CheckOutcome]:
    """Every check every rule ran, passed or failed (the flag benchmark reads the passed ones too)."""
    ctx = ValidationContext(extraction=extraction, doc=doc, options=options or ValidateOptions())
    return [result for rule in RULES for result in rule(ctx)]


def validate(extraction: ReportExtraction, doc: Document | None = None,
             options: ValidateOptions | None = None) -> ReportExtraction:
    """A copy of `extraction` with the validators' flags recomputed and evidence confidences updated.

    The copy has its own flag list and evidence dict (new Evidence objects); the values themselves are
    shared with `extraction`, which is left unchanged.

    Flags of other rules (the engines' ocr_repair, ungrounded, missing_rows, unfilled …) are kept;
    an `ungrounded` flag is added for a quote not found in `doc` unless one already names that path.
    """
    # Only flags and evidence change: the values are shared with the input, which is never modified.
    checked = extraction.model_copy(update={"flags": list(extraction.flags), "evidence": dict(extraction.evidence)})
    ctx = ValidationContext(extraction=checked, doc=doc, options=options or ValidateOptions())
    outcomes = [result for rule in RULES for result in rule(ctx)]
    recomputed = OWN_RULES if doc is not None else OWN_RULES - DOCUMENT_RULES
    kept = [f for f in checked.flags if f.rule not in recomputed]
    seen = {(f.rule, f.path, f.message) for f in kept}
    ungrounded = {f.path for f in kept if f.rule == "ungrounded"}
    new: list[Flag] = []
    for result in outcomes:
        flag = result.flag
        if flag is None or (flag.rule, flag.path, flag.message) in seen:
            continue
        if flag.rule == "ungrounded" and flag.path in ungrounded:
            continue
        seen.add((flag.rule, flag.path, flag.message))
        new.append(flag)
    checked.flags = kept + new
    checked.evidence = update_confidences(ctx, outcomes)
    return checked
