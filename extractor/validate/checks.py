"""What every rule shares: the context it reads, the outcome it reports, tolerances and number formatting.

A rule is a function `(ValidationContext) -> Iterable[CheckOutcome]`. It reports every check it ran,
passed or failed, with the value paths the check involved: failed checks become flags, and both kinds
feed the evidence-based confidence (see extractor/validate/confidence.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from pydantic import BaseModel, Field

from schemas.document import Document
from schemas.extraction import Flag, ReportExtraction, Severity

CENT = Decimal("0.01")
"""Rounding allowance per printed amount: every amount is printed to at most 0.01 of its unit."""

PERCENT_SLACK = Decimal("0.01")
"""Allowance for a printed percentage, in percentage points."""


class ValidateOptions(BaseModel):
    """Per-run choices for validation."""

    other: ReportExtraction | None = Field(
        None, description="a second engine's reading of the same document; agreement raises confidence")
    weight_totals: list[Decimal] = Field(
        default_factory=lambda: [Decimal(100), Decimal(90)],
        description="accepted sums of indicator weights: 100, or 90 when 预算执行率 (10 分) sits outside the table")


@dataclass(frozen=True)
class CheckOutcome:
    """One check a rule ran. `flag` is None when it passed."""

    rule: str
    paths: tuple[str, ...]
    flag: Flag | None = None
    tolerance: Decimal | None = field(default=None, compare=False)
    """the largest difference the check accepts, in the unit of its values (for the flag benchmark)"""

    @property
    def passed(self) -> bool:
        return self.flag is None


@dataclass
class ValidationContext:
    extraction: ReportExtraction
    doc: Document | None
    options: ValidateOptions

    @cached_property
    def doc_text(self) -> str:
        """The document's text with all whitespace removed and full-width digits made half-width."""
        return compact(self.doc.text) if self.doc is not None else ""

    @cached_property
    def page_texts(self) -> list[tuple[int, str]]:
        """(1-based page number, compacted text) for each page."""
        if self.doc is None:
            return []
        return [(page.number, compact(page.text)) for page in self.doc.pages]

    @cached_property
    def page_words(self) -> dict[int, str]:
        """Page number -> the page's words joined in reading order, compacted (a second place to find quotes)."""
        if self.doc is None:
            return {}
        return {page.number: compact("".join(w.text for w in page.words)) for page in self.doc.pages}

    quotes_found: dict[tuple[str, int | None], bool] = field(default_factory=dict)
    """memo of grounding look-ups: the rule and the confidence ask the same questions"""


Rule = Callable[[ValidationContext], Iterable[CheckOutcome]]

_FULL_WIDTH = tuple(zip("０１２３４５６７８９．，％－：", "0123456789.,%-:", strict=True))
_SPACE = re.compile(r"\s+")


def compact(text: str) -> str:
    """Text without whitespace, digits and number punctuation half-width: how quotes are matched."""
    text = _SPACE.sub("", text)
    for wide, narrow in _FULL_WIDTH:
        if wide in text:
            text = text.replace(wide, narrow)
    return text


def fmt(value: Decimal | None) -> str:
    """An amount as a reviewer reads it: thousands separators, at least two decimals; 空 for None."""
    if value is None:
        return "空"
    if value == value.to_integral_value() or value.as_tuple().exponent >= -2:
        return f"{value:,.2f}"
    return f"{value.normalize():,f}"


def fmt_pct(value: Decimal) -> str:
    """A percentage with at least two decimals; a printed rate's further digits are kept (95.125%), so a
    computed rate is quantized by its caller."""
    if value == value.to_integral_value() or value.as_tuple().exponent >= -2:
        return f"{value:.2f}%"
    return f"{value.normalize():f}%"


def amount(value: Decimal | int | None) -> Decimal:
    """A blank cell counts as zero in a sum."""
    return Decimal(0) if value is None else Decimal(value)


def sum_tolerance(n_operands: int) -> Decimal:
    """Rounding allowance for an identity over n printed amounts (items and total): 0.01 each."""
    return CENT * max(n_operands, 1)


def outcome(rule: str, paths: Iterable[str], failed: bool, *, message: str, severity: Severity = "error",
            tolerance: Decimal | None = None) -> CheckOutcome:
    """A passed check, or a failed one whose flag sits on the first path and names the others as related."""
    paths = tuple(dict.fromkeys(paths))
    flag = None
    if failed:
        flag = Flag(path=paths[0], rule=rule, severity=severity, message=message, related=list(paths[1:]))
    return CheckOutcome(rule=rule, paths=paths, flag=flag, tolerance=tolerance)
