"""Shared pieces of the rules: number formatting for reviewers, compaction, tolerances, outcomes."""

from __future__ import annotations

from decimal import Decimal

from extractor.validate.checks import compact, fmt, fmt_pct, outcome, sum_tolerance

D = Decimal


def test_amounts_formatted_as_printed():
    assert fmt(D("64840547")) == "64,840,547.00"
    assert fmt(D("1234.5")) == "1,234.50"
    assert fmt(D("2211.886134")) == "2,211.886134"
    assert fmt(None) == "空"


def test_fmt_pct_keeps_a_printed_rate_as_printed():
    assert fmt_pct(D("99.93")) == "99.93%"
    assert fmt_pct(D("100")) == "100.00%"
    assert fmt_pct(D("95.5")) == "95.50%"
    assert fmt_pct(D("99.995")) == "99.995%"  # not 100.00%


def test_compact_removes_spaces_and_full_width_number_forms():
    assert compact("年初预算为1560.05 万元，\n支出决算为１５１１．８９万元") == "年初预算为1560.05万元,支出决算为1511.89万元"


def test_tolerance_grows_with_the_number_of_printed_amounts():
    assert sum_tolerance(1) == D("0.01") and sum_tolerance(5) == D("0.05")


def test_failed_outcome_flags_the_first_path_and_relates_the_rest():
    failed = outcome("code_sum", ["a", "b", "a", "c"], True, message="m")
    assert failed.flag is not None and failed.flag.path == "a" and failed.flag.related == ["b", "c"]
    assert failed.paths == ("a", "b", "c") and not failed.passed
    assert outcome("code_sum", ["a"], False, message="m").passed
