"""Indicator rules: header mapping, shifted-row repair and carried-down levels on the real seeds."""

from decimal import Decimal

import pytest

from extractor.extract.rules.indicators import extract_indicators, is_project_grid, total_score
from extractor.ingest import ingest
from tests.conftest import pdf, seed


@pytest.fixture(scope="module")
def seed_000():
    return ingest(seed("000"))


def test_department_indicators_seed_000(seed_000):
    indicators, evidence, _ = extract_indicators(seed_000)
    assert len(indicators) == 11
    first = indicators[0]
    assert (first.level1, first.level2, first.name, first.target, first.actual, first.weight, first.score) == (
        "成本指标", "经济成本指标", "整体支出控制额", "≤1430.4 万元", "1429.4 万元", Decimal("20"), Decimal("20"))
    # printed with an empty 得分 cell: the weight stays a weight, the score stays null
    assert (indicators[1].name, indicators[1].weight, indicators[1].score) == ("开展业务学习", Decimal("5"), None)
    # this row lost its leading empty cells in the OCR; levels come from above and from its own first cell
    quality = indicators[5]
    assert (quality.level1, quality.level2, quality.name, quality.target, quality.weight, quality.score) == (
        "产出指标", "质量指标", "资金使用合规率", "100%", Decimal("10"), Decimal("10"))
    sustainable = indicators[9]
    assert (sustainable.level1, sustainable.level2, sustainable.name) == ("效益指标", "可持续影响指标", "可持续影响情况")
    assert indicators[10].level1 == "满意度指标" and indicators[10].level2 == "服务对象满意度指标"
    assert evidence["indicators[2].score"].quote == "5"
    assert evidence["indicators[5].level2"].quote == "质量指标"


def test_project_grids_are_not_department_indicators(seed_000):
    titles = [grid.title for grid in seed_000.tables if is_project_grid(grid)]
    assert titles == ["2024年度项目支出绩效自评表"]


def test_four_goal_blocks_seed_002():
    indicators, _, _ = extract_indicators(ingest(seed("002")))
    names = [indicator.name for indicator in indicators]
    assert "劳动监察日常巡查次数" in names  # printed split: '劳动监察日 | 常巡查次数'
    row = indicators[names.index("劳动监察日常巡查次数")]
    assert (row.target, row.actual, row.score, row.weight) == ("300", "311", Decimal("0.5"), None)
    assert "公共服务机构工作人员服务满意率" in names  # the third goal block
    assert len(indicators) >= 50


def test_total_score_joins_a_number_split_over_cells():
    doc = ingest(seed("002"))
    by_title = {grid.title: grid for grid in doc.tables}
    assert total_score(by_title["2024年度党员培训教育经费项目绩效自评表"])[3] == "97.94"  # '97.' | '94'
    assert total_score(by_title["2024年度社会保险经办机构项目绩效自评表"])[3] == "99"  # '73 /' | '9' | '9'


def test_no_indicators_in_final_accounts_pdf():
    indicators, _, _ = extract_indicators(ingest(pdf("putuo-finance-2024-final-accounts")))
    assert indicators == []
