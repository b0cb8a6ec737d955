"""RulesEngine: the Engine protocol over every task, evidence for every value it sets, filled flags."""

from decimal import Decimal

import pytest

from extractor.extract.engine import Task, merge_task_result
from extractor.extract.rules.engine import RulesEngine
from extractor.ingest import ingest
from schemas.extraction import ReportExtraction
from tests.conftest import pdf, seed


def _leaf_paths(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaf_paths(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaf_paths(value, f"{path}[{index}]")
    elif node is not None:
        yield path


@pytest.fixture(scope="module")
def seed_004_results():
    doc = ingest(seed("004"))
    engine = RulesEngine()
    return {task: engine.run(task, doc) for task in Task}


def test_engine_answers_every_task(seed_004_results):
    results = seed_004_results
    assert RulesEngine.name == "rules"
    assert all(result.engine == "rules" and result.task == task for task, result in results.items())
    assert results[Task.META].filled and results[Task.BUDGET].filled and results[Task.EVALUATION].filled
    # a narrative-only report: nothing for these tasks, so `auto` may hand them to the LLM
    assert not results[Task.TABLES].filled and not results[Task.PROJECTS].filled
    assert not results[Task.INDICATORS].filled


@pytest.mark.parametrize("source", [seed("000"), seed("002"), seed("004"), pdf("putuo-finance-2024-final-accounts"),
                                    pdf("putuo-justice-2026-dept-budget")])
def test_every_value_set_has_evidence(source):
    doc = ingest(source)
    engine = RulesEngine()
    extraction = ReportExtraction(source=doc.source)
    for task in Task:
        merge_task_result(extraction, engine.run(task, doc))
    data = extraction.model_dump(mode="json", exclude={"source", "evidence", "flags", "run", "schema_version"})
    paths = [p for p in _leaf_paths(data) if not p.startswith("tables[") or ".values." in p or p.endswith(
        (".code", ".name"))]
    paths = [p for p in paths if not p.endswith((".title", ".unit")) and ".columns[" not in p]
    missing = [p for p in paths if p not in extraction.evidence]
    assert paths and not missing, missing[:10]
    for evidence in extraction.evidence.values():
        assert evidence.page is not None and evidence.quote and 0 < evidence.confidence <= 1


def test_merged_extraction_seed_000():
    doc = ingest(seed("000"))
    engine = RulesEngine()
    extraction = ReportExtraction(source=doc.source)
    for task in Task:
        merge_task_result(extraction, engine.run(task, doc))
    assert extraction.meta.department == "怀化市洪江区人力资源和社会保障局"
    assert extraction.staffing.authorized == 30
    assert extraction.budget.execution_rate == Decimal("99.93")
    assert extraction.evaluation.score == Decimal("99.93")
    assert len(extraction.indicators) == 11 and len(extraction.projects) == 1
    assert extraction.tables == []


class _BrokenMetaRules(RulesEngine):
    def _meta(self, doc, values):
        raise IndexError("list index out of range")


def test_a_failing_rule_leaves_its_task_unfilled_and_flagged(seed_004_results):
    doc = ingest(seed("004"))
    result = _BrokenMetaRules().run(Task.META, doc)
    assert not result.filled
    (flag,) = result.values.flags
    assert flag.rule == "rules_error" and flag.severity == "error" and "IndexError" in flag.message
    assert result.values.meta.department is None
    assert _BrokenMetaRules().run(Task.BUDGET, doc).values.staffing.authorized == 123
