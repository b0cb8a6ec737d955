"""table_reader: values read from cells with Decimal, evidence per value, units and names normalised."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.extract.table_reader import (
    clean_name,
    clean_text,
    normalise_code,
    read_indicators,
    read_project,
    read_statement,
    to_wan,
)
from extractor.ingest import ingest
from schemas.document import Cell, TableGrid, TableRow
from schemas.mapping import CellRef, IndicatorMapping, ProjectMapping, StatementMapping, StatementSide
from tests.conftest import pdf, seed


def _grid_from_seed_lines(first: str, last: str) -> TableGrid:
    """A grid built straight from the seed's tab-separated lines between two marker lines (inclusive)."""
    lines = seed("002").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    stop = next(i for i, line in enumerate(lines) if i > start and line.startswith(last))
    rows = [line.split("\t") for line in lines[start:stop + 1] if "\t" in line]
    width = max(len(row) for row in rows)
    return TableGrid(id="t", title="支出决算表", unit="万元", page_start=1, page_end=1, n_cols=width,
                     rows=[TableRow(page=1, cells=[Cell(text=t) for t in row + [""] * (width - len(row))])
                           for row in rows])


@pytest.fixture(scope="module")
def finance():
    return ingest(pdf("putuo-finance-2024-final-accounts"))


def test_clean_name_strips_enumerators_and_repairs_glyphs():
    assert clean_name("一、一般公共预算财政拨款收入") == "一般公共预算财政拨款收入"
    assert clean_name("- 、一般公共预算财政拨款收入") == "一般公共预算财政拨款收入"
    assert clean_name("（一）公用经费管控") == "公用经费管控"
    assert clean_name("1. 一般公共预算") == "一般公共预算"
    assert clean_name("숨计") == "合计"
    assert clean_name("二十一、国有资本经营预算支出") == "国有资本经营预算支出"
    assert clean_text("99. 16%") == "99.16%"
    assert clean_text("≤1430.4 万元") == "≤1430.4 万元"
    assert clean_text("≥ 95%") == "≥95%"
    assert clean_name("支出決算表") == "支出决算表"


def test_normalise_code_joins_category_columns_and_rejects_others():
    assert normalise_code("201", "06", "01") == "2010601"
    assert normalise_code("2080101") == "2080101"
    assert normalise_code("类款项") is None
    assert normalise_code("2024") is None


def test_to_wan_is_exact():
    assert to_wan(Decimal("96282213.44"), "元") == Decimal("9628.221344")
    assert to_wan(Decimal("2940.05"), "万元") == Decimal("2940.05")


def test_read_statement_on_seed_lines_repairs_numbers_and_flags_them():
    grid = _grid_from_seed_lines("类款项\t栏次", "2080102\t")
    mapping = StatementMapping(table_id="t", data_rows=[1, 2, 3, 4], sides=[
        StatementSide(code=0, name=1, values={"本年支出合计": 2, "基本支出": 3, "项目支出": 4})])
    table, evidence, flags = read_statement(grid, mapping, "tables[2]")
    assert [row.code for row in table.rows] == [None, "208", "20801", "2080101"]
    assert table.rows[0].name == "合计"
    row = table.rows[3]
    assert row.name == "行政运行"
    assert row.values == {"本年支出合计": Decimal("1688.19"), "基本支出": Decimal("1068.55"),
                          "项目支出": Decimal("619.63")}
    assert table.rows[0].values["本年支出合计"] == Decimal("14344.12")  # printed '14, 344. 12'
    assert evidence["tables[2].rows[3].values.基本支出"].quote == "1,068.55"
    repaired = [flag for flag in flags if flag.path == "tables[2].rows[0].values.本年支出合计"]
    assert repaired and repaired[0].rule == "ocr_repair"
    assert evidence["tables[2].rows[0].values.本年支出合计"].confidence < 1.0


def test_read_statement_two_sided_pdf_table_income_side_first(finance):
    grid = next(t for t in finance.tables if t.title == "收入支出决算总表")
    data = [i for i in range(2, len(grid.rows))]
    mapping = StatementMapping(table_id=grid.id, data_rows=data, sides=[
        StatementSide(name=0, values={"决算数": 1}), StatementSide(name=2, values={"决算数": 3})])
    table, evidence, _ = read_statement(grid, mapping, "tables[0]")
    assert table.unit == "万元"
    assert table.rows[0].name == "一般公共预算财政拨款收入"
    assert table.rows[0].values["决算数"] == Decimal("2940.05")
    first_expense = next(i for i, row in enumerate(table.rows) if row.name == "一般公共服务支出")
    assert all("收入" in row.name or "结" in row.name or row.name == "总计" for row in table.rows[:first_expense])
    assert table.rows[first_expense].values["决算数"] == Decimal("2106.66")
    found = evidence["tables[0].rows[0].values.决算数"]
    assert found.page == 6 and found.bbox is not None and found.quote == "2,940.05" and found.confidence == 1.0


def test_read_indicators_carries_merged_levels_down():
    rows = [["产出指标 (40分)", "数量指标", "开展业务学习", "≥100 人次", "≥100 人次", "5", ""],
            ["", "", "组织各类人事招考", "≥2 场", "≥2 场", "5", "5"]]
    grid = TableGrid(id="t", page_start=1, page_end=1, n_cols=7,
                     rows=[TableRow(page=1, cells=[Cell(text=t) for t in row]) for row in rows])
    mapping = IndicatorMapping(table_id="t", data_rows=[0, 1], level1=0, level2=1, name=2, target=3, actual=4,
                               weight=5, score=6)
    indicators, evidence, _ = read_indicators(grid, mapping, "indicators")
    assert indicators[1].level1 == "产出指标" and indicators[1].level2 == "数量指标"
    assert indicators[0].score is None and indicators[0].weight == Decimal("5")
    assert indicators[1].target == "≥2 场"
    assert evidence["indicators[1].level1"].quote == "产出指标 (40分)"


def test_read_project_converts_yuan_and_fraction_rates():
    rows = [["项目名称", "人民调解"], ["预算数", "执行数", "执行率"], ["7950000.00", "7900000.00", "0.99"]]
    grid = TableGrid(id="t", unit="元", page_start=1, page_end=1, n_cols=3,
                     rows=[TableRow(page=1, cells=[Cell(text=t) for t in row + [""] * (3 - len(row))])
                           for row in rows])
    mapping = ProjectMapping(table_id="t", name=CellRef(row=0, col=1), budget=CellRef(row=2, col=0),
                             spent=CellRef(row=2, col=1), execution_rate=CellRef(row=2, col=2))
    project, evidence, flags = read_project(grid, mapping, "projects[0]")
    assert project.name == "人民调解"
    assert project.budget == Decimal("795") and project.spent == Decimal("790")
    assert project.execution_rate == Decimal("99")
    assert any(flag.rule == "rate_as_fraction" for flag in flags)
    assert evidence["projects[0].budget"].quote == "7950000.00"
