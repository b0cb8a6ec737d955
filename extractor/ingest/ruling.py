"""Ruling lines of tables on a page image, levelling of skewed scans, and OCR words split where a
ruling line crosses them.

A scanned table has no vector graphics, so its grid is recovered from the pixels: a morphological
opening with a long thin kernel keeps only dark runs longer than any glyph stroke. The lines are
returned in PDF points so that PyMuPDF's table finder can take them as `add_lines`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from schemas.document import Word

_HORIZONTAL_MIN_INCH = 0.35
"""Shortest horizontal rule kept; longer than the widest glyph stroke (一 at 14 pt is ~0.2 in)."""
_VERTICAL_MIN_INCH = 0.16
"""Shortest vertical rule kept; a one-line table row is ~0.17 in tall, digits are ~0.1 in."""
_MAX_THICKNESS_INCH = 0.04
"""Runs thicker than this are filled areas or bold headings, not rules."""
_GAP_CLOSE_INCH = 0.02
"""Breaks in a scanned rule shorter than this are bridged."""
_JOIN_TOLERANCE_INCH = 0.03
"""How far a vertical rule may stop short of a horizontal one and still meet it."""
_MAX_SKEW_DEG = 3.0
"""Scans skewed more than this are left as they are (a page fed crooked needs rescanning)."""
_MIN_SKEW_DEG = 0.1
"""Below this a rule drifts < 2.5 px across an A4 page at 200 dpi: not worth resampling the image."""


@dataclass(frozen=True)
class RulingLine:
    """A ruling line in PDF points; horizontal when y0 == y1, vertical when x0 == x1."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def is_vertical(self) -> bool:
        return self.x0 == self.x1

    def as_points(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The ((x0, y0), (x1, y1)) pair PyMuPDF's `find_tables(add_lines=...)` expects."""
        return (self.x0, self.y0), (self.x1, self.y1)


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The page image rotated so that its rules and text lines run level, and the angle applied.

    A scanned sheet is rarely fed straight: at 0.5 degrees a ruled line climbs 12 px across an A4
    table, too much for the rule detector, and cell rows drift into each other. The angle (within
    +-3 degrees) is the rotation that makes the ink's row profile sharpest. Images already level
    are returned unchanged, so a clean render keeps its exact pixels.
    """
    angle = estimate_skew(gray)
    if abs(angle) < _MIN_SKEW_DEG:
        return gray, 0.0
    height, width = gray.shape
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    level = cv2.warpAffine(gray, rotation, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    return level, angle


def estimate_skew(gray: np.ndarray) -> float:
    """The rotation in degrees (OpenCV's sense, counter-clockwise) that levels the page's lines.

    Coarse search on a 1/5 image, then a fine one on a 1/3 image around the best coarse angle.
    """
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    best = 0.0
    for scale, span, step in ((0.2, _MAX_SKEW_DEG, 0.25), (0.35, 0.3, 0.05)):
        small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        angles = np.arange(best - span, best + span + 1e-9, step)
        best = float(angles[int(np.argmax([_row_profile_sharpness(small, a) for a in angles]))])
    return round(best, 2) + 0.0  # no -0.0


def _row_profile_sharpness(ink: np.ndarray, angle: float) -> float:
    """Sum of squared row sums after rotating: largest when lines of ink fall into as few rows as possible."""
    height, width = ink.shape
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), float(angle), 1.0)
    rows = cv2.warpAffine(ink, rotation, (width, height), flags=cv2.INTER_LINEAR).sum(axis=1, dtype=np.float64)
    return float(np.dot(rows, rows))


def find_ruling_lines(gray: np.ndarray, dpi: int) -> list[RulingLine]:
    """Horizontal and vertical ruling lines in a grayscale page image rendered at `dpi`, in PDF points."""
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    scale = 72.0 / dpi
    horizontal = _rules(ink, dpi, vertical=False)
    tolerance = _JOIN_TOLERANCE_INCH * dpi
    vertical = [rule for rule in _rules(ink, dpi, vertical=True) if _meets_two(rule, horizontal, tolerance)]
    lines = [RulingLine(x0 * scale, y * scale, x1 * scale, y * scale) for x0, x1, y in horizontal]
    lines += [RulingLine(x * scale, y0 * scale, x * scale, y1 * scale) for y0, y1, x in vertical]
    return lines


def _rules(ink: np.ndarray, dpi: int, *, vertical: bool) -> list[tuple[float, float, float]]:
    """(start, end, position) of each rule in pixels: start/end along the rule, position across it."""
    length = max(3, round((_VERTICAL_MIN_INCH if vertical else _HORIZONTAL_MIN_INCH) * dpi))
    gap = max(1, round(_GAP_CLOSE_INCH * dpi))
    # OpenCV kernel sizes are (width, height)
    shape = (1, length) if vertical else (length, 1)
    bridge = (1, gap) if vertical else (gap, 1)
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))
    opened = cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
    count, _, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    max_thickness = max(2, round(_MAX_THICKNESS_INCH * dpi))
    rules = []
    for left, top, width, height, _area in stats[1:count]:
        along, across = (height, width) if vertical else (width, height)
        if along < length or across > max_thickness:
            continue
        if vertical:
            rules.append((float(top), float(top + height), float(left + width / 2)))
        else:
            rules.append((float(left), float(left + width), float(top + height / 2)))
    return rules


def _meets_two(
    vertical: tuple[float, float, float], horizontal: list[tuple[float, float, float]], tolerance: float
) -> bool:
    """True when a vertical rule crosses or touches at least two horizontal rules, as a cell border does.

    Vertical strokes of large or bold glyphs survive the opening too, but they meet no rule.
    """
    top, bottom, x = vertical
    met = 0
    for left, right, y in horizontal:
        if left - tolerance <= x <= right + tolerance and top - tolerance <= y <= bottom + tolerance:
            met += 1
            if met == 2:
                return True
    return False


_NUMBER_BOUNDARY = re.compile(r"(?<=\.\d\d)(?=[-\d])")
"""Between the two decimals of one amount and the first digit of the next: `1,100.26|5,538.67`."""
_AMOUNTS = re.compile(r"^[-\d,.%]+$")
_SNAP_UNITS = 2.0
"""How far (in digit widths) a cut may move from the line's position to reach a script change."""


def split_words_at_rulings(words: list[Word], lines: list[RulingLine]) -> list[Word]:
    """Split every word whose box crosses a vertical ruling line into one word per side.

    OCR reads neighbouring cells as one token when the gap between them is small
    (`1,100.265,538.67`). A run of amounts is cut only between two amounts (after the second
    decimal), at the boundary nearest the line; a lone amount that merely overlaps a line is
    kept whole. Other text is cut where the line crosses the box, in proportion to the
    characters' widths, snapped to a change between CJK and other characters when one is near.
    """
    verticals = [line for line in lines if line.is_vertical]
    result: list[Word] = []
    pending = list(words)
    while pending:
        word = pending.pop(0)
        for line in _crossing_lines(word, verticals):
            pieces = _split_at(word, line.x0)
            if pieces is not None:
                pending[:0] = pieces
                break
        else:
            result.append(word)
    return result


def _crossing_lines(word: Word, verticals: list[RulingLine]) -> list[RulingLine]:
    """Vertical lines running through the word's box, at least a little way in from both edges."""
    x0, y0, x1, y1 = word.bbox
    height = y1 - y0
    margin = min(height * 0.3, (x1 - x0) * 0.1)
    return [
        line for line in verticals
        if line.y0 <= y0 + height * 0.25 and line.y1 >= y1 - height * 0.25 and x0 + margin < line.x0 < x1 - margin
    ]


def _split_at(word: Word, x: float) -> list[Word] | None:
    """The word cut in two at page x, or None when no plausible cut leaves text on both sides."""
    text = word.text
    x0, y0, x1, y1 = word.bbox
    widths = [_char_width(ch) for ch in text]
    edges = np.cumsum([0.0, *widths])
    target = (x - x0) / (x1 - x0) * edges[-1]
    amounts = [m.start() for m in _NUMBER_BOUNDARY.finditer(text)]
    if _AMOUNTS.match(text):
        if not amounts:
            return None
        cut = min(amounts, key=lambda i: abs(edges[i] - target))
    else:
        candidates = amounts + [i for i in range(1, len(text)) if _is_cjk(text[i - 1]) != _is_cjk(text[i])]
        near = [i for i in candidates if abs(edges[i] - target) <= _SNAP_UNITS]
        cut = min(near, key=lambda i: abs(edges[i] - target)) if near else int(np.argmin(np.abs(edges - target)))
    left, right = text[:cut].rstrip(), text[cut:].lstrip()
    if not left or not right:
        return None
    return [
        Word(text=left, bbox=(x0, y0, min(x, x1), y1), confidence=word.confidence),
        Word(text=right, bbox=(max(x, x0), y0, x1, y1), confidence=word.confidence),
    ]


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _char_width(ch: str) -> float:
    """Relative advance width: CJK and full-width forms are about twice a digit's."""
    return 2.0 if _is_cjk(ch) else 1.0
