"""Statement-table rules: mappings built from the grids of the real PDFs and seed 002."""

from decimal import Decimal

import pytest

from extractor.extract.rules.statements import extract_tables, map_statement
from extractor.ingest import ingest
from tests.conftest import ROOT, pdf, seed


def _by_title(tables, title):
    (table,) = [t for t in tables if t.title == title]
    return table


def _row(table, code=None, name=None):
    (row,) = [r for r in table.rows if (code is None or r.code == code) and (name is None or r.name == name)]
    return row


@pytest.fixture(scope="module")
def finance():
    return ingest(pdf("putuo-finance-2024-final-accounts"))


@pytest.fixture(scope="module")
def finance_tables(finance):
    return extract_tables(finance)


def test_two_sided_total_table_over_two_pages(finance_tables):
    tables, evidence, _ = finance_tables
    table = _by_title(tables, "收入支出决算总表")
    assert table.unit == "万元" and table.columns == ["决算数"]
    names = [row.name for row in table.rows]
    assert names[0] == "一般公共预算财政拨款收入"
    assert names.index("本年收入合计") < names.index("一般公共服务支出") < names.index("本年支出合计")
    assert _row(table, name="一般公共预算财政拨款收入").values == {"决算数": Decimal("2940.05")}
    assert _row(table, name="外交支出").values == {"决算数": None}
    assert _row(table, name="年初结转和结余").values == {"决算数": Decimal("49.14")}  # continued on page 7
    assert len(table.rows) == 42
    index = names.index("年初结转和结余")
    assert evidence[f"tables[0].rows[{index}].values.决算数"].page == 7


def test_expenditure_table_codes_joined_from_class_columns(finance_tables):
    tables, evidence, _ = finance_tables
    table = _by_title(tables, "支出决算表")
    assert table.columns == ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]
    total = table.rows[0]
    assert (total.code, total.name) == (None, "合计")
    assert total.values["基本支出"] == Decimal("2336.91")
    row = _row(table, code="2010601")
    assert row.name == "行政运行"
    assert row.values["项目支出"] == Decimal("8.37")
    assert _row(table, code="20106").name == "财政事务"


def test_three_public_table_is_transposed(finance_tables):
    tables, _, _ = finance_tables
    table = _by_title(tables, "财政拨款“三公”经费支出决算表")
    assert table.columns == ["预算数", "决算数"]
    assert [row.name for row in table.rows] == ["合计", "因公出国（境）费", "公务用车购置及运行费", "公务用车购置费",
                                                "公务用车运行费", "公务接待费"]
    assert _row(table, name="公务接待费").values == {"预算数": Decimal("0.95"), "决算数": None}


def test_empty_printed_tables_are_left_out(finance_tables):
    titles = [t.title for t in finance_tables[0]]
    assert "政府性基金预算财政拨款收入支出决算表" not in titles


def test_budget_tables_keep_yuan_and_year_titles():
    tables, _, _ = extract_tables(ingest(pdf("putuo-justice-2026-dept-budget")))
    table = _by_title(tables, "2026年部门支出预算总表")
    assert table.unit == "元"
    assert _row(table, code="2040601").values == {"合计": Decimal("16726725.44"), "基本支出": Decimal("16726725.44"),
                                                  "项目支出": Decimal("0.00")}
    both = _by_title(tables, "2026年部门财政拨款收支预算总表")
    assert _row(both, name="一般公共预算").values == {"预算数": Decimal("96282213.44")}
    assert _row(both, name="公共安全支出").values["合计"] == Decimal("87267272.44")
    three = _by_title(tables, "2026年部门“三公”经费和机关运行经费预算表")
    assert [r.name for r in three.rows][-1] == "机关运行经费预算数"
    assert _row(three, name="运行费").values == {"预算数": Decimal("9.98")}


def test_seed_tables_unit_inferred_and_names_repaired():
    tables, evidence, flags = extract_tables(ingest(seed("002")))
    income = _by_title(tables, "收入决算表")
    assert income.unit == "万元"  # not printed legibly; the narrative states its totals in 万元
    assert any(flag.rule == "unit_inferred" for flag in flags)
    unit = evidence[f"tables[{tables.index(income)}].unit"]  # quotes an amount the narrative states in 万元
    assert unit.quote and unit.quote.endswith("万元") and unit.page is not None and unit.confidence == 0.5
    assert "财政拨款收入" in income.columns  # OCR printed the header 財政拨款收入
    assert _row(income, code="2080101").name == "行政运行"  # OCR 行歌运行, 支出决算表 prints 行政运行
    spending = _by_title(tables, "支出决算表")
    row = _row(spending, code="2080101")
    assert row.values == {"本年支出合计": Decimal("1688.19"), "基本支出": Decimal("1068.55"),
                          "项目支出": Decimal("619.63"), "上缴上级支出": None, "经营支出": None,
                          "对附属单位补助支出": None}
    # printed '3, 042. 9' (its last digit cut at the cell edge): completed from the row total, flagged
    assert _row(income, code="208").values["其他收入"] == Decimal("3042.92")
    assert any(f.rule == "ocr_repair" and f.path.endswith("values.其他收入") for f in flags)
    total = _by_title(tables, "收入支出决算总表")
    assert total.columns == ["金额"]  # the 行次 column is not a value column
    assert _row(total, name="本年收入合计").values == {"金额": Decimal("14344.12")}  # printed '14, 344, 12'
    assert _row(total, name="年初结转和结余").values == {"金额": None}  # OCR 'E初结转和结余'


def test_map_statement_declines_a_grid_without_values(finance):
    grid = next(t for t in finance.tables if t.title == "政府性基金预算财政拨款收入支出决算表")
    assert map_statement(grid) is None


def test_sample_continuation_without_header_and_row_oriented_three_public():
    tables, _, _ = extract_tables(ingest(ROOT / "samples" / "sample-county-hrss-2024.pdf"))
    spending = _by_title(tables, "支出决算表")
    assert len(spending.rows) == 19  # 4 rows on page 2, the rest on page 3 under no repeated header
    assert _row(spending, code="2210201").values == {"合计": Decimal("46.80"), "基本支出": Decimal("46.80"),
                                                     "项目支出": None}
    three = _by_title(tables, "“三公”经费预算及决算情况表")  # categories printed as rows: read as printed
    assert _row(three, name="公务用车运行维护费").values == {"预算数": Decimal("4.50"), "决算数": Decimal("3.86")}
