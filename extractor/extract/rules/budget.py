"""Staffing and budget rules: 编制/实有人数 from the narrative, budget figures from text or statement tables.

Staffing: a report may list several kinds of posts (公务员编制数12人 … 机关后勤编制数1人 … 事业编制数17人),
and the contract's `authorized` is "all kinds of posts together", so the 编制 figures of the first
paragraph that names one are summed, and so are its 实有/在职 figures. A 编制 figure that names no
kind of post is the stated total: then it alone counts and its breakdown (其中行政编制28人、事业编制
7人) is not added again. 临时人员 and 退休 figures are not posts and are never counted. The quote spans
the part of the paragraph that was read.

Budget: narrative patterns first (年初预算数 …, 全年预算 …, 全年执行 …, 执行率 …); what the text does
not state is taken from the statement tables (支出决算表 / 支出预算总表 合计 row, 收入支出决算总表
本年支出合计) when those were read. Values are in 万元.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractor.extract.rules.text import AMOUNT, NUMBER, Hit, find_all, hit_amount
from extractor.extract.table_reader import to_wan
from schemas.document import Document
from schemas.extraction import Budget, Evidence, Flag, Staffing, StatementTable

_STAFF_PARAGRAPH = re.compile(r"[^\n]*编制(?:人数|数)?(?:为|共)?\d+人[^\n]*")
_AUTHORIZED = re.compile(r"(?P<kind>[\u4e00-\u9fff]{0,4}?)编制(?:人数|数)?(?:为|共)?(?P<num>\d+)人?")
_ACTUAL = re.compile(r"(?:实有人数|实有|在职人数|在职)(?:为|共)?(?P<num>\d+)人?")
_NOT_POSTS_RE = re.compile(r"临时|退休|离休|编外")
# Kinds of posts a report may list one by one; a 编制 figure without one is the stated total.
_POST_KIND = re.compile(r"公务员|行政|事业|后勤|工勤|参公|参照|全额|差额|自收自支|机关|其中")

_GAP = r"[^\n。；;\d\t]{0,6}?"
_BUDGET_PATTERNS: dict[str, tuple[str, ...]] = {
    "initial": (
        rf"年初预算(?:数|安排收入|安排)?(?:为|是|:|：)?{_GAP}{AMOUNT}",
    ),
    "adjusted": (
        rf"(?:全年预算(?:数)?|调整后预算(?:数)?|年度资金(?:金额|总额)|整体支出预算总额)(?:为|是|:|：)?{_GAP}{AMOUNT}",
    ),
    "spent": (
        rf"(?:全年执行(?:数)?|年度支出|年末执行数|全年支出)(?:为|是|:|：)?{_GAP}{AMOUNT}",
        rf"(?:总支出|本年支出合计|支出合计|支出决算总额)(?:为|是|:|：)?{_GAP}{AMOUNT}",
    ),
    "execution_rate": (
        rf"(?:预算)?执行率(?:情况)?(?:为|是|:|：)?(?P<num>{NUMBER})%",
        rf"完成(?:年初|全年)?预算的(?P<num>{NUMBER})%",
    ),
    "basic": (
        rf"基本支出(?![^\n。]{{0,3}}预算)[^\n。；;，,\d\t预]{{0,12}}?{AMOUNT}",
    ),
    "project": (
        rf"项目支出(?![^\n。]{{0,3}}预算)[^\n。；;，,\d\t预]{{0,12}}?{AMOUNT}",
    ),
}
# A pattern hit is not the department's figure when the clause names a single item or project.
_PROJECT_CONTEXT = re.compile(r"项目(?:全年)?预算数|项目[\u4e00-\u9fff]{0,6}$|\(项\)|（项）")
_ITEM_CONTEXT = re.compile(r"三公|出国|接待费|公务用车|\(项\)|（项）")

# A figure for 一般公共预算财政拨款 alone is the department's only when that source is all its spending.
_PART_CONTEXT = re.compile(r"一般公共预算|财政拨款")
_ALL_SPENDING = re.compile(r"一般公共预算财政拨款支出[^。]{0,20}占本年支出(?:合计)?的100(?:\.0+)?%")


_ITEM_START = re.compile(r"\n(?:\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)")
_ITEM_WINDOW = 200


def _in_item(hit: Hit) -> bool:
    """True inside a numbered item about one 科目 ('1、…行政运行（项）。…年初预算为54.53万元')."""
    window = hit.compact.text[max(0, hit.match.start() - _ITEM_WINDOW):hit.match.start()]
    starts = list(_ITEM_START.finditer(window))
    # No item start in reach (it may be on the previous page): the nearest text decides.
    item = window[starts[-1].start():] if starts else window[-_ITEM_WINDOW // 2:]
    return bool(re.search(r"[（(]项[)）]|[（(]款[)）]", item))


def _covers_all(doc: Document) -> bool:
    return any(True for _ in find_all(doc, _ALL_SPENDING))


_SPENT_ROWS = ("本年支出合计", "支出合计", "支出总计")
_EXPENDITURE_TITLES = ("支出决算表", "支出预算总表", "部门支出预算表")


def extract_staffing(doc: Document) -> tuple[Staffing, dict[str, Evidence], list[Flag]]:
    """编制 and 实有 headcounts, each summed over the kinds of posts the first staffing paragraph lists."""
    staffing = Staffing()
    evidence: dict[str, Evidence] = {}
    paragraph = next(iter(find_all(doc, _STAFF_PARAGRAPH)), None)
    if paragraph is None:
        return staffing, evidence, []
    text = paragraph.match.group(0)
    authorized = [m for m in _AUTHORIZED.finditer(text) if not _NOT_POSTS_RE.search(m.group("kind"))]
    stated_total = next((m for m in authorized if not _POST_KIND.search(m.group("kind"))), None)
    if stated_total is not None:
        authorized = [stated_total]  # '编制数35人，其中行政编制28人、事业编制7人': the breakdown is not added
    if authorized:
        staffing.authorized = sum(int(m.group("num")) for m in authorized)
        evidence["staffing.authorized"] = _span_evidence(paragraph, authorized[0].start(), authorized[-1].end())
    actual = list(_ACTUAL.finditer(text))
    if actual:
        staffing.actual = sum(int(m.group("num")) for m in actual)
        evidence["staffing.actual"] = _span_evidence(paragraph, actual[0].start(), actual[-1].end())
    return staffing, evidence, []


def _span_evidence(hit: Hit, start: int, end: int) -> Evidence:
    base = hit.evidence()
    offset = hit.match.start()
    return base.model_copy(update={"quote": hit.compact.span(offset + start, offset + end), "bbox": None})


def extract_budget(
    doc: Document, tables: list[StatementTable] | None = None, table_evidence: dict[str, Evidence] | None = None
) -> tuple[Budget, dict[str, Evidence], list[Flag]]:
    """The department's budget figures; `tables` (read by the statements rules) fill what the text lacks."""
    budget = Budget()
    evidence: dict[str, Evidence] = {}
    flags: list[Flag] = []
    for field, patterns in _BUDGET_PATTERNS.items():
        hit = _first_department_hit(doc, patterns)
        if hit is None:
            continue
        path = f"budget.{field}"
        value = hit_amount(hit, path, flags, percent=field == "execution_rate")
        if value is None:
            continue
        setattr(budget, field, value)
        evidence[path] = hit.evidence(0, value_group="num")
    if tables:
        _fill_from_tables(budget, evidence, tables, table_evidence or {})
    return budget, evidence, flags


