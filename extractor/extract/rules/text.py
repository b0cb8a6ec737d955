"""Pattern search over page text with evidence: the rules' way of reading narrative values.

Page text is searched in a compact form (spaces removed; tabs between table cells and line breaks kept) so that
patterns need not allow for OCR spacing ("2024 年年初预算数 440.43 万元"); every hit maps back to
the exact printed span for its quote, and to a word box on the page when one covers the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from extractor.extract.table_reader import clean_text, parse_number, to_wan
from schemas.document import BBox, Document, Page
from schemas.extraction import Evidence, Flag

PATTERN_CONFIDENCE = 0.9
"""Share of the page's confidence a value read by a text pattern keeps (the pattern may misread the context)."""

NUMBER = r"\d[\d,，.．]*\d|\d"
AMOUNT = rf"(?P<num>{NUMBER})(?P<unit>万元|元)"


@dataclass
class CompactPage:
    page: Page
    text: str
    index: list[int]
    """index[i] is the position in page.text of compact character i."""

    def span(self, start: int, end: int) -> str:
        if start >= end:
            return ""
        return self.page.text[self.index[start]:self.index[end - 1] + 1]


@dataclass
class Hit:
    match: re.Match[str]
    compact: CompactPage

    @property
    def page(self) -> int:
        return self.compact.page.number

    def quote(self, group: int | str = 0) -> str:
        return self.compact.span(self.match.start(group), self.match.end(group))

    def evidence(self, group: int | str = 0, *, value_group: int | str | None = None) -> Evidence:
        """Evidence quoting `group`; the box is a word's that contains `value_group` (default: group)."""
        needle = self.match.group(value_group if value_group is not None else group) or ""
        base = self.compact.page.ocr_confidence if self.compact.page.ocr_confidence is not None else 1.0
        return Evidence(page=self.page, bbox=word_bbox(self.compact.page, needle), quote=self.quote(group),
                        confidence=round(base * PATTERN_CONFIDENCE, 4))


WRAPPED_LINE_CHARS = 25
"""A PDF line at least this long that does not end a sentence was wrapped by the layout."""


def compact(page: Page, *, join_wrapped: bool = False) -> CompactPage:
    """The page text without spaces; with join_wrapped, line breaks that only wrap a sentence go too."""
    chars: list[str] = []
    index: list[int] = []
    line_length = 0
    for position, char in enumerate(page.text):
        if char in " \u3000\xa0":
            continue
        if char == "\n":
            wrapped = line_length >= WRAPPED_LINE_CHARS and chars and chars[-1] not in "。；;：:！？!?"
            line_length = 0
            if join_wrapped and wrapped:
                continue
        else:
            line_length += 1
        chars.append(char)
        index.append(position)
    return CompactPage(page=page, text="".join(chars), index=index)


_CACHE: dict[int, list[CompactPage]] = {}


def pages(doc: Document) -> list[CompactPage]:
    """The document's pages in compact form (cached per Document object)."""
    key = id(doc)
    cached = _CACHE.get(key)
    if cached is None or len(cached) != len(doc.pages) or (cached and cached[0].page is not doc.pages[0]):
        # PDF lines are layout lines that wrap mid-word; OCR'd text files keep one paragraph per line.
        join = doc.source.input_kind != "text"
        cached = [compact(page, join_wrapped=join) for page in doc.pages]
        _CACHE.clear()
        _CACHE[key] = cached
    return cached


def find_all(doc: Document, pattern: re.Pattern[str] | str) -> Iterator[Hit]:
    """Every match of pattern on the compact text of each page, in reading order."""
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    for page in pages(doc):
        for match in regex.finditer(page.text):
            yield Hit(match=match, compact=page)


def find_first(doc: Document, pattern: re.Pattern[str] | str) -> Hit | None:
    return next(find_all(doc, pattern), None)


def word_bbox(page: Page, needle: str) -> BBox | None:
    """The box of the first word on the page whose text contains needle (spaces ignored)."""
    target = re.sub(r"\s+", "", needle)
    if not target:
        return None
    for word in page.words:
        if target in re.sub(r"\s+", "", word.text):
            return word.bbox
    return None


def hit_amount(hit: Hit, path: str, flags: list[Flag], *, group: str = "num", unit_group: str | None = "unit",
               percent: bool = False) -> Decimal | None:
    """The number a hit captured, converted to 万元 when its unit group says 元; flags a repaired number."""
    text = hit.match.group(group)
    parsed = parse_number(text)
    if parsed is None:
        return None
    if parsed.repaired:
        flags.append(Flag(path=path, rule="ocr_repair", severity="warning",
                          message=parsed.note or f"number repaired from {text!r}"))
    if percent:
        return parsed.value
    unit = hit.match.group(unit_group) if unit_group else None
    return to_wan(parsed.value, unit)


def lines(doc: Document) -> Iterator[tuple[Page, str]]:
    """Every non-empty line of the document with its page, cleaned of OCR spacing."""
    for page in doc.pages:
        for line in page.text.splitlines():
            cleaned = clean_text(line)
            if cleaned:
                yield page, cleaned
