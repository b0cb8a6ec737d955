"""Author the bundled sample report: an invented county 人社局 2024 self-evaluation with consistent numbers.

Run once from the project root: `.venv/bin/python samples/make_sample.py`. It writes, and the repository
keeps, three files beside this script:

- sample-county-hrss-2024.pdf          digital PDF, text layer, ruled tables, 3 A4 pages
- sample-county-hrss-2024-scanned.pdf  the same pages rendered at 200 dpi grayscale, image only
- README.md                             the true values, generated from the same data as the PDF

Every name is fictional (示例省示例县). The figures are authored once below and checked before
anything is drawn: each parent 科目 is the sum of its children, 合计 = 基本支出 + 项目支出, the
weights sum to 100 and the scores to the 自评得分.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
DIGITAL = HERE / "sample-county-hrss-2024.pdf"
SCANNED = HERE / "sample-county-hrss-2024-scanned.pdf"
README = HERE / "README.md"
SCAN_DPI = 200

D = Decimal

# --- the report's facts ---------------------------------------------------------------------------

DEPARTMENT = "示例省示例县人力资源和社会保障局"
REGION = "示例省示例县"
FISCAL_YEAR = 2024
REPORT_DATE = "2025-04-30"
BUDGET_CODE = "999001"
AUTHORIZED, AUTHORIZED_ADMIN, AUTHORIZED_PUBLIC = 35, 28, 7
ACTUAL = 31

INITIAL = D("1286.40")
ADJUSTED = D("1560.00")
SPENT = D("1528.80")
EXECUTION_RATE = D("98.00")
SCORE = D("97.30")
GRADE = "优"

THREE_PUBLIC = [  # (name, 预算数, 决算数), 万元
    ("因公出国(境)费", D("0.00"), D("0.00")),
    ("公务用车购置费", D("0.00"), D("0.00")),
    ("公务用车运行维护费", D("4.50"), D("3.86")),
    ("公务接待费", D("2.00"), D("1.24")),
]


@dataclass(frozen=True)
class Indicator:
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: Decimal
    score: Decimal


INDICATORS = [
    Indicator("过程指标", "预算执行", "预算执行率", "≥95%", "98.00%", D("10"), D("9.80")),
    Indicator("产出指标", "数量指标", "城镇新增就业人数", "≥1200人", "1356人", D("10"), D("10")),
    Indicator("产出指标", "数量指标", "职业技能培训人次", "≥800人次", "742人次", D("10"), D("9")),
    Indicator("产出指标", "质量指标", "社会保险待遇发放准确率", "100%", "100%", D("10"), D("10")),
    Indicator("产出指标", "时效指标", "各项待遇按时发放率", "100%", "100%", D("10"), D("10")),
    Indicator("成本指标", "经济成本指标", "“三公”经费控制数", "≤6.50万元", "5.10万元", D("10"), D("10")),
    Indicator("效益指标", "社会效益指标", "城镇登记失业率", "≤4.5%", "3.8%", D("10"), D("10")),
    Indicator("效益指标", "社会效益指标", "劳动人事争议仲裁结案率", "≥95%", "96.4%", D("10"), D("10")),
    Indicator("效益指标", "可持续影响指标", "社会保险参保覆盖率", "≥97%", "96.2%", D("10"), D("9")),
    Indicator("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥96%", "95.0%", D("10"), D("9.50")),
]

# 支出决算表 leaves (科目编码, 科目名称, 基本支出, 项目支出), 万元; parents are computed.
LEAVES = [
    ("2080101", "行政运行", D("446.35"), D("12.60")),
    ("2080102", "一般行政管理事务", None, D("86.40")),
    ("2080106", "就业管理事务", None, D("124.50")),
    ("2080109", "社会保险经办机构", None, D("97.30")),
    ("2080505", "机关事业单位基本养老保险缴费支出", D("58.32"), None),
    ("2080506", "机关事业单位职业年金缴费支出", D("29.16"), None),
    ("2080704", "社会保险补贴", None, D("402.18")),
    ("2080799", "其他就业补助支出", None, D("193.34")),
    ("2101101", "行政单位医疗", D("31.85"), None),
    ("2210201", "住房公积金", D("46.80"), None),
]
PARENT_NAMES = {
    "208": "社会保障和就业支出", "20801": "人力资源和社会保障管理事务", "20805": "行政事业单位养老支出",
    "20807": "就业补助", "210": "卫生健康支出", "21011": "行政事业单位医疗", "221": "住房保障支出",
    "22102": "住房改革支出",
}

PROBLEMS = [
    "部分项目支出进度偏慢。职业技能培训补贴资金下半年集中拨付，全年培训742人次，未达到800人次的年度目标。",
    "绩效目标设置不够细化。个别指标以定性描述为主，难以量化考核，指标与预算的衔接不够紧密。",
    "窗口服务质量仍有提升空间。服务对象满意度为95.0%，略低于96%的年度目标值。",
]
MEASURES = [
    "加强预算执行监控。按月调度项目支出进度，确保培训补贴资金均衡拨付，按期完成年度培训任务。",
    "完善绩效目标管理。细化量化绩效指标，提高指标的可衡量性，强化绩效目标与预算编制的衔接。",
    "优化窗口服务流程。推行“一窗通办”和限时办结制度，定期回访服务对象，提升满意度。",
]


@dataclass(frozen=True)
class StatementRow:
    code: str | None
    name: str
    basic: Decimal | None
    project: Decimal | None

    @property
    def total(self) -> Decimal:
        return (self.basic or D(0)) + (self.project or D(0))


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None and b is None else (a or D(0)) + (b or D(0))


def statement_rows() -> list[StatementRow]:
    """合计 first, then each 类, 款 and 项 in code order; parents are the sums of their leaves."""
    sums: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for code, _name, basic, project in LEAVES:
        for prefix in (code[:3], code[:5]):
            old_basic, old_project = sums.get(prefix, (None, None))
            sums[prefix] = (_add(old_basic, basic), _add(old_project, project))
    rows: list[StatementRow] = []
    for code, name, basic, project in LEAVES:
        for prefix in (code[:3], code[:5]):
            if all(row.code != prefix for row in rows):
                rows.append(StatementRow(prefix, PARENT_NAMES[prefix], *sums[prefix]))
        rows.append(StatementRow(code, name, basic, project))
    basic_total = sum((row.basic or D(0) for row in rows if len(row.code) == 3), D(0))
    project_total = sum((row.project or D(0) for row in rows if len(row.code) == 3), D(0))
    return [StatementRow(None, "合计", basic_total, project_total), *rows]


def check_consistency(rows: list[StatementRow]) -> None:
    """The identities a reader (and the validators) may rely on; the script refuses to draw otherwise."""
    total = rows[0]
    assert total.total == SPENT, (total.total, SPENT)
    assert EXECUTION_RATE == (SPENT / ADJUSTED * 100).quantize(D("0.01"))
    by_code = {row.code: row for row in rows if row.code}
    for code, row in by_code.items():
        children = [child for child in by_code.values() if child.code.startswith(code) and
                    len(child.code) == len(code) + 2]
        if children:
            assert row.total == sum((child.total for child in children), D(0)), code
            assert row.basic == _sum_or_none([child.basic for child in children]), code
            assert row.project == _sum_or_none([child.project for child in children]), code
    assert sum((i.weight for i in INDICATORS), D(0)) == 100
    assert sum((i.score for i in INDICATORS), D(0)) == SCORE
    assert INDICATORS[0].actual == f"{EXECUTION_RATE}%"
    assert INDICATORS[0].score == EXECUTION_RATE / 10
    assert GRADE == "优" and SCORE >= 90
    budget_total = sum((b for _, b, _ in THREE_PUBLIC), D(0))
    actual_total = sum((a for _, _, a in THREE_PUBLIC), D(0))
    assert INDICATORS[5].target == f"≤{budget_total}万元" and INDICATORS[5].actual == f"{actual_total}万元"
    assert AUTHORIZED == AUTHORIZED_ADMIN + AUTHORIZED_PUBLIC


def _sum_or_none(values: list[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, D(0)) if present else None


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


# --- drawing --------------------------------------------------------------------------------------

A4 = pymupdf.paper_rect("a4")
MARGIN_X = 64.0
TOP = 64.0
BOTTOM = A4.height - 70.0
BODY_SIZE = 11.0
TABLE_SIZE = 9.5
LINE = 18.5


class Writer:
    """Places text and ruled tables on A4 pages top to bottom, opening a new page when one is full."""

    def __init__(self, doc: pymupdf.Document, font: pymupdf.Font):
        self.doc, self.font = doc, font
        self.page: pymupdf.Page | None = None
        self.y = TOP
        self.new_page()

    def new_page(self) -> None:
        if self.page is not None:
            self._finish_page()
        self.page = self.doc.new_page(width=A4.width, height=A4.height)
        self.y = TOP

    def _finish_page(self) -> None:
        number = f"— {self.page.number + 1} —"
        self.text(number, (A4.width - self.width(number, 10)) / 2, A4.height - 40, 10)

    def close(self) -> None:
        self._finish_page()

    def width(self, text: str, size: float) -> float:
        return self.font.text_length(text, fontsize=size)

    def text(self, text: str, x: float, baseline: float, size: float) -> None:
        writer = pymupdf.TextWriter(self.page.rect)
        writer.append((x, baseline), text, font=self.font, fontsize=size)
        writer.write_text(self.page)

    def wrap(self, text: str, width: float, size: float, first_indent: float = 0) -> list[str]:
        """Break text into lines no wider than width; runs of digits and latin letters are not split."""
        tokens: list[str] = []
        for ch in text:
            if tokens and (ch.isascii() and ch not in " ") and tokens[-1][-1].isascii() and tokens[-1][-1] != " ":
                tokens[-1] += ch
            else:
                tokens.append(ch)
        lines, current, limit = [], "", width - first_indent
        for token in tokens:
            if current and self.width(current + token, size) > limit and token not in "，。；、：）”":
                lines.append(current)
                current, limit = token, width
            else:
                current += token
        if current:
            lines.append(current)
        return lines

    def ensure(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self.new_page()

    def title(self, text: str, size: float, gap: float = 10) -> None:
        self.ensure(size + gap)
        self.y += size
        self.text(text, (A4.width - self.width(text, size)) / 2, self.y, size)
        self.y += gap

    def heading(self, text: str) -> None:
        self.ensure(LINE * 2)
        self.y += LINE
        self.text(text, MARGIN_X, self.y, BODY_SIZE + 0.5)
        self.y += 5

    def paragraph(self, text: str, indent: bool = True) -> None:
        width = A4.width - 2 * MARGIN_X
        first = 2 * BODY_SIZE if indent else 0
        for index, line in enumerate(self.wrap(text, width, BODY_SIZE, first)):
            self.ensure(LINE)
            self.y += LINE
            self.text(line, MARGIN_X + (first if index == 0 else 0), self.y, BODY_SIZE)

    def right(self, text: str, size: float = BODY_SIZE) -> None:
        self.ensure(LINE)
        self.y += LINE
        self.text(text, A4.width - MARGIN_X - self.width(text, size), self.y, size)

    def table(self, widths: list[float], rows: list[list[str]], aligns: str, header_rows: int = 1,
              spans: dict[tuple[int, int], int] | None = None, min_height: float = 20) -> None:
        """A ruled table. spans maps (row, col) to how many rows that cell covers downwards (text centred).

        Rows that do not fit continue on the next page without a repeated header, as many reports print them.
        """
        spans = spans or {}
        covered = {(r + k, c) for (r, c), n in spans.items() for k in range(1, n)}
        heights = []
        for r, row in enumerate(rows):
            lines = max(len(self.wrap(text, widths[c] - 6, TABLE_SIZE)) if (r, c) not in covered and
                        (r, c) not in spans else 1 for c, text in enumerate(row))
            heights.append(max(min_height, lines * (TABLE_SIZE + 3) + 8))
        x0 = (A4.width - sum(widths)) / 2
        lefts = [x0 + sum(widths[:c]) for c in range(len(widths) + 1)]
        r = 0
        while r < len(rows):
            self.ensure(heights[r])
            start, top = r, self.y
            while r < len(rows) and self.y + heights[r] <= BOTTOM:
                self.y += heights[r]
                r += 1
            tops = [top + sum(heights[start:k]) for k in range(start, r + 1)]
            self._rules(lefts, tops, start, r, covered)
            for row_index in range(start, r):
                for c, text in enumerate(rows[row_index]):
                    if (row_index, c) in covered or not text:
                        continue
                    span = min(spans.get((row_index, c), 1), r - row_index)
                    cell = pymupdf.Rect(lefts[c], tops[row_index - start], lefts[c + 1],
                                        tops[row_index - start + span])
                    align = "c" if row_index < header_rows else aligns[c]
                    self._cell_text(text, cell, align)
            if r < len(rows):
                self.new_page()

    def _rules(self, lefts: list[float], tops: list[float], start: int, stop: int,
               covered: set[tuple[int, int]]) -> None:
        shape = self.page.new_shape()
        for k, y in enumerate(tops):
            row = start + k  # the rule above row `row`; a merged cell has no rule inside it
            for c in range(len(lefts) - 1):
                if (row, c) in covered and 0 < k < len(tops) - 1:
                    continue
                shape.draw_line((lefts[c], y), (lefts[c + 1], y))
        for x in lefts:
            shape.draw_line((x, tops[0]), (x, tops[-1]))
        shape.finish(color=(0, 0, 0), width=0.7)
        shape.commit()

    def _cell_text(self, text: str, cell: pymupdf.Rect, align: str) -> None:
        lines = self.wrap(text, cell.width - 6, TABLE_SIZE)
        height = len(lines) * (TABLE_SIZE + 3)
        baseline = cell.y0 + (cell.height - height) / 2 + TABLE_SIZE
        for line in lines:
            width = self.width(line, TABLE_SIZE)
            x = {"l": cell.x0 + 4, "r": cell.x1 - 4 - width, "c": cell.x0 + (cell.width - width) / 2}[align]
            self.text(line, x, baseline, TABLE_SIZE)
            baseline += TABLE_SIZE + 3


def _runs(values: list[str]) -> dict[int, int]:
    """Start index -> length of each run of equal consecutive values (for merged 一级/二级 cells)."""
    runs, start = {}, 0
    for index in range(1, len(values) + 1):
        if index == len(values) or values[index] != values[start]:
            runs[start] = index - start
            start = index
    return runs


def draw_report(rows: list[StatementRow]) -> pymupdf.Document:
    doc = pymupdf.open()
    writer = Writer(doc, pymupdf.Font("cjk"))
    three_budget = sum((b for _, b, _ in THREE_PUBLIC), D(0))
    three_actual = sum((a for _, _, a in THREE_PUBLIC), D(0))
    basic, project = rows[0].basic, rows[0].project

    writer.title(DEPARTMENT, 18, 8)
    writer.title(f"{FISCAL_YEAR}年度部门整体支出绩效自评报告", 18, 14)
    writer.title("（示例报告：单位名称与全部数据均为虚构，仅供演示）", 9.5, 6)
    writer.paragraph(f"部门（单位）名称：{DEPARTMENT}", indent=False)
    writer.paragraph(f"预算编码：{BUDGET_CODE}", indent=False)
    writer.paragraph("报告日期：2025年4月30日", indent=False)

    writer.heading("一、部门基本情况")
    writer.paragraph("（一）机构设置", indent=False)
    writer.paragraph(f"{REGION}人力资源和社会保障局是县人民政府工作部门，为正科级行政单位。内设办公室、就业促进股、"
                     "社会保险股、劳动关系股、人事人才股5个股室，下设县就业服务中心、县社会保险服务中心2个二级机构。")
    writer.paragraph("（二）人员编制情况", indent=False)
    writer.paragraph(f"{FISCAL_YEAR}年末，本部门编制数{AUTHORIZED}人，其中行政编制{AUTHORIZED_ADMIN}人、"
                     f"事业编制{AUTHORIZED_PUBLIC}人；实有人数{ACTUAL}人。")

    writer.heading("二、部门预算及执行情况")
    writer.paragraph("（一）预算收支情况", indent=False)
    writer.paragraph(f"{FISCAL_YEAR}年年初预算数{money(INITIAL)}万元，全年预算数{money(ADJUSTED)}万元（含年中追加的就业"
                     f"补助资金{money(ADJUSTED - INITIAL)}万元），全年执行数{money(SPENT)}万元，预算执行率"
                     f"{EXECUTION_RATE}%。")
    writer.paragraph("（二）支出结构", indent=False)
    writer.paragraph(f"全年执行数中，基本支出{money(basic)}万元，主要用于人员工资福利和日常公用经费；项目支出"
                     f"{money(project)}万元，主要用于社会保险补贴、就业补助和一般行政管理事务。")
    writer.paragraph("（三）“三公”经费情况", indent=False)
    writer.paragraph(f"{FISCAL_YEAR}年“三公”经费预算数{three_budget}万元，决算数{three_actual}万元。其中：因公出国(境)费"
                     f"{THREE_PUBLIC[0][2]}万元，公务用车购置费{THREE_PUBLIC[1][2]}万元，公务用车运行维护费"
                     f"{THREE_PUBLIC[2][2]}万元，公务接待费{THREE_PUBLIC[3][2]}万元。")
    writer.y += 10
    writer.title("“三公”经费预算及决算情况表", 12, 2)
    writer.right("单位：万元", 9.5)
    writer.y += 4
    table = [["项目", "预算数", "决算数"], ["合计", money(three_budget), money(three_actual)]]
    table += [[name, money(budget), money(actual)] for name, budget, actual in THREE_PUBLIC]
    writer.table([180, 120, 120], table, "lrr")

    writer.heading("三、部门整体支出绩效自评情况")
    writer.paragraph(f"经自评，本部门{FISCAL_YEAR}年度整体支出绩效自评得分{SCORE}分，等级为“{GRADE}”。评价等级划分标准："
                     "90分（含）以上为优，80分（含）至90分为良，60分（含）至80分为中，60分以下为差。各项指标得分"
                     "详见附表1。")

    writer.new_page()
    writer.heading("四、存在的问题")
    for number, text in enumerate(PROBLEMS, 1):
        writer.paragraph(f"{number}. {text}")
    writer.heading("五、改进措施")
    for number, text in enumerate(MEASURES, 1):
        writer.paragraph(f"{number}. {text}")

    writer.y += 14
    writer.paragraph("附表1", indent=False)
    writer.title(f"{FISCAL_YEAR}年度部门整体支出绩效自评表", 12, 8)
    header = ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分"]
    body = [[i.level1, i.level2, i.name, i.target, i.actual, f"{i.weight}", f"{i.score}"] for i in INDICATORS]
    total = ["总分", "", "", "", "", f"{sum((i.weight for i in INDICATORS), D(0))}", f"{SCORE}"]
    spans = {(start + 1, 0): n for start, n in _runs([i.level1 for i in INDICATORS]).items() if n > 1}
    pairs = [f"{i.level1}/{i.level2}" for i in INDICATORS]
    spans |= {(start + 1, 1): n for start, n in _runs(pairs).items() if n > 1}
    writer.table([62, 78, 118, 66, 66, 38, 40], [header, *body, total], "llllccc", spans=spans)

    writer.y += 10
    writer.paragraph("附表2", indent=False)
    writer.title("支出决算表", 12, 2)
    writer.right("单位：万元", 9.5)
    writer.y += 4
    statement = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
    statement += [[row.code or "", row.name, money(row.total), money(row.basic), money(row.project)] for row in rows]
    writer.table([62, 170, 78, 78, 78], statement, "llrrr")

    writer.y += 16
    writer.right(f"填报单位：{DEPARTMENT}")
    writer.right("填报日期：2025年4月30日")
    writer.close()
    doc.set_metadata({"title": f"{DEPARTMENT}{FISCAL_YEAR}年度部门整体支出绩效自评报告（示例）",
                      "author": "sample generator (fictional data)", "creator": "samples/make_sample.py"})
    doc.subset_fonts()
    return doc


def scan(doc: pymupdf.Document) -> pymupdf.Document:
    """Each page rendered at SCAN_DPI in grayscale and placed as the only content of a page of the same size."""
    scanned = pymupdf.open()
    for page in doc:
        pixmap = page.get_pixmap(dpi=SCAN_DPI, colorspace=pymupdf.csGRAY)
        target = scanned.new_page(width=page.rect.width, height=page.rect.height)
        target.insert_image(target.rect, pixmap=pixmap)
    scanned.set_metadata({"title": "scanned sample (image only)", "creator": "samples/make_sample.py"})
    return scanned


def readme(rows: list[StatementRow], pages: int, digital_size: int, scanned_size: int) -> str:
    three_budget = sum((b for _, b, _ in THREE_PUBLIC), D(0))
    three_actual = sum((a for _, _, a in THREE_PUBLIC), D(0))
    lines = [
        "# Sample report (fictional)",
        "",
        f"`{DIGITAL.name}` ({pages} A4 pages, text layer, {digital_size // 1024} KB) and "
        f"`{SCANNED.name}` (the same pages rendered at {SCAN_DPI} dpi grayscale, image only, "
        f"{scanned_size // 1024} KB) are made by `make_sample.py` (run once: "
        "`.venv/bin/python samples/make_sample.py`). Every name and number is invented. "
        "The values below are the ones the script drew, listed so that an extraction can be checked "
        "by hand; paths follow ../shared/SCHEMA.md. Amounts in 万元.",
        "",
        "Layout: page 1 narrative and the 三公 table; page 2 存在的问题, 改进措施, 附表1 (indicator table with "
        "merged 一级/二级 cells) and the start of 附表2 支出决算表, which continues on page 3 without a "
        "repeated header. Page numbers `— n —` at the foot of each page.",
        "",
        "## Scalars",
        "| path | value |",
        "|---|---|",
        f"| meta.department | {DEPARTMENT} |",
        f"| meta.region | {REGION} |",
        f"| meta.fiscal_year | {FISCAL_YEAR} |",
        "| meta.report_type | performance_self_evaluation |",
        f"| meta.report_date | {REPORT_DATE} |",
        f"| meta.budget_code | {BUDGET_CODE} |",
        f"| staffing.authorized | {AUTHORIZED} (行政 {AUTHORIZED_ADMIN} + 事业 {AUTHORIZED_PUBLIC}) |",
        f"| staffing.actual | {ACTUAL} |",
        f"| budget.initial | {INITIAL} |",
        f"| budget.adjusted | {ADJUSTED} |",
        f"| budget.spent | {SPENT} |",
        f"| budget.execution_rate | {EXECUTION_RATE} |",
        f"| budget.basic | {rows[0].basic} |",
        f"| budget.project | {rows[0].project} |",
        f"| evaluation.score | {SCORE} |",
        f"| evaluation.grade | {GRADE} (bands printed: 90分（含）以上为优，80分（含）至90分为良，60分（含）至80分为中，60分以下为差) |",
        "",
        "## three_public (三公经费)",
        "| item | budget | actual |",
        "|---|---|---|",
        f"| total (合计) | {three_budget} | {three_actual} |",
    ]
    keys = ["overseas", "vehicle_purchase", "vehicle_operation", "reception"]
    lines += [f"| {key} ({name}) | {budget} | {actual} |" for key, (name, budget, actual) in zip(keys, THREE_PUBLIC, strict=True)]
    lines += [
        "",
        f"## indicators ({len(INDICATORS)} rows; weights sum to 100, scores to {SCORE})",
        f"Printed as 附表1, title {FISCAL_YEAR}年度部门整体支出绩效自评表, with a 总分 row (100 / {SCORE}).",
        "",
        "| # | level1 | level2 | name | target | actual | weight | score |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {n} | {i.level1} | {i.level2} | {i.name} | {i.target} | {i.actual} | {i.weight} | {i.score} |"
              for n, i in enumerate(INDICATORS)]
    lines += [
        "",
        "## tables[]: 支出决算表 (printed as 附表2, title 支出决算表, unit 万元, columns 合计 / 基本支出 / 项目支出)",
        "Every parent 科目 is the sum of its children and 合计 = 基本支出 + 项目支出 in every row; an empty "
        "cell is printed blank and is `null`.",
        "",
        "| code | name | 合计 | 基本支出 | 项目支出 |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {row.code or ''} | {row.name} | {row.total} | {row.basic or ''} | {row.project or ''} |"
              for row in rows]
    lines += ["", "The 三公 table is also a printed table: title “三公”经费预算及决算情况表, unit 万元, "
              "columns 预算数 / 决算数, rows 合计, 因公出国(境)费, 公务用车购置费, 公务用车运行维护费, 公务接待费.",
              "", "## problems[]"]
    lines += [f"{n}. {text}" for n, text in enumerate(PROBLEMS, 1)]
    lines += ["", "## measures[]"]
    lines += [f"{n}. {text}" for n, text in enumerate(MEASURES, 1)]
    return "\n".join(lines) + "\n"


def verify(rows: list[StatementRow]) -> None:
    """Read both files back: the text layer holds the authored values, the scan holds images only."""
    with pymupdf.open(DIGITAL) as doc:
        pages = [page.get_text() for page in doc]
    text = "".join(pages)
    for expected in (DEPARTMENT, f"编制数{AUTHORIZED}人", f"实有人数{ACTUAL}人", money(INITIAL), money(ADJUSTED),
                     money(SPENT), f"{EXECUTION_RATE}%", f"{SCORE}分", "90分（含）以上为优", *PROBLEMS, *MEASURES):
        assert expected in text.replace("\n", ""), expected
    assert "支出决算表" in pages[1] and "2080101" in pages[2], "支出决算表 continues from page 2 to page 3"
    assert all(money(row.total) in text for row in rows)
    with pymupdf.open(SCANNED) as scanned:
        assert all(not page.get_text().strip() and len(page.get_images()) == 1 for page in scanned)


def main() -> None:
    rows = statement_rows()
    check_consistency(rows)
    doc = draw_report(rows)
    assert doc.page_count == 3, f"layout drifted to {doc.page_count} pages; README describes 3"
    doc.save(DIGITAL, garbage=4, deflate=True, no_new_id=True)
    scanned = scan(doc)
    scanned.save(SCANNED, garbage=4, deflate=True, no_new_id=True)
    verify(rows)
    README.write_text(readme(rows, doc.page_count, DIGITAL.stat().st_size, SCANNED.stat().st_size),
                      encoding="utf-8")
    print(f"{DIGITAL.name}: {doc.page_count} pages, {DIGITAL.stat().st_size} bytes")
    print(f"{SCANNED.name}: {scanned.page_count} pages, {SCANNED.stat().st_size} bytes")


if __name__ == "__main__":
    main()
