"""Checks on the document's own text (they need `doc`): `text_comparison` (决算数大于预算数 said of a figure
below its budget), `year_mismatch`, `placeholder_text` (XX局 left in), `missing_table` (listed in the
contents, never printed), `numbering_order` (swapped points). Their flags sit on `source` (placeholder_text on meta.department, year_mismatch
on meta.fiscal_year); the message names the page and quotes the text. Sitting on `source`, they never
send an extraction task to the LLM engine: no engine can fix what the document prints."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from extractor.validate.checks import CheckOutcome, ValidationContext, compact, fmt, outcome

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_BUDGET_VS_SPENT = re.compile(
    rf"年初预算为{_NUM}万元[，,]?支出决算为{_NUM}万元[。，,]?"
    r"(决算数(?:大于|小于|等于|高于|低于)预算数|决算数与预算数(?:基本)?持平|决算数与预算数(?:基本)?相等)")
_ROUGHLY_EQUAL = Decimal("0.01")
"""基本持平 is accepted within 1 % of the budget."""


def check_text_comparisons(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """'年初预算为 A 万元，支出决算为 B 万元。决算数大于预算数': the stated relation matches A and B."""
    for page, text in ctx.page_texts:
        for m in _BUDGET_VS_SPENT.finditer(text):
            budget, spent = (Decimal(g.replace(",", "")) for g in m.group(1, 2))
            said = m.group(3)
            if "大于" in said or "高于" in said:
                holds = spent > budget
            elif "小于" in said or "低于" in said:
                holds = spent < budget
            elif "基本" in said:
                holds = abs(spent - budget) <= budget * _ROUGHLY_EQUAL
            else:
                holds = spent == budget
            yield outcome("text_comparison", ["source"], not holds, severity="warning",
                          message=f"第{page}页正文称“{said}”，但年初预算 {fmt(budget)} 万元、"
                                  f"支出决算 {fmt(spent)} 万元")


_TITLE_YEAR = re.compile(r"(\d{4})年度?部门(?:整体支出绩效|决算|预算)")
_YEAR_END = re.compile(r"截至(\d{4})年12月31日")


def check_years(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Headings name the fiscal year reported on; a 决算's 截至 date is the end of that year."""
    year = ctx.extraction.meta.fiscal_year
    if ctx.doc is None or year is None:
        return
    patterns = [_TITLE_YEAR]
    if ctx.extraction.meta.report_type == "final_accounts":
        patterns.append(_YEAR_END)
    for page, text in ctx.page_texts:
        for pattern in patterns:
            for m in pattern.finditer(text):
                if text[max(0, m.start() - 4):m.start()].endswith(("与", "较", "比")):
                    continue
                printed = int(m.group(1))
                yield outcome("year_mismatch", ["meta.fiscal_year"], printed != year, severity="warning",
                              message=f"第{page}页“{m.group(0)}”写的是 {printed} 年，报告年度为 {year} 年")


_PLACEHOLDER = re.compile(r"(?:XX|ＸＸ|××|xx)+[局委办部厅处室院所中心单位]")


