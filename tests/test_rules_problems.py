"""Problems and measures: numbered points under their headings."""

from extractor.extract.rules.problems import extract_problems_measures
from extractor.ingest import ingest
from tests.conftest import ROOT, pdf, seed


def test_points_seed_004():
    problems, measures, evidence, _ = extract_problems_measures(ingest(seed("004")))
    assert len(problems) == 3 and len(measures) == 3
    assert problems[0] == "预算编制工作有待细化。预算编制不够明确和细化，预算编制的合理性需要提高，预算执行力度还要进一步加强。"
    assert measures[2].startswith("加强源头预防") and not measures[0].startswith("针对上述")
    assert evidence["problems[1]"].quote.startswith("2.")


def test_points_seed_000_parenthesised_numbers():
    problems, measures, _, _ = extract_problems_measures(ingest(seed("000")))
    assert [p[:8] for p in problems] == ["公用经费管控不够", "固定资产管理效率"]
    assert measures[0].startswith("建立“按需申领”制度")
    assert len(measures) == 2


def test_none_in_a_final_accounts_pdf():
    problems, measures, _, _ = extract_problems_measures(ingest(pdf("putuo-finance-2024-final-accounts")))
    assert problems == [] and measures == []


def test_form_cells_when_the_report_has_no_sections_seed_002():
    problems, measures, evidence, _ = extract_problems_measures(ingest(seed("002")))
    assert problems == ["往来资金纳入预算管理,当年往来资金预算 5000 万元, 仅完成 3000 万元。同时就业资金上级补助资金较多。"]
    assert measures[0].startswith("下年度细化预算编制") and len(measures) == 1
    assert evidence["measures[0]"].quote.startswith("下年度细化预算编制")


def test_points_stop_where_a_table_starts():
    _, measures, _, _ = extract_problems_measures(ingest(ROOT / "samples" / "sample-county-hrss-2024.pdf"))
    assert measures[-1] == "优化窗口服务流程。推行“一窗通办”和限时办结制度，定期回访服务对象，提升满意度。"
