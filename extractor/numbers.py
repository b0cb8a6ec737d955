"""Read one printed number the way these reports print it, OCR noise included, without ever using float.

`parse_number` takes the text of one cell or one value token (not a sentence) and returns a
ParsedNumber, or None when the text holds no number or cannot be read without guessing:

- `3, 042. 92`, `1. 16`: spaces that OCR put beside separators are removed (noted).
- `14, 344, 12`: thousand groups whose last group has one or two digits; the last comma was a
  decimal point (noted). `1,100.265,538.67` (two cells read as one) and `467. 89 467. 89` (two
  numbers) give None.
- `１２３．４５`, `，`: full-width digits and separators made half-width (noted); a full-width `％`
  is ordinary typesetting and not noted.
- `≥ 99 %`, `90%以上`, `≤1430.4 万元`: the comparator is kept apart, the unit is kept.
- `-`, `—`, `－`, empty: None, a dash means "no value".
- `(123.45)`: None. In these reports a number in parentheses is list numbering ((5), (20)),
  not an accounting negative; negatives are printed with a minus sign.

Every repair sets `repaired=True` and says in `note` what was assumed. `parse_unit` reads the
unit from a header such as `单位：万元` or `金额单位：元`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field


class ParsedNumber(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: Decimal = Field(description="the number as printed, sign included, scale kept (458.70 stays 458.70)")
    is_percent: bool = Field(False, description="printed with %; value is in percent (99.93 for 99.93%)")
    unit: str | None = Field(None, description="unit printed with the number: 元, 万元, 人, %, 元/人/月 ...")
    comparator: str | None = Field(None, description="≥, ≤, >, < or ≈ printed before (or 以上/以下 after) the number")
    repaired: bool = Field(False, description="True when OCR noise was repaired to read the number")
    note: str | None = Field(None, description="what was assumed in the repair, for a reviewer")


_DASHES = "-—－–―‐−"
_NO_VALUE = re.compile(rf"^[{_DASHES}]*$")

# Comparators as printed before a number, mapped to one symbol each.
_PREFIX_COMPARATORS: dict[str, str] = {
    ">=": "≥", "<=": "≤", "≥": "≥", "≤": "≤", "≧": "≥", "≦": "≤", "⩾": "≥", "⩽": "≤",
    ">": ">", "<": "<", "≈": "≈", "约": "≈",
    "不低于": "≥", "不少于": "≥", "不小于": "≥", "大于等于": "≥",
    "不超过": "≤", "不高于": "≤", "不多于": "≤", "不大于": "≤", "小于等于": "≤",
    "超过": ">", "高于": ">", "大于": ">", "多于": ">", "低于": "<", "小于": "<", "少于": "<",
}
# OCR reads ≤ / ≥ as the look-alike ≪ / ≫ (seen in the seeds: `≪48 小时` beside `≤48 小时`).
_CONFUSED_COMPARATORS: dict[str, str] = {"≪": "≤", "≫": "≥"}
# Printed after the number; in Chinese usage 以上 / 以下 / 以内 include the number itself.
_SUFFIX_COMPARATORS: dict[str, str] = {"及以上": "≥", "以上": "≥", "及以下": "≤", "以下": "≤", "以内": "≤"}

_BASE_UNITS = frozenset({
    "%", "‰",
    "元", "万元", "千元", "百万元", "亿元", "万亿元", "万", "亿",
    "人", "人次", "万人", "万人次", "名", "户", "万户", "家", "个", "件", "场", "场次", "次", "项", "份",
    "张", "套", "台", "辆", "本", "期", "批", "批次", "篇", "条", "所", "座", "间", "处", "册", "班", "课时",
    "学时", "天", "日", "小时", "分钟", "个月", "分", "平方米", "㎡", "m²", "m2", "亩", "公里", "千米", "米",
    "吨", "千瓦时",
})
_PER_UNITS = frozenset({"人", "月", "年", "天", "日", "次", "户", "件", "小时", "平方米", "㎡", "个", "场", "人次"})

_LEADING = re.compile(r"^(?P<sign>[-+−—–])?(?P<body>\d[\d\s,.]*)(?P<rest>.*)$", re.S)
_SPACE = re.compile(r"\s+")
_SPACE_AT_SEPARATOR = re.compile(r"\s*([,.])\s*")
_TRAILING_PUNCTUATION = "。；;、"
# Full-width forms inside the number itself are noted; a full-width ％ or （ is ordinary Chinese typesetting.
_FULL_WIDTH_NUMERIC = frozenset("０１２３４５６７８９，．－＋")

_UNIT_HEADER = re.compile(r"单位\s*[:：]\s*")
_HEADER_UNITS = ("百万元", "万亿元", "亿元", "千元", "万元", "元", "万人次", "人次", "万人", "人", "户", "个", "%")


def _half_width(text: str) -> str:
    """Full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space made half-width."""
    return "".join(
        chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else (" " if ch == "\u3000" else ch)
        for ch in text
    )


def _take_prefix_comparator(text: str, notes: list[str]) -> tuple[str | None, str]:
    for printed, symbol in sorted(_PREFIX_COMPARATORS.items(), key=lambda kv: -len(kv[0])):
        if text.startswith(printed):
            return symbol, text[len(printed):].lstrip()
    for printed, symbol in _CONFUSED_COMPARATORS.items():
        if text.startswith(printed):
            notes.append(f"{printed} read as {symbol}")
            return symbol, text[len(printed):].lstrip()
    return None, text


def _take_suffix_comparator(rest: str) -> tuple[str | None, str]:
    for printed, symbol in _SUFFIX_COMPARATORS.items():
        if rest.endswith(printed):
            return symbol, rest[: -len(printed)]
    return None, rest


def _is_unit(unit: str) -> bool:
    base, *per = unit.split("/")
    return base in _BASE_UNITS and all(part in _PER_UNITS for part in per)


def _read_digits(body: str, notes: list[str]) -> str | None:
    """Canonical decimal text for a run of digits, commas, dots and spaces; None when ambiguous."""
    body = body.strip()
    spaced = _SPACE.search(body) is not None
    if spaced:
        body = _SPACE_AT_SEPARATOR.sub(r"\1", body)
        if _SPACE.search(body):
            return None  # digit, space, digit: two numbers, or one whose break we cannot place
        notes.append("spaces inside number removed")
    if body[-1] in ",.":
        notes.append(f"trailing {'comma' if body[-1] == ',' else 'decimal point'} dropped; digits may be missing")
        body = body[:-1]
    if re.search(r"[,.]{2}", body) or body.count(".") > 1:
        return None  # fused cells such as 1,100.265,538.67 or 1699.4512644.67
    whole, _, fraction = body.partition(".")
    if "," in fraction:
        return None
    groups = whole.split(",")
    if len(groups) == 1:
        return body
    head, *middle, last = groups
    if not 1 <= len(head) <= 3 or any(len(group) != 3 for group in middle):
        return None
    if len(last) == 3:
        if spaced:
            notes.append("comma read as thousands separator")
        return "".join(groups) + (f".{fraction}" if fraction else "")
    if len(last) in (1, 2) and not fraction:
        notes.append("last comma read as decimal point (its group has fewer than 3 digits)")
        return "".join(groups[:-1]) + "." + last
    return None


def parse_number(text: str | None) -> ParsedNumber | None:
    """One printed number (a cell or a value token) as a Decimal with its unit and comparator.

    Returns None for empty text, a dash (no value), text that is not a single number, and
    numbers that cannot be read without guessing (fused cells, two numbers in one cell).
    """
    if text is None:
        return None
    notes: list[str] = []
    normalised = _half_width(text)
    if any(ch in _FULL_WIDTH_NUMERIC for ch in text):
        notes.append("full-width digits or separators made half-width")
    normalised = normalised.strip().rstrip(_TRAILING_PUNCTUATION).strip()
    if _NO_VALUE.match(normalised):
        return None
    comparator, normalised = _take_prefix_comparator(normalised, notes)
    match = _LEADING.match(normalised)
    if match is None:
        return None
    sign = match["sign"] or ""
    if sign and sign in "—–":
        notes.append(f"{sign} before the number read as a minus sign")
    digits = _read_digits(match["body"], notes)
    if digits is None:
        return None
    rest = _SPACE.sub("", match["rest"])
    suffix_comparator, rest = _take_suffix_comparator(rest)
    if suffix_comparator is not None:
        if comparator is not None:
            return None  # 「≥90%以上」: two comparators, not a value we should settle
        comparator = suffix_comparator
    if rest and not _is_unit(rest):
        return None
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - _read_digits only lets digits and one dot through
        return None
    if sign and sign != "+":
        value = -value
    return ParsedNumber(
        value=value,
        is_percent=rest == "%",
        unit=rest or None,
        comparator=comparator,
        repaired=bool(notes),
        note="; ".join(notes) or None,
    )


def parse_unit(text: str) -> str | None:
    """The unit named in a header such as `单位：万元`, `金额单位：元` or `（单位:万元）`; None if there is none.

    `编制单位：某某局` and `单位名称：…` name no unit and give None.
    """
    normalised = _half_width(text)
    for match in _UNIT_HEADER.finditer(normalised):
        after = _SPACE.sub("", normalised[match.end():])
        for unit in _HEADER_UNITS:
            if after.startswith(unit):
                following = after[len(unit):len(unit) + 1]
                if not following or not re.match(r"[\u4e00-\u9fff]", following) or following in "、及和":
                    return unit
    return None
