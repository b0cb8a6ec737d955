"""execution_rate, basic_plus_project, three_public_sum, negative_value with figures from the seeds."""

from __future__ import annotations

from decimal import Decimal

from extractor.validate import validate
from schemas.extraction import Budget, Project, ReportExtraction, ThreePublic, ThreePublicAmounts

D = Decimal


def _rules(extraction: ReportExtraction, rule: str):
    return [f for f in validate(extraction).flags if f.rule == rule]


def seed_000_budget() -> Budget:
    """Seed 000 (怀化市洪江区人社局 2024): 全年预算 1430.40, 执行 1429.40, 执行率 99.93%, 基本 310.69 + 项目 1118.71."""
    return Budget(initial=D("440.43"), adjusted=D("1430.40"), spent=D("1429.40"), execution_rate=D("99.93"),
                  basic=D("310.69"), project=D("1118.71"))


def test_seed_budgets_are_consistent():
    assert validate(ReportExtraction(budget=seed_000_budget())).flags == []
    seed_004 = Budget(adjusted=D("2423.53"), spent=D("2234.98"), execution_rate=D("92.22"), basic=D("1230.25"),
                      project=D("1004.73"))
    assert validate(ReportExtraction(budget=seed_004)).flags == []


def test_execution_rate_mismatch_names_the_numbers():
    budget = seed_000_budget()
    budget.execution_rate = D("99.39")
    (flag,) = _rules(ReportExtraction(budget=budget), "execution_rate")
    assert flag.path == "budget.execution_rate"
    assert set(flag.related) == {"budget.spent", "budget.adjusted"}
    assert "99.39%" in flag.message and "1,429.40" in flag.message and "1,430.40" in flag.message
    assert "99.93%" in flag.message


def test_execution_rate_against_initial_budget_when_no_adjusted_budget():
    # putuo-finance 2024: 支出决算 2940.05, 年初预算 2993.92, 完成年初预算的 98.20%
    budget = Budget(initial=D("2993.92"), spent=D("2940.05"), execution_rate=D("98.20"))
    assert _rules(ReportExtraction(budget=budget), "execution_rate") == []
    budget.execution_rate = D("89.20")
    assert len(_rules(ReportExtraction(budget=budget), "execution_rate")) == 1


def test_whole_percent_rate_and_out_of_range_rate():
    project = Project(name="社会保障基金监管", budget=D("105"), spent=D("105"), execution_rate=D("100"))
    assert _rules(ReportExtraction(projects=[project]), "execution_rate") == []
    project.execution_rate = D("1429.40")
    paths = [f.path for f in _rules(ReportExtraction(projects=[project]), "execution_rate")]
    assert paths == ["projects[0].execution_rate", "projects[0].execution_rate"]


def test_basic_plus_project():
    budget = seed_000_budget()
    budget.project = D("1181.71")
    (flag,) = _rules(ReportExtraction(budget=budget), "basic_plus_project")
    assert flag.path == "budget.spent" and "1,429.40" in flag.message and "1,492.40" in flag.message
    assert "差 63.00" in flag.message


def test_three_public_sum_for_budget_and_actual():
    # seed 004: 预算 5.07 = 0 + 0 + 0 + 5.07; 决算 5.07 (购置费 not printed)
    three = ThreePublic(
        budget=ThreePublicAmounts(total=D("5.07"), overseas=D("0"), vehicle_purchase=D("0"),
                                  vehicle_operation=D("0"), reception=D("5.07")),
        actual=ThreePublicAmounts(total=D("5.07"), overseas=D("0"), vehicle_operation=D("0"), reception=D("5.07")))
    assert _rules(ReportExtraction(three_public=three), "three_public_sum") == []
    three.actual.reception = D("0.57")
    (flag,) = _rules(ReportExtraction(three_public=three), "three_public_sum")
    assert flag.path == "three_public.actual.total" and "three_public.actual.reception" in flag.related
    assert "决算数" in flag.message and "差 4.50" in flag.message


def test_negative_amounts_and_counts():
    budget = seed_000_budget()
    budget.initial = D("-440.43")
    (flag,) = _rules(ReportExtraction(budget=budget), "negative_value")
    assert flag.path == "budget.initial"