def _first_department_hit(doc: Document, patterns: tuple[str, ...]) -> Hit | None:
    for pattern in patterns:
        for hit in find_all(doc, pattern):
            before = hit.compact.text[max(0, hit.match.start() - 12):hit.match.start()]
            clause = re.split(r"[。；;\n]", hit.compact.text[max(0, hit.match.start() - 40):hit.match.start()])[-1]
            if (_PROJECT_CONTEXT.search(before) or _PROJECT_CONTEXT.search(hit.match.group(0))
                    or _ITEM_CONTEXT.search(clause) or _in_item(hit)):
                continue
            sentence = re.split(r"[。\n]", hit.compact.text[max(0, hit.match.start() - 120):hit.match.start()])[-1]
            if _PART_CONTEXT.search(sentence) and not _covers_all(doc):
                continue
            return hit
    return None


def _fill_from_tables(budget: Budget, evidence: dict[str, Evidence], tables: list[StatementTable],
                      table_evidence: dict[str, Evidence]) -> None:
    """basic/project/spent from the expenditure table's 合计 row; spent from 本年支出合计 otherwise."""
    for index, table in enumerate(tables):
        title = table.title or ""
        if not any(key in title for key in _EXPENDITURE_TITLES) or "财政拨款" in title:
            continue
        for row_index, row in enumerate(table.rows):
            if row.name not in ("合计", "总计") or row.code is not None:
                continue
            path = f"tables[{index}].rows[{row_index}].values"
            for field, column in (("basic", "基本支出"), ("project", "项目支出")):
                _set_from_cell(budget, evidence, field, row.values, column, table, path, table_evidence)
            spent_column = next((c for c in ("本年支出合计", "合计", "小计") if c in row.values), None)
            if spent_column and "决算" in title:
                _set_from_cell(budget, evidence, "spent", row.values, spent_column, table, path, table_evidence)
            elif spent_column and "预算" in title:
                _set_from_cell(budget, evidence, "initial", row.values, spent_column, table, path, table_evidence)
            break
    for index, table in enumerate(tables):
        if "决算" not in (table.title or ""):
            continue
        for row_index, row in enumerate(table.rows):
            if row.name in _SPENT_ROWS and row.values:
                column = next(iter(row.values))
                path = f"tables[{index}].rows[{row_index}].values"
                _set_from_cell(budget, evidence, "spent", row.values, column, table, path, table_evidence)
                break


def _set_from_cell(budget: Budget, evidence: dict[str, Evidence], field: str, values: dict[str, Decimal | None],
                   column: str, table: StatementTable, path: str, table_evidence: dict[str, Evidence]) -> None:
    if getattr(budget, field) is not None or values.get(column) is None:
        return
    setattr(budget, field, to_wan(values[column], table.unit))
    source = table_evidence.get(f"{path}.{column}")
    evidence[f"budget.{field}"] = source or Evidence(quote=str(values[column]), confidence=0.8)
