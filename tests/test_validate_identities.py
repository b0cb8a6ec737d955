"""row_identity: identities inside a row and across the two sides of a 收入 | 支出 table (real values)."""

from __future__ import annotations

from decimal import Decimal

from extractor.validate import validate
from schemas.extraction import ReportExtraction, StatementRow, StatementTable
from tests.test_validate_sums import justice_expenditure_table

D = Decimal


def _flags(*tables: StatementTable, rule: str = "row_identity"):
    return [f for f in validate(ReportExtraction(tables=list(tables))).flags if f.rule == rule]


def _one(name: str, value: str | None, column: str = "决算数") -> StatementRow:
    return StatementRow(name=name, values={column: D(value) if value is not None else None})


def finance_overview_table() -> StatementTable:
    """收入支出决算总表, putuo-finance-2024-final-accounts.pdf p.6-7: income side, then expenditure side."""
    income = [_one("一般公共预算财政拨款收入", "2940.05"), _one("政府性基金预算财政拨款收入", None),
              _one("上级补助收入", None), _one("其他收入", "6.20"), _one("本年收入合计", "2946.25"),
              _one("使用非财政拨款结余（含专用结余）", None), _one("年初结转和结余", "49.14"), _one("总计", "2995.39")]
    expense = [_one("一般公共服务支出", "2106.66"), _one("外交支出", None), _one("社会保障和就业支出", "326.71"),
               _one("卫生健康支出", "60.99"), _one("住房保障支出", "445.69"), _one("本年支出合计", "2940.05"),
               _one("结余分配", None), _one("年末结转和结余", "55.34"), _one("总计", "2995.39")]
    return StatementTable(title="收入支出决算总表", unit="万元", columns=["决算数"], rows=income + expense)


def test_justice_row_2040601_does_not_add_up():
    flags = _flags(justice_expenditure_table())
    by_path = {f.path: f for f in flags}
    flag = by_path["tables[0].rows[2].values.合计"]
    assert "2040601 行政运行" in flag.message
    assert "14,348,853.34" in flag.message and "64,840,547.00" in flag.message and "差 64,840,547.00" in flag.message
    assert set(flag.related) == {"tables[0].rows[2].values.基本支出", "tables[0].rows[2].values.项目支出"}
    # the 合计 row carries the basic total printed without its cents
    assert "差 0.34" in by_path["tables[0].rows[21].values.合计"].message
    assert set(by_path) == {"tables[0].rows[2].values.合计", "tables[0].rows[21].values.合计"}


def test_finance_overview_two_sides_balance():
    assert _flags(finance_overview_table()) == []
    assert _flags(finance_overview_table(), rule="subtotal_sum") == []


def test_income_side_grand_total_checked_against_year_total_and_carry_over():
    table = finance_overview_table()
    table.rows[6].values["决算数"] = D("94.14")  # 年初结转和结余 49.14 -> 94.14
    paths = {f.path for f in _flags(table)}
    assert "tables[0].rows[7].values.决算数" in paths  # income 总计 ≠ 本年收入合计 + 年初结转和结余


def test_sides_must_have_equal_grand_totals():
    table = finance_overview_table()
    table.rows[-1].values["决算数"] = D("2959.39")
    flags = _flags(table)
    assert any("收入方总计 2,995.39 ≠ 支出方总计 2,959.39" in f.message for f in flags)


def test_income_table_row_identity_with_other_income():
    columns = ["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
    row = StatementRow(code="2010602", name="一般行政管理事务",
                       values={"本年收入合计": D("16.19"), "财政拨款收入": D("10.00"), "其他收入": D("6.19")})
    table = StatementTable(title="收入决算表", unit="万元", columns=columns, rows=[row])
    assert _flags(table) == []
    row.values["其他收入"] = D("61.9")
    assert [f.path for f in _flags(table)] == ["tables[0].rows[0].values.本年收入合计"]


def test_split_basic_columns_personnel_and_public():
    """2026年预算单位财务收支预算总表: 合计 = 人员经费 + 公用经费 + 项目支出; the printed row is 0.34 off."""
    row = StatementRow(name="公共安全支出", values={
        "合计": D("79189400.34"), "人员经费": D("12604173"), "公用经费": D("1744680"), "项目支出": D("64840547")})
    table = StatementTable(title="2026年预算单位财务收支预算总表", unit="元",
                           columns=["预算数", "合计", "人员经费", "公用经费", "项目支出"], rows=[row])
    flags = _flags(table)
    assert len(flags) == 1 and "差 0.34" in flags[0].message


def test_carry_over_identity():
    columns = ["年初结转和结余", "本年收入", "本年支出", "基本支出", "项目支出", "年末结转和结余"]
    row = StatementRow(name="合计", values={"年初结转和结余": D("10"), "本年收入": D("100"), "本年支出": D("90"),
                                          "基本支出": D("60"), "项目支出": D("30"), "年末结转和结余": D("20")})
    table = StatementTable(title="政府性基金预算财政拨款收入支出决算表", unit="万元", columns=columns, rows=[row])
    assert _flags(table) == []
    row.values["年末结转和结余"] = D("2")
    assert any(f.path == "tables[0].rows[0].values.年末结转和结余" for f in _flags(table))
