"""Narrative helpers of the LLM engine: which text a task is shown, how quoted answers become values."""

from __future__ import annotations

from decimal import Decimal

from extractor.extract.engine import Task
from extractor.extract.llm.answers import BudgetAnswer
from extractor.extract.llm.grounding import SourceText
from extractor.extract.llm.narrative import (
    MAX_CONTEXT_CHARS,
    Grounded,
    context_parts,
    ground_answer,
    render_parts,
)
from extractor.ingest import ingest
from extractor.segment import segment
from schemas.document import Document, Page, SourceInfo
from tests.conftest import seed


def _doc(*texts: str) -> Document:
    return Document(source=SourceInfo(file="r.pdf", sha256="0", pages=len(texts), input_kind="pdf_text"),
                    pages=[Page(number=i + 1, width=1, height=1, text=t) for i, t in enumerate(texts)])


def test_pages_are_chosen_by_task_keywords_in_document_order():
    doc = _doc("封面 2024年度部门决算", "目录", "三公经费 公务接待费 0.95\n\n" + "说明" * 2500,
               "年初预算 100 万元 执行率 99%", "三公 因公出国")
    assert context_parts(Task.THREE_PUBLIC, doc) == [(3, "三公经费 公务接待费 0.95"), (5, "三公 因公出国")]
    assert [p for p, _ in context_parts(Task.BUDGET, doc)] == [4]
    assert [p for p, _ in context_parts(Task.META, doc)] == [1, 2, 3]  # the cover blocks, up to 4000 chars
    assert render_parts([(3, " 三公 "), (3, "因公"), (4, "x")]) == "[第3页]\n三公\n因公\n[第4页]\nx"


def test_one_long_text_page_is_not_sent_whole():
    doc = segment(ingest(seed("002")))
    assert len(doc.pages) == 1 and len(doc.pages[0].text) > MAX_CONTEXT_CHARS
    parts = context_parts(Task.BUDGET, doc)
    assert 0 < sum(len(text) for _, text in parts) <= MAX_CONTEXT_CHARS
    assert any("基本支出" in text for _, text in parts)


def test_problems_and_measures_come_from_their_sections():
    doc = segment(ingest(seed("000")))
    parts = context_parts(Task.PROBLEMS_MEASURES, doc)
    assert [text.splitlines()[0] for _, text in parts] == ["七、存在的问题及原因分析", "八、下一步改进措施"]
    assert "公用经费管控不够精细" in parts[0][1] and "按需申领" in parts[1][1]


def test_ground_answer_keeps_the_grounded_reading_of_a_path():
    source = SourceText([(2, "全年预算 1430.40 万元，全年执行 1429.40 万元")])
    into = Grounded()
    wrong = BudgetAnswer.model_validate({"budget": {"adjusted": {"value": "1429.40", "quote": "全年预算 1430.40 万元"}}})
    right = BudgetAnswer.model_validate({"budget": {"adjusted": {"value": "1430.40", "quote": "全年预算 1430.40 万元"},
                                                    "spent": {"value": "1429.40", "quote": "全年执行 1429.40 万元"}}})
    ground_answer(wrong, source, into)
    assert [f.rule for f in into.flags] == ["ungrounded"]
    ground_answer(right, source, into)
    assert into.nested() == {"budget": {"adjusted": Decimal("1430.40"), "spent": Decimal("1429.40")}}
    assert into.flags == [] and into.evidence["budget.adjusted"].page == 2
    # a later ungrounded reading never replaces a grounded one
    ground_answer(wrong, source, into)
    assert into.values["budget.adjusted"] == Decimal("1430.40") and into.flags == []


def test_a_grounded_number_keeps_the_digits_the_report_prints():
    source = SourceText([(1, "全年预算 1,430.40 万元，基本支出 3106900 元")])
    into = Grounded()
    answer = BudgetAnswer.model_validate({"budget": {
        "adjusted": {"value": 1430.4, "quote": "全年预算 1,430.40 万元"},  # the model drops the trailing 0
        "basic": {"value": "310.69", "quote": "基本支出 3106900 元"}}})
    ground_answer(answer, source, into)
    assert into.flags == []
    assert str(into.values["budget.adjusted"]) == "1430.40"
    assert into.values["budget.basic"] == Decimal("310.69")  # 元 in the quote, 万元 in the contract
