"""`auto` mode: the rules answer first, the LLM (a fake server over real HTTP) gets only what they leave."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from extractor.extract.llm.engine import LLMEngine
from extractor.extract.rules.engine import RulesEngine
from extractor.extract.run import ExtractOptions
from extractor.pipeline import Engines, PipelineOptions, process_file
from tests.fake_llm_server import FakeLLMServer, RecordedRequest, Reply, answer, error, fake_settings

# A report phrased so that the rules' budget patterns find nothing, while its meta and problems are plain.
REPORT = """示例市示例区民政局2024年度部门整体支出绩效自评报告

一、部门基本情况
示例市示例区民政局为正科级全额拨款行政单位。

二、预算支出情况
当年可用经费盘子总计 356.20 万元，实际花掉 340.10 万元。

三、存在的问题
1. 预算编制不够细化。
2. 绩效目标设置不够明确。

四、改进措施
1. 细化预算编制。
2. 完善绩效目标。
"""

BUDGET_ANSWER = {"budget": {
    "adjusted": {"value": "356.20", "quote": "当年可用经费盘子总计 356.20 万元"},
    "spent": {"value": "340.10", "quote": "实际花掉 340.10 万元"}}}


def _tool(request: RecordedRequest) -> str:
    return request.body["tools"][0]["function"]["name"]


def _report(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def _engines(server: FakeLLMServer, tmp_path: Path) -> Engines:
    llm = LLMEngine(fake_settings(server), cache_path=str(tmp_path / "cache.sqlite"))
    return Engines(rules=RulesEngine(), llm=llm)


def test_auto_sends_only_what_the_rules_left_and_sums_usage(tmp_path):
    with FakeLLMServer() as server:
        server.respond_with(lambda r: answer(BUDGET_ANSWER) if _tool(r) == "BudgetAnswer" else answer({}))
        result = process_file(_report(tmp_path), PipelineOptions(extract=ExtractOptions(engine="auto")),
                              _engines(server, tmp_path))
        asked = [_tool(r) for r in server.completions]

    extraction = result.extraction
    assert "BudgetAnswer" in asked
    assert result.extract.engines_used["budget"] == "llm"
    assert extraction.budget.adjusted == Decimal("356.20") and extraction.budget.spent == Decimal("340.10")
    assert extraction.evidence["budget.adjusted"].quote == "当年可用经费盘子总计 356.20 万元"
    # the rules filled problems and measures, so the model was never asked for them
    assert result.extract.engines_used["problems_measures"] == "rules"
    assert "ProblemsMeasuresAnswer" not in asked
    assert extraction.problems == ["预算编制不够细化。", "绩效目标设置不够明确。"]
    # every attempt's tokens are counted, also for tasks whose answer was not kept
    assert result.extract.usage.calls == len(asked)
    assert result.extract.usage.total_tokens == 120 * len(asked)


def test_auto_keeps_the_rules_answer_when_the_llm_is_down(tmp_path):
    with FakeLLMServer() as server:
        server.respond_with(lambda r: error(500))
        result = process_file(_report(tmp_path), PipelineOptions(extract=ExtractOptions(engine="auto")),
                              _engines(server, tmp_path))
    extraction = result.extraction
    assert extraction.measures == ["细化预算编制。", "完善绩效目标。"]
    failed = [f for f in extraction.flags if f.rule == "llm_failed"]
    assert any(f.path == "budget" for f in failed)
    assert extraction.budget.adjusted is None


def test_rules_only_never_calls_the_llm(tmp_path):
    with FakeLLMServer() as server:
        server.respond_with(lambda r: Reply(status=500))
        process_file(_report(tmp_path), PipelineOptions(extract=ExtractOptions(engine="rules")),
                     _engines(server, tmp_path))
        assert server.completions == []
