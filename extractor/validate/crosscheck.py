"""The same figure read in two places: `text_table_mismatch` (department amounts and narrative figures
against the statement tables) and `unit_anomaly` (元 where 万元 is meant)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from extractor.numbers import parse_number
from extractor.validate.checks import CENT, CheckOutcome, ValidationContext, amount, compact, fmt, outcome
from extractor.validate.table_model import row_name, value_path
from schemas.extraction import ReportExtraction, StatementTable

TEN_THOUSAND = Decimal(10000)
IMPLAUSIBLE_WAN = Decimal(1_000_000)
"""万元 amounts above 100 亿元 are not a department's budget: the figure was most likely read in 元."""

_NUM = r"(-?\d[\d,]*(?:\.\d+)?)"
_AMOUNT_FIELDS = ("initial", "adjusted", "spent", "basic", "project")
_THREE_PUBLIC_ROWS = (("因公出国", "overseas"), ("购置费", "vehicle_purchase"), ("运行", "vehicle_operation"),
                      ("公务接待", "reception"), ("合计", "total"))


def to_wan(value: Decimal | None, unit: str | None) -> Decimal | None:
    """An amount of a table printed in 元 as 万元 (exact); 万元 and blank cells pass through."""
    return value / TEN_THOUSAND if value is not None and (unit or "").strip() == "元" else value


def _is_ten_thousand_off(a: Decimal, b: Decimal) -> bool:
    if a == 0 or b == 0:
        return False
    ratio = abs(a / b)
    return Decimal(9950) <= ratio <= Decimal(10050) or Decimal(9950) <= 1 / ratio <= Decimal(10050)


def _compare(rule_paths: list[str], a: Decimal | None, b: Decimal | None, what: str, a_name: str, b_name: str,
             tolerance: Decimal = CENT) -> CheckOutcome:
    diff = abs(amount(a) - amount(b))
    if a is not None and b is not None and _is_ten_thousand_off(a, b):
        return outcome("unit_anomaly", rule_paths, True, severity="error",
                       message=f"{what}：{a_name} {fmt(a)} 与 {b_name} {fmt(b)} 相差约一万倍，疑为元与万元混用")
    return outcome("text_table_mismatch", rule_paths, diff > tolerance, tolerance=tolerance,
                   message=f"{what}：{a_name} {_wan(a)} ≠ {b_name} {_wan(b)}（差 {fmt(diff)}）")


def _wan(value: Decimal | None) -> str:
    return f"{fmt(value)} 万元" if value is not None else "空"


def _find_table(extraction: ReportExtraction, *, want: str, avoid: tuple[str, ...] = ()) -> tuple[int, StatementTable] | None:
    for ti, table in enumerate(extraction.tables):
        title = compact(table.title or "")
        if want in title and not any(a in title for a in avoid):
            return ti, table
    return None


def _row(table: StatementTable, *names: str) -> int | None:
    return next((ri for ri, row in enumerate(table.rows) if row_name(row) in names and not row.code), None)


def _column(table: StatementTable, *names: str) -> str | None:
    return next((col for col in table.columns if compact(col) in names), None)


