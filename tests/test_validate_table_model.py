"""How the table rules read a StatementTable: total names, sides of a two-sided table, nested items."""

from __future__ import annotations

from decimal import Decimal

from extractor.validate.table_model import clean_code, hierarchical_sums, is_coded, two_sided_split
from schemas.extraction import StatementRow, StatementTable
from tests.test_validate_identities import finance_overview_table
from tests.test_validate_sums import finance_expenditure_table

D = Decimal


def test_sides_of_the_finance_overview_table():
    sides = two_sided_split(finance_overview_table())
    assert sides is not None
    assert list(sides.income) == list(range(0, 8)) and list(sides.expense) == list(range(8, 17))


def test_one_sided_table_has_no_sides():
    assert two_sided_split(finance_expenditure_table()) is None


def test_income_side_ending_in_收入总计():
    rows = [StatementRow(name=n, values={"预算数": D(v)}) for n, v in
            (("财政拨款收入", "1"), ("收入总计", "1"), ("公共安全支出", "1"), ("支出总计", "1"))]
    sides = two_sided_split(StatementTable(columns=["预算数"], rows=rows))
    assert sides is not None and list(sides.income) == [0, 1] and list(sides.expense) == [2, 3]


def test_nested_list_without_numbering_counts_parents_once():
    # justice 财务收支预算总表 income side: 财政拨款收入 = 一般公共预算 + 政府性基金预算 + 国有资本经营预算
    items = [D("86959408.34"), D("86959408.34"), D("0"), D("0"), D("0")]
    assert D("86959408.34") in hierarchical_sums(items)
    assert hierarchical_sums([D("1"), D("2")]) == [D("3")]


def test_codes():
    assert clean_code(StatementRow(code="2040601")) == "2040601"
    assert clean_code(StatementRow(code="类")) is None
    assert is_coded(finance_expenditure_table())
    assert not is_coded(finance_overview_table())
