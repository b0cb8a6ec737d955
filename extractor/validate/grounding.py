"""`ungrounded`: a numeric value whose evidence quote cannot be found in the document's text, or whose
quote does not hold the value (an engine that completed or computed a figure instead of reading it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from extractor.numbers import parse_number
from extractor.validate.checks import CheckOutcome, ValidationContext, compact, fmt, outcome
from schemas.paths import iter_values


def numeric_values(ctx: ValidationContext) -> dict[str, Decimal | int]:
    return {path: value for path, value in iter_values(ctx.extraction)
            if isinstance(value, Decimal | int) and not isinstance(value, bool)}


def quote_found(ctx: ValidationContext, quote: str, page: int | None) -> bool:
    """The quote, whitespace ignored, occurs on its page (or anywhere when the page is unknown), in the
    page text or in its words joined in reading order."""
    key = (quote, page)
    if key not in ctx.quotes_found:
        ctx.quotes_found[key] = _search(ctx, compact(quote), page)
    return ctx.quotes_found[key]


def _search(ctx: ValidationContext, needle: str, page: int | None) -> bool:
    if not needle or ctx.doc is None:
        return False
    texts = dict(ctx.page_texts)
    numbers = [page] if page in texts else list(texts)
    if any(needle in texts[n] for n in numbers):
        return True
    return any(needle in ctx.page_words[n] for n in numbers) or needle in ctx.doc_text


_TOKEN = re.compile(r"-?\d[\d,，\s]*(?:[.．]\s*\d+)?%?")
_WAN = Decimal(10000)


_MAX_SUMMED = 12


def value_in_quote(value: Decimal | int, quote: str) -> bool | None:
    """Whether the quote prints the value (also 元 read into 万元), or numbers that add up to it (编制
    12 + 1 + 17 = 30: the contract asks for some totals); None when the quote prints no number."""
    texts = [quote, *_TOKEN.findall(quote), *quote.split()]
    printed = {n.value for n in (parse_number(t) for t in texts) if n is not None}
    if not printed:
        return None
    value = Decimal(value)
    if any(value == n or value * _WAN == n or value == n * _WAN for n in printed):
        return True
    tokens = [n.value for n in (parse_number(t) for t in _TOKEN.findall(quote)) if n is not None][:_MAX_SUMMED]
    return value in _subset_sums(tokens)


def _subset_sums(numbers: list[Decimal]) -> set[Decimal]:
    sums = {Decimal(0)}
    for n in numbers:
        sums |= {s + n for s in sums}
    return sums - {Decimal(0)} if numbers else set()


def check_quoted_values(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Every numeric value is one of the numbers its quote prints (needs no document)."""
    numbers = numeric_values(ctx)
    for path, evidence in ctx.extraction.evidence.items():
        if path not in numbers or not evidence.quote:
            continue
        holds = value_in_quote(numbers[path], evidence.quote)
        if holds is None:
            continue
        yield outcome("ungrounded", [path], not holds, severity="warning",
                      message=f"{fmt(Decimal(numbers[path]))} 不是出处“{evidence.quote}”中印的数字，"
                              f"疑为推算或补全所得，请核对原文")


def check_grounding(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Every numeric value with a quote is found in the document (only when the document is given)."""
    if ctx.doc is None:
        return
    numbers = numeric_values(ctx)
    for path, evidence in ctx.extraction.evidence.items():
        if path not in numbers or not evidence.quote:
            continue
        found = quote_found(ctx, evidence.quote, evidence.page)
        where = f"第{evidence.page}页" if evidence.page else "原文"
        yield outcome("ungrounded", [path], not found, severity="warning",
                      message=f"{path} = {numbers[path]} 的出处“{evidence.quote}”在{where}中找不到")
