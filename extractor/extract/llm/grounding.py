"""Check a model's answer against the text it was given: every value needs a quote that is really there.

The model returns, for each value, the quote it read it from. A value is grounded when the quote
occurs in the source text (whitespace and full-width forms normalised) and, for a number, the
number parses from the quote. The evidence confidence is built from that check, never from what
the model says about itself. Text that reads like an instruction to the model ("忽略之前的指令",
"ignore previous instructions") is data: a value quoted from such a line is flagged, never trusted.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from extractor.numbers import parse_number
from schemas.document import BBox, Word
from schemas.extraction import Evidence, Flag

GROUNDED_CONFIDENCE = 0.9
WEAK_QUOTE_CONFIDENCE = 0.5
UNGROUNDED_CONFIDENCE = 0.1
INJECTION_CONFIDENCE = 0.0
WAN = Decimal(10000)

Status = Literal["grounded", "weak_quote", "no_quote", "quote_not_found", "value_not_in_quote", "injection"]

_WHITESPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?[%％]?")
_ONLY_NUMBER = re.compile(r"^[-−]?[\d,.%]+$")
_NUMBER_TOKEN = re.compile(r"[-−]?\d[\d]*(?:\s?[,，]\s?\d+)*(?:\s?[.．]\s?\d+)?\s?[%％]?")
_INSTRUCTION_LIKE = re.compile(
    r"(忽略|无视|不要理会|忘记)(之前|以上|上述|前面|先前|所有)?的?(所有|全部)?(指令|指示|提示|要求|规则)"
    r"|ignore\s+(all\s+)?(the\s+)?(previous|prior|above|earlier)\s+(instructions|prompts|rules)"
    r"|disregard\s+(all\s+)?(the\s+)?(previous|prior|above)"
    r"|system\s+prompt|你现在是|you\s+are\s+now|新的指令|new\s+instructions",
    re.IGNORECASE)


def normalise(text: str) -> str:
    """NFKC forms (full-width digits and punctuation made half-width) with all whitespace removed."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def numbers_in(text: str) -> list[Decimal]:
    """Every number printed in text, as Decimal (99.93 for 99.93%).

    A run parse_number cannot read as one number without repair ('12，11' may be a list,
    '1,100.265,538.67' two cells read as one) also counts as its comma-separated parts.
    """
    found = []
    for token in _NUMBER_TOKEN.findall(unicodedata.normalize("NFKC", text)):
        parsed = parse_number(token)
        if parsed is not None:
            found.append(parsed.value)
            if not parsed.repaired or _THOUSANDS.fullmatch(_WHITESPACE.sub("", token).replace("，", ",")):
                continue  # a sure reading; a guessed one ('12，11' read as 12.11) lets the parts count too
        elif (value := _parse_plain(token)) is not None:
            found.append(value)
            continue
        for part in re.split(r"\s?[,，]\s?", token):
            part_value = _parse_plain(part) if parse_number(part) is None else parse_number(part).value
            if part_value is not None and part_value not in found:
                found.append(part_value)
    return found


def _parse_plain(token: str) -> Decimal | None:
    # parse_number refuses what it cannot read without guessing; a plain digit run still counts here
    raw = _WHITESPACE.sub("", token).replace("．", ".").replace("−", "-").rstrip("%％")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", raw):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Grounding:
    status: Status
    page: int | None
    quote: str | None
    confidence: float
    message: str
    bbox: BBox | None = None
    printed: Decimal | None = None
    """for a grounded number: the value as the quote prints it ('1430.40', converted to 万元 when printed in 元)"""

    @property
    def grounded(self) -> bool:
        """The quote is in the source and holds the value (a bare-number quote included)."""
        return self.status in ("grounded", "weak_quote")

    def evidence(self) -> Evidence:
        return Evidence(page=self.page, bbox=self.bbox, quote=self.quote, confidence=self.confidence)

    def flag(self, path: str) -> Flag | None:
        """The flag a reviewer needs for this value, None when well grounded."""
        if self.status == "grounded":
            return None
        if self.status == "weak_quote":
            return Flag(path=path, rule="weak_quote", severity="warning", message=self.message)
        rule = "prompt_injection" if self.status == "injection" else "ungrounded"
        return Flag(path=path, rule=rule, severity="error", message=self.message)


