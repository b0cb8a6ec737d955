"""How gold and predicted values are compared: strings normalised, numbers within a tolerance."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

_ENUMERATOR = re.compile(
    r"^\s*(?:[(（]?[一二三四五六七八九十]+[)）、.．]|[(（]\d+[)）]|\d+[、.．)）](?!\d)|[①-⑳]|第[一二三四五六七八九十]+[部分条项]?)\s*")
_TRAILING_PUNCT = re.compile(r"[。；;，,、.\s]+$")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def normalize_text(value: str) -> str:
    """NFKC, no whitespace, no leading enumerator (一、 1、 (一)), no trailing punctuation."""
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"\s+", "", text)
    previous = None
    while previous != text:
        previous, text = text, _ENUMERATOR.sub("", text, count=1)
    return _TRAILING_PUNCT.sub("", text)


def as_decimal(value: Any) -> Decimal | None:
    """A number from a JSON number or a decimal string; None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).replace(",", "").strip()
        if _NUMBER.match(text):
            try:
                return Decimal(text)
            except InvalidOperation:
                return None
    return None


class Tolerances:
    """Absolute numeric tolerance, with per-path overrides given as patterns (`tables[*].rows[*].values.*`).

    In a pattern `*` stands for any text within one path segment (it never crosses a dot).
    """

    def __init__(self, default: Decimal = Decimal("0.01"), overrides: dict[str, Decimal] | None = None):
        self.default = default
        self.overrides = [(_path_pattern(p), tolerance) for p, tolerance in (overrides or {}).items()]

    def for_path(self, path: str) -> Decimal:
        for pattern, tolerance in self.overrides:
            if pattern.fullmatch(path):
                return tolerance
        return self.default


def _path_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", r"[^.]*"))


def values_equal(gold: Any, pred: Any, tolerance: Decimal) -> bool:
    """Numbers within tolerance when both sides are numbers, else normalised text equality."""
    if gold is None or pred is None:
        return gold is None and pred is None
    gold_number, pred_number = as_decimal(gold), as_decimal(pred)
    if gold_number is not None and pred_number is not None:
        return abs(gold_number - pred_number) <= tolerance
    return normalize_text(str(gold)) == normalize_text(str(pred))


def similarity(a: str | None, b: str | None) -> float:
    """Character-level similarity of two normalised texts in [0, 1]."""
    from difflib import SequenceMatcher

    if not a or not b:
        return 0.0
    left, right = normalize_text(a), normalize_text(b)
    if left == right:
        return 1.0
    return SequenceMatcher(None, left, right, autojunk=False).ratio()