def check_placeholders(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Template placeholders left in the published text (上海市普陀区XX局): one flag naming every page."""
    hits = [(page, text[max(0, m.start() - 6):m.end()]) for page, text in ctx.page_texts
            for m in _PLACEHOLDER.finditer(text)]
    if hits:
        pages = "、".join(dict.fromkeys(str(page) for page, _ in hits))
        yield outcome("placeholder_text", ["meta.department"], True, severity="warning",
                      message=f"第{pages}页出现模板占位文字“{hits[0][1]}”等共 {len(hits)} 处")


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}
_MARKER = re.compile(r"^(?:(?P<cn>[一二三四五六七八九十]{1,3})|(?P<ar>\d{1,2}))、")


def _cn_number(text: str) -> int | None:
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text)


def check_numbering(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Numbered points in printed order: '2、… 1、… 3、…' means two points were swapped. A drop in the
    numbering followed by a number above the one before it is a swap; otherwise it is a new list."""
    if ctx.doc is None:
        return
    cells = {compact(cell.text) for grid in ctx.doc.tables for row in grid.rows for cell in row.cells}
    markers: dict[str, list[tuple[int, int, str]]] = {"cn": [], "ar": []}
    for page in ctx.doc.pages:
        for raw in page.text.splitlines():
            if "\t" in raw or "|" in raw:
                continue  # a table row of a text input, not a numbered point
            line = compact(raw)
            m = _MARKER.match(line)
            if m is None or line in cells:
                continue
            kind = "cn" if m.group("cn") else "ar"
            number = _cn_number(m.group("cn")) if kind == "cn" else int(m.group("ar"))
            if number:
                markers[kind].append((number, page.number, line[:16]))
    for sequence in markers.values():
        for (a, _, a_text), (b, page, b_text), (c, _, _) in zip(sequence, sequence[1:], sequence[2:], strict=False):
            if b < a < c and c <= a + 2:
                yield outcome("numbering_order", ["source"], True, severity="warning",
                              message=f"第{page}页编号顺序颠倒：“{b_text}…”排在“{a_text}…”之后")


_DOUBLED = re.compile(r"(?<![。.])[。；]{2}(?![。.])|，。|。，")
_ENDS_SENTENCE = tuple("。；，！？")


def check_stray_punctuation(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Punctuation left over from editing: '。。', or a line holding only '。' after a line that already
    ended its sentence (a wrapped '。' alone on a line is normal; '。。。' is an ellipsis). One flag."""
    if ctx.doc is None:
        return
    hits: list[tuple[int, str]] = []
    for page in ctx.doc.pages:
        previous = ""
        for line in (raw.strip() for raw in page.text.splitlines()):
            if not line:
                continue
            lone = line in ("。", "，", "；") and previous.endswith(_ENDS_SENTENCE)
            if lone or _DOUBLED.search(line):
                hits.append((page.number, f"{previous[-10:]}{line}" if lone else line))
            previous = line
    if hits:
        pages = "、".join(dict.fromkeys(str(page) for page, _ in hits))
        sample = hits[0][1][-14:]
        yield outcome("stray_punctuation", ["source"], True, severity="info",
                      message=f"第{pages}页有多余的标点（如“{sample}”），共 {len(hits)} 处")


_LISTED_TABLE = re.compile(r"^[一二三四五六七八九十]+、(.{2,40}(?:决算表|预算表|预算总表|决算总表))$")
_PART_TITLES = frozenset({"单位预算表", "部门预算表", "单位决算表", "部门决算表"})
"""Contents entries that name a part of the report (五、单位预算表), not one table."""
_PART_HEADING = re.compile(r"第[一二三四五]部分.{0,40}?(?:决算|预算)表")


def check_listed_tables(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """Every table the contents list (二、收入决算表) is printed somewhere in the document."""
    if ctx.doc is None:
        return
    listed: list[tuple[int, str]] = []
    heads: dict[int, str] = {}
    for page in ctx.doc.pages:
        listed += [(page.number, m.group(1)) for line in page.text.splitlines()
                   if (m := _LISTED_TABLE.match(compact(line))) and m.group(1) not in _PART_TITLES]
        heads[page.number] = _title_area(compact(page.text))
    titles = {compact(t.title or "") for t in ctx.doc.tables} | {compact(t.title or "") for t in ctx.extraction.tables}
    for listed_page, title in dict.fromkeys(listed):
        printed = title in titles or any(head.startswith(title) for number, head in heads.items()
                                         if number != listed_page)
        yield outcome("missing_table", ["source"], not printed, severity="error",
                      message=f"第{listed_page}页目录列出“{title}”，但文中未找到该表")


def _title_area(page_text: str) -> str:
    """What a page prints above its first 单位：, without the part heading (第二部分…决算表) it may carry."""
    head = page_text.split("单位：", 1)[0].split("单位:", 1)[0]
    return _PART_HEADING.sub("", head)
