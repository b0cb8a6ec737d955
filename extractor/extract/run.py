"""Run the engines over a document, task by task, and merge their answers into one ReportExtraction.

`rules` and `llm` answer every task with one engine. `auto` asks the rules engine first and hands a
task to the LLM only when the rules could not fill it or its values fail validation; with no LLM
configured such a task is flagged for a reviewer instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from extractor.errors import ExtractionError
from extractor.extract.engine import TASK_FIELDS, Engine, Task, TaskResult, merge_task_result
from schemas.document import Document, SectionKind
from schemas.extraction import Flag, PromptRef, ReportExtraction, TokenUsage

EngineChoice = Literal["auto", "rules", "llm"]

# Tasks whose absence is only worth a reviewer's look when the document has such a section.
_TASK_SECTION_KINDS: dict[Task, set[SectionKind]] = {
    Task.INDICATORS: {SectionKind.INDICATOR_TABLE},
    Task.PROJECTS: {SectionKind.PROJECT_SELF_EVALUATION},
    Task.TABLES: {SectionKind.STATEMENT_TABLE},
    Task.PROBLEMS_MEASURES: {SectionKind.PROBLEMS, SectionKind.MEASURES},
}


class ExtractOptions(BaseModel):
    engine: EngineChoice = "auto"


class ExtractResult(BaseModel):
    extraction: ReportExtraction
    usage: TokenUsage
    prompts: list[PromptRef]
    engines_used: dict[str, str]
    """task -> engine whose answer was kept"""


Validator = Callable[[ReportExtraction, Document], ReportExtraction]


def extract_document(
    doc: Document,
    options: ExtractOptions,
    *,
    rules: Engine,
    llm: Engine | None,
    validator: Validator,
) -> ExtractResult:
    """Answer every task for `doc` with the chosen engine(s); flags from the engines are kept."""
    extraction = ReportExtraction(source=doc.source)
    usage = TokenUsage()
    prompts: dict[str, PromptRef] = {}
    engines_used: dict[str, str] = {}
    for task in Task:
        answer = _answer(task, doc, options.engine, rules, llm, validator)
        extraction.flags.extend(answer.flags)
        usage = usage.add(answer.usage)
        prompts.update({p.name: p for p in answer.prompts})
        if answer.result is None or not answer.result.filled:
            _flag_unfilled(extraction, task, doc, llm_configured=llm is not None)
            if answer.result is not None:
                extraction.flags.extend(answer.result.values.flags)
            continue
        merge_task_result(extraction, answer.result)
        engines_used[task.value] = answer.result.engine
    return ExtractResult(extraction=extraction, usage=usage, prompts=list(prompts.values()),
                         engines_used=engines_used)


class _Answer(BaseModel):
    """The result kept for a task (possibly unfilled, carrying only flags) and what every attempt cost."""

    result: TaskResult | None
    usage: TokenUsage = TokenUsage()
    prompts: list[PromptRef] = []
    flags: list[Flag] = []


def _answer(task: Task, doc: Document, choice: EngineChoice, rules: Engine, llm: Engine | None,
            validator: Validator) -> _Answer:
    if choice == "llm" and llm is None:
        raise ValueError("engine 'llm' needs an LLM engine")
    asked: list[TaskResult] = []
    flags: list[Flag] = []

    def ask(engine: Engine) -> TaskResult:
        asked.append(engine.run(task, doc))
        return asked[-1]

    kept = _choose(task, doc, choice, rules, llm, validator, ask, flags)
    usage = TokenUsage()
    for result in asked:
        usage = usage.add(result.usage)
    prompts = [p for result in asked for p in result.prompts]
    return _Answer(result=kept, usage=usage, prompts=prompts, flags=flags)


def _choose(task: Task, doc: Document, choice: EngineChoice, rules: Engine, llm: Engine | None,
            validator: Validator, ask: Callable[[Engine], TaskResult], flags: list[Flag]) -> TaskResult | None:
    if choice == "rules":
        return ask(rules)
    if choice == "llm":
        return ask(llm)
    first = ask(rules)
    first_errors = _error_count(task, first, doc, validator) if first.filled else None
    if first_errors == 0:
        return first
    if llm is None:
        return first
    try:
        second = ask(llm)
    except ExtractionError as error:
        # auto mode degrades to the rules' answer: one unreachable endpoint must not fail a batch
        flags.append(Flag(path=_task_path(task), rule="llm_failed", severity="warning",
                          message=f"大模型调用失败，保留规则引擎结果：{error}"))
        return first
    if not second.filled:
        return first
    if first_errors is not None and first_errors <= _error_count(task, second, doc, validator):
        return first
    return second


def _error_count(task: Task, result: TaskResult, doc: Document, validator: Validator) -> int:
    """How many error flags validation raises on the task's own fields when only this answer is merged."""
    partial = ReportExtraction(source=doc.source)
    merge_task_result(partial, result)
    fields = TASK_FIELDS[task]
    return sum(1 for f in validator(partial, doc).flags
               if f.severity == "error" and f.path.split(".")[0].split("[")[0] in fields)


def _flag_unfilled(extraction: ReportExtraction, task: Task, doc: Document, *, llm_configured: bool) -> None:
    kinds = _TASK_SECTION_KINDS.get(task)
    if kinds is not None and not any(s.kind in kinds for s in doc.all_sections()):
        return
    if task is Task.EVALUATION and not any("绩效" in s.title and "评" in s.title for s in doc.all_sections()):
        return
    why = "大模型也未能提取" if llm_configured else "规则引擎未能提取，且未配置大模型"
    extraction.flags.append(Flag(path=_task_path(task), rule="unfilled", severity="warning",
                                 message=f"{_task_path(task)}：{why}，请人工核对原文"))


def _task_path(task: Task) -> str:
    """The path a flag about a whole task points at: the task's own field where it has one."""
    fields = TASK_FIELDS[task]
    return task.value if task.value in fields else fields[0]