class SourceText:
    """The text the model was shown, page by page, searchable with whitespace normalised."""

    def __init__(self, parts: list[tuple[int, str]], words: dict[int, list[Word]] | None = None):
        self.parts = parts
        self.words = words or {}
        chunks, self._starts, self._pages = [], [], []
        offset = 0
        for page, text in parts:
            flat = normalise(text)
            self._starts.append(offset)
            self._pages.append(page)
            chunks.append(flat)
            offset += len(flat)
        self.flat = "".join(chunks)
        self._suspicious = self._instruction_like_spans()

    def _instruction_like_spans(self) -> list[tuple[int, int]]:
        spans = []
        for _page, text in self.parts:
            for line in text.splitlines():
                if _INSTRUCTION_LIKE.search(line):
                    flat_line = normalise(line)
                    start = self.flat.find(flat_line)
                    while start >= 0 and flat_line:
                        spans.append((start, start + len(flat_line)))
                        start = self.flat.find(flat_line, start + 1)
        return spans

    @property
    def text(self) -> str:
        return "\n".join(text for _page, text in self.parts)

    def locate(self, quote: str) -> list[int]:
        """Offsets in the normalised text where the normalised quote occurs."""
        flat_quote = normalise(quote)
        if not flat_quote:
            return []
        hits, start = [], self.flat.find(flat_quote)
        while start >= 0:
            hits.append(start)
            start = self.flat.find(flat_quote, start + 1)
        return hits

    def page_at(self, offset: int) -> int | None:
        if not self._pages:
            return None
        return self._pages[bisect.bisect_right(self._starts, offset) - 1]

    def box_of(self, page: int | None, token: str) -> BBox | None:
        """The box of the first word on `page` whose text holds the printed token (None without words)."""
        needle = normalise(token)
        for word in self.words.get(page, []) if needle else []:
            if needle in normalise(word.text):
                return word.bbox
        return None

    def is_suspicious(self, offset: int, length: int) -> bool:
        return any(offset < end and start < offset + length for start, end in self._suspicious)


def _find(quote: str | None, source: SourceText) -> tuple[Grounding | None, int | None]:
    """Locate the quote: a failed Grounding, or (None, page) when it is there and clean."""
    if not quote or not quote.strip():
        return Grounding("no_quote", None, None, UNGROUNDED_CONFIDENCE, "the model gave no quote for this value"), None
    hits = source.locate(quote)
    if not hits:
        return Grounding("quote_not_found", None, quote, UNGROUNDED_CONFIDENCE,
                         f"quote {quote[:80]!r} does not occur in the source text"), None
    length = len(normalise(quote))
    clean = [hit for hit in hits if not source.is_suspicious(hit, length)]
    if not clean:
        return Grounding("injection", source.page_at(hits[0]), quote, INJECTION_CONFIDENCE,
                         f"quote {quote[:80]!r} comes from text that reads like an instruction to the model; "
                         f"the value read from it is dropped"), None
    return None, source.page_at(clean[0])


def ground_number(value: Decimal | int, quote: str | None, source: SourceText) -> Grounding:
    """Grounded when the quote is in the source and the value parses from it.

    A value in 万元 read from a quote printed in 元 (value × 10000 in the quote, no 万 in it) counts.
    """
    failed, page = _find(quote, source)
    if failed is not None:
        return failed
    target = Decimal(value)
    accepted = {target} if "万" in (quote or "") else {target, target * WAN}
    token = next((t for t in _NUMBER_TOKEN.findall(unicodedata.normalize("NFKC", quote or ""))
                  if accepted & set(numbers_in(t))), None)
    if token is not None:
        bbox = source.box_of(page, token.strip())
        number = next(n for n in numbers_in(token) if n in accepted)
        printed = number if number == target else number / WAN
        if _ONLY_NUMBER.match(normalise(quote or "")):
            return Grounding("weak_quote", page, quote, WEAK_QUOTE_CONFIDENCE,
                             f"the quote {quote!r} is the bare number: it says nothing about what the number is",
                             bbox, printed)
        return Grounding("grounded", page, quote, GROUNDED_CONFIDENCE, "quote found and the number parses from it",
                         bbox, printed)
    numbers = numbers_in(quote or "")
    return Grounding("value_not_in_quote", page, quote, UNGROUNDED_CONFIDENCE,
                     f"value {value} does not parse from the quote {quote[:80]!r} (numbers there: "
                     f"{[str(n) for n in numbers][:6]})")


def ground_text(value: str, quote: str | None, source: SourceText, *, must_contain: str | None = None) -> Grounding:
    """Grounded when the quote is in the source and contains `must_contain` (default: the value itself)."""
    failed, page = _find(quote, source)
    if failed is not None:
        return failed
    needle = normalise(value if must_contain is None else must_contain)
    if needle in normalise(quote or ""):
        return Grounding("grounded", page, quote, GROUNDED_CONFIDENCE, "quote found and contains the value")
    return Grounding("value_not_in_quote", page, quote, UNGROUNDED_CONFIDENCE,
                     f"{value!r} is not in the quote {quote[:80]!r}")


def ground_quote(quote: str | None, source: SourceText) -> Grounding:
    """Grounded when the quote occurs in the source (for a value classified from it, e.g. report type)."""
    failed, page = _find(quote, source)
    if failed is not None:
        return failed
    return Grounding("grounded", page, quote, GROUNDED_CONFIDENCE, "quote found")