def check_amounts_against_tables(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """budget.spent / basic / project against the 支出决算表 合计 row; three_public against the 三公 table."""
    ex = ctx.extraction
    found = _find_table(ex, want="支出决算表", avoid=("财政拨款", "三公", "基本支出", "政府性基金", "国有资本"))
    if found is not None:
        ti, table = found
        ri = _row(table, "合计", "总计")
        for field, names in (("spent", ("本年支出合计", "合计", "支出合计")), ("basic", ("基本支出",)),
                             ("project", ("项目支出",))):
            col = _column(table, *names)
            mine = getattr(ex.budget, field)
            if ri is None or col is None or mine is None or table.rows[ri].values.get(col) is None:
                continue
            theirs = to_wan(table.rows[ri].values[col], table.unit)
            yield _compare([f"budget.{field}", value_path(ti, ri, col)], mine, theirs,
                           f"部门{'支出合计' if field == 'spent' else col}", "提取值", f"{table.title}合计行")
    found = _find_table(ex, want="三公")
    if found is None:
        return
    ti, table = found
    for side, col_name in (("budget", "预算数"), ("actual", "决算数")):
        col = _column(table, col_name)
        if col is None:
            continue
        for key, field in _THREE_PUBLIC_ROWS:
            ri = next((i for i, row in enumerate(table.rows) if key in row_name(row)
                       and not (field == "vehicle_purchase" and "运行" in row_name(row))), None)
            mine = getattr(getattr(ex.three_public, side), field)
            if ri is None or mine is None:
                continue
            theirs = to_wan(table.rows[ri].values.get(col), table.unit)
            yield _compare([f"three_public.{side}.{field}", value_path(ti, ri, col)], mine, theirs,
                           f"“三公”经费{table.rows[ri].name}{col_name}", "提取值", "三公经费表")


# Narrative sentences that restate a statement-table figure: (pattern, table title needle, avoid, row names).
_NARRATIVE = (
    (re.compile(rf"(?<!拨款)收入支出总计(?:为)?{_NUM}万元"), "收入支出决算总表", ("财政拨款",), ("总计",)),
    (re.compile(rf"财政拨款收入支出总计(?:为)?{_NUM}万元"), "财政拨款收入支出决算总表", (), ("总计",)),
    (re.compile(rf"本年收入合计(?:为)?{_NUM}万元"), "收入支出决算总表", ("财政拨款",), ("本年收入合计",)),
    (re.compile(rf"本年支出合计(?:为)?{_NUM}万元"), "收入支出决算总表", ("财政拨款",), ("本年支出合计",)),
    (re.compile(rf"“?三公”?经费财政拨款支出年初预算为{_NUM}万元"), "三公", (), ("合计",)),
)


def check_narrative_against_tables(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """A total the narrative states (收入支出总计 2995.39 万元) equals the table's printed total. The table
    is looked up among the extracted tables, else among the document's grids (a table the engines could
    not map is still printed)."""
    for page, text in ctx.page_texts:
        for pattern, want, avoid, names in _NARRATIVE:
            for m in pattern.finditer(text):
                stated = Decimal(m.group(1).replace(",", ""))
                what = f"第{page}页正文“{m.group(0)}”"
                found = _find_table(ctx.extraction, want=want, avoid=avoid)
                if found is not None:
                    yield from _against_statement(found, names, want, stated, what)
                else:
                    yield from _against_grid(ctx, want, avoid, names, stated, what)


def _against_statement(found: tuple[int, StatementTable], names: tuple[str, ...], want: str, stated: Decimal,
                       what: str) -> Iterator[CheckOutcome]:
    ti, table = found
    ri = _row(table, *names)
    if ri is None:
        return
    col = _column(table, "预算数") if want == "三公" else None
    col = col or next((c for c in [*table.columns, *table.rows[ri].values]
                       if table.rows[ri].values.get(c) is not None), None) or \
        (table.columns[0] if table.columns else None)
    if col is None:
        return
    printed_wan = to_wan(table.rows[ri].values.get(col), table.unit)
    yield _compare([value_path(ti, ri, col)], printed_wan, stated,
                   f"{what}与{table.title}{row_name(table.rows[ri])}不符", "表中", "正文")


def _against_grid(ctx: ValidationContext, want: str, avoid: tuple[str, ...], names: tuple[str, ...],
                  stated: Decimal, what: str) -> Iterator[CheckOutcome]:
    if ctx.doc is None:
        return
    for grid in ctx.doc.tables:
        title = compact(grid.title or "")
        if len(title) < 4 or any(a in title for a in avoid) or not (want in title or want.startswith(title)):
            continue
        cell = _grid_cell(grid, names, budget_column=want == "三公")
        if cell is None:
            continue
        printed, page = cell
        printed_wan = to_wan(printed, grid.unit)
        path = "three_public.budget.total" if want == "三公" else "source"
        yield _compare([path], printed_wan, stated,
                       f"{what}与第{page}页{grid.title}{'预算数合计' if want == '三公' else names[0]}不符",
                       "表中", "正文")
        return


def _grid_cell(grid, names: tuple[str, ...], *, budget_column: bool) -> tuple[Decimal | None, int] | None:
    """The first number in the row named `names` (or, in a 三公 grid, the 合计 预算数 cell under the header)."""
    for r, row in enumerate(grid.rows):
        texts = [compact(c.text) for c in row.cells]
        if budget_column:
            if texts and texts[0] == "预算数" and r + 1 < len(grid.rows):
                below = grid.rows[r + 1]
                number = parse_number(below.cells[0].text) if below.cells else None
                return (number.value if number else None), below.page
            continue
        for c, text in enumerate(texts):
            if text in names:
                numbers = [parse_number(cell.text) for cell in row.cells[c + 1:]]
                number = next((n for n in numbers if n is not None), None)
                if number is not None:
                    return number.value, row.page
    return None


def check_implausible_amounts(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """万元 amounts that can only be 元 (above 100 亿), and pairs of amounts ten thousand times apart."""
    ex = ctx.extraction
    scalars = [(f"budget.{f}", getattr(ex.budget, f)) for f in _AMOUNT_FIELDS]
    scalars += [(f"projects[{i}].{f}", getattr(p, f)) for i, p in enumerate(ex.projects) for f in ("budget", "spent")]
    for side in ("budget", "actual"):
        scalars += [(f"three_public.{side}.{f}", getattr(getattr(ex.three_public, side), f))
                    for f in ("total", "overseas", "vehicle_purchase", "vehicle_operation", "reception")]
    for path, value in scalars:
        if value is not None:
            yield outcome("unit_anomaly", [path], abs(value) > IMPLAUSIBLE_WAN, severity="error",
                          message=f"{path} = {fmt(value)} 万元，超过 100 亿元，疑为以元计的金额未换算为万元")
    pairs = [("budget.spent", "budget.adjusted"), ("budget.spent", "budget.initial"),
             ("three_public.actual.total", "three_public.budget.total")]
    pairs += [(f"projects[{i}].spent", f"projects[{i}].budget") for i in range(len(ex.projects))]
    values = dict(scalars)
    for a, b in pairs:
        if values.get(a) is not None and values.get(b) is not None:
            yield outcome("unit_anomaly", [a, b], _is_ten_thousand_off(values[a], values[b]), severity="error",
                          message=f"{a} = {fmt(values[a])} 与 {b} = {fmt(values[b])} 相差约一万倍，疑为元与万元混用")


_YUAN = re.compile(rf"{_NUM}元")
_PER_HEAD = ("每", "人均", "标准", "单价", "/")


def check_yuan_in_wan_text(ctx: ValidationContext) -> Iterator[CheckOutcome]:
    """A narrative amount in 元 among amounts in 万元 (三公经费决算数5.07元，其中：…0.00万元)."""
    if ctx.doc is None:
        return
    wan_numbers = {m.group(1) for m in re.finditer(rf"{_NUM}万元", ctx.doc_text)}
    known = _extracted_amounts(ctx.extraction)
    for page, text in ctx.page_texts:
        for sentence in re.split(r"(?<=[。；;])", text):
            for m in _YUAN.finditer(sentence):
                number = m.group(1)
                before = sentence[max(0, m.start() - 1):m.start()]
                if before and (before in "万千亿" or before.isdigit()):
                    continue
                if any(p in sentence[max(0, m.start() - 8):m.start()] for p in _PER_HEAD) or "/" in sentence[m.end():m.end() + 1]:
                    continue
                value = Decimal(number.replace(",", ""))
                same_elsewhere = number in wan_numbers
                wan_neighbours = "万元" in sentence and value < 100000 and "." in number
                if not (same_elsewhere or wan_neighbours):
                    continue
                path = known.get(value, "source")
                yield outcome("unit_anomaly", [path], True, severity="warning",
                              message=f"第{page}页正文“{sentence[max(0, m.start() - 12):m.end()]}”以元为单位，"
                                      f"而同处金额均以万元计{'（同一数字在别处为万元）' if same_elsewhere else ''}，疑为单位笔误")


def _extracted_amounts(ex: ReportExtraction) -> dict[Decimal, str]:
    found: dict[Decimal, str] = {}
    for side in ("actual", "budget"):
        for f in ("total", "overseas", "vehicle_purchase", "vehicle_operation", "reception"):
            value = getattr(getattr(ex.three_public, side), f)
            if value is not None:
                found.setdefault(value, f"three_public.{side}.{f}")
    for f in _AMOUNT_FIELDS:
        value = getattr(ex.budget, f)
        if value is not None:
            found.setdefault(value, f"budget.{f}")
    return found
