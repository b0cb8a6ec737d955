"""`ungrounded`: a numeric value whose evidence quote cannot be found in the document's text."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from extractor.validate.checks import CheckOutcome, ValidationContext, compact, outcome
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
