"""The interface every extraction engine implements, and the tasks a report is split into.

An engine answers one task at a time. Its answer is a ReportExtraction in which only that task's
fields are set, plus evidence for every value it set and flags for what it could not settle.
The pipeline merges the answers (see merge_task_result) and decides, in `auto` mode, which tasks
the rules engine left for the LLM.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, Field

from schemas.document import Document
from schemas.extraction import PromptRef, ReportExtraction, TokenUsage


class Task(StrEnum):
    META = "meta"
    BUDGET = "budget"
    THREE_PUBLIC = "three_public"
    EVALUATION = "evaluation"
    INDICATORS = "indicators"
    PROJECTS = "projects"
    TABLES = "tables"
    PROBLEMS_MEASURES = "problems_measures"


TASK_FIELDS: dict[Task, tuple[str, ...]] = {
    Task.META: ("meta",),
    Task.BUDGET: ("staffing", "budget"),
    Task.THREE_PUBLIC: ("three_public",),
    Task.EVALUATION: ("evaluation",),
    Task.INDICATORS: ("indicators",),
    Task.PROJECTS: ("projects",),
    Task.TABLES: ("tables",),
    Task.PROBLEMS_MEASURES: ("problems", "measures"),
}


class TaskResult(BaseModel):
    task: Task
    engine: str
    values: ReportExtraction = Field(description="only the fields of TASK_FIELDS[task] are meaningful")
    filled: bool = Field(description="False when the engine found nothing it could fill for this task")
    usage: TokenUsage = Field(default_factory=TokenUsage)
    prompts: list[PromptRef] = Field(default_factory=list)


class Engine(Protocol):
    name: str

    def run(self, task: Task, doc: Document) -> TaskResult:
        """Answer one task for one document. Evidence and flags go into result.values."""
        ...


def merge_task_result(target: ReportExtraction, result: TaskResult) -> None:
    """Copy one task's fields, evidence and flags into the document's extraction."""
    prefixes = TASK_FIELDS[result.task]
    for field in prefixes:
        setattr(target, field, getattr(result.values, field))
    for path, evidence in result.values.evidence.items():
        if path.split(".")[0].split("[")[0] in prefixes:
            target.evidence[path] = evidence
    target.flags.extend(result.values.flags)
