"""LLMEngine: answers one task for one document through the model, grounding every value it returns.

Narrative tasks (meta, budget, three_public, evaluation, problems_measures) get quoted answers,
checked by grounding.py. Table tasks (tables, indicators, projects) get row / column mappings that
table_reader.py reads from the cells. Usage is summed over every HTTP request of the task (re-asks,
truncated answers and failed attempts included); cached answers count as cached_calls.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from extractor.errors import ExtractionError
from extractor.extract import table_reader
from extractor.extract.engine import TASK_FIELDS, Task, TaskResult
from extractor.extract.llm import narrative, tables
from extractor.extract.llm.answers import (
    BudgetAnswer,
    EvaluationAnswer,
    MetaAnswer,
    ProblemsMeasuresAnswer,
    ThreePublicAnswer,
)
from extractor.extract.llm.cache import ResponseCache
from extractor.extract.llm.client import LLMCallFailed, LLMClient, OutputTruncated
from extractor.extract.llm.grounding import Grounding, SourceText
from extractor.extract.llm.prompts import PROMPTS_DIR, Prompt, load_prompt
from extractor.settings import LLMSettings
from schemas.document import Document
from schemas.extraction import PromptRef, ReportExtraction, TokenUsage

NARRATIVE_ANSWERS: dict[Task, type[BaseModel]] = {
    Task.META: MetaAnswer,
    Task.BUDGET: BudgetAnswer,
    Task.THREE_PUBLIC: ThreePublicAnswer,
    Task.EVALUATION: EvaluationAnswer,
    Task.PROBLEMS_MEASURES: ProblemsMeasuresAnswer,
}


class LLMEngine:
    """The production engine: an OpenAI-compatible model via instructor, answers grounded in the source."""

    name = "llm"

    def __init__(self, settings: LLMSettings, cache_path: str | None, no_cache: bool = False, *,
                 prompt_versions: dict[str, int] | None = None, prompts_dir: Path = PROMPTS_DIR):
        cache = None if no_cache or cache_path is None else ResponseCache(cache_path)
        self.settings = settings
        self.model = settings.model
        self._client = LLMClient(settings, cache)
        self._prompt_versions = prompt_versions or {}
        self._prompts_dir = prompts_dir

    def run(self, task: Task, doc: Document) -> TaskResult:
        """Answer one task; raises ExtractionError naming document and task when the model cannot be used.

        `prompt_versions` (constructor) pins a task's prompt version; by default the latest file is used.
        """
        call = _TaskCall(self._client, doc, task)
        prompt = load_prompt(task.value, self._prompt_versions.get(task.value), self._prompts_dir)
        if task in NARRATIVE_ANSWERS:
            values = self._narrative(call, prompt, task, doc)
        else:
            values = self._tables(call, prompt, task, doc)
        filled = any(_is_filled(getattr(values, name)) for name in TASK_FIELDS[task])
        return TaskResult(task=task, engine=self.name, values=values, filled=filled, usage=call.usage,
                          prompts=list(call.prompts.values()))

    # --- narrative ------------------------------------------------------------------------------

    def _narrative(self, call: _TaskCall, prompt: Prompt, task: Task, doc: Document) -> ReportExtraction:
        answer_type = NARRATIVE_ANSWERS[task]
        grounded = narrative.Grounded()
        points: dict[str, list[tuple[str, Grounding]]] = {}
        words = {page.number: page.words for page in doc.pages}
        for parts, answer in self._ask_split(call, prompt, answer_type, narrative.context_parts(task, doc), doc):
            source = SourceText(parts, words)
            if isinstance(answer, ProblemsMeasuresAnswer):
                narrative.ground_points(answer, source, points)
            else:
                narrative.ground_answer(answer, source, grounded)
        if task == Task.PROBLEMS_MEASURES:
            for list_name, items in points.items():
                for i, (text, grounding) in enumerate(items):
                    grounded.put(f"{list_name}[{i}]", text, grounding)
            extraction = ReportExtraction(**{name: [t for t, _ in items] for name, items in points.items()})
        else:
            extraction = ReportExtraction.model_validate(grounded.nested())
        extraction.evidence = grounded.evidence
        extraction.flags = grounded.flags
        return extraction

    def _ask_split(self, call: _TaskCall, prompt: Prompt, answer_type: type[BaseModel],
                   parts: list[tuple[int, str]], doc: Document):
        """Answers for the text, halving it (by blocks, then by lines) whenever an answer is truncated."""
        pending = [parts]
        while pending:
            current = pending.pop(0)
            # the file name only: a local path means nothing to the model and would defeat the cache
            variables = {"file": Path(doc.source.file).name, "document": narrative.render_parts(current)}
            try:
                yield current, call.ask(prompt, variables, answer_type)
            except OutputTruncated:
                halves = _halve(current)
                if halves is None:
                    raise call.fail("the answer for a single line exceeds the model's output limit") from None
                pending[:0] = halves

    # --- tables ---------------------------------------------------------------------------------

    def _tables(self, call: _TaskCall, prompt: Prompt, task: Task, doc: Document) -> ReportExtraction:
        extraction = ReportExtraction()
        answer_type = tables.ANSWER_TYPES[task]

        def ask(variables: dict, model: type[BaseModel]) -> BaseModel:
            return call.ask(prompt, variables, model)

        for grid in tables.tables_for(task, doc):
            merged = tables.map_grid(grid, answer_type, ask, self.settings.max_rows_per_chunk, call.fail)
            if task == Task.TABLES:
                path = f"tables[{len(extraction.tables)}]"
                table, evidence, flags = table_reader.read_statement(grid, tables.statement_mapping(grid, merged), path)
                kept = bool(table.rows)
                if kept:
                    extraction.tables.append(table)
            elif task == Task.INDICATORS:
                path = "indicators"
                items, evidence, flags = table_reader.read_indicators(
                    grid, tables.indicator_mapping(grid, merged), path, start=len(extraction.indicators))
                extraction.indicators.extend(items)
                kept = True
            else:
                path = f"projects[{len(extraction.projects)}]"
                mapping, unit = tables.project_mapping(grid, merged)
                project, evidence, flags = table_reader.read_project(grid, mapping, path, unit=unit or grid.unit)
                kept = _is_filled(project)
                if kept:
                    extraction.projects.append(project)
            flags = [*flags, *tables.disagreement_flags(merged, path, grid)]
            missing = tables.missing_rows_flag(grid, merged, path)
            if missing is not None:
                flags.append(missing)
            if kept:
                extraction.evidence.update(evidence)
            else:  # nothing read from this grid: its flags name the list, the message names the grid
                list_path = path.split("[")[0]
                flags = [f.model_copy(update={"path": list_path}) for f in flags]
            extraction.flags.extend(flags)
        return extraction


class _TaskCall:
    """One task on one document: asks the client, sums usage, records prompts, names failures."""

    def __init__(self, client: LLMClient, doc: Document, task: Task):
        self.client, self.doc, self.task = client, doc, task
        self.usage = TokenUsage()
        self.prompts: dict[str, PromptRef] = {}

    def ask(self, prompt: Prompt, variables: dict, answer_type: type[BaseModel]) -> BaseModel:
        messages = prompt.render(**variables)
        self.prompts[prompt.ref.name] = prompt.ref
        try:
            answer = self.client.ask(messages, answer_type, prompt=prompt.ref)
        except (OutputTruncated, LLMCallFailed) as error:
            self.usage = self.usage.add(error.usage)
            if isinstance(error, LLMCallFailed):
                raise self.fail(str(error)) from error
            raise
        self.usage = self.usage.add(answer.usage)
        return answer.value

    def fail(self, message: str) -> ExtractionError:
        return ExtractionError(f"task {self.task.value}: {message}", file=self.doc.source.file)


def _halve(parts: list[tuple[int, str]]) -> list[list[tuple[int, str]]] | None:
    if len(parts) > 1:
        half = len(parts) // 2
        return [parts[:half], parts[half:]]
    page, text = parts[0]
    lines = text.splitlines()
    if len(lines) < 2:
        return None
    half = len(lines) // 2
    return [[(page, "\n".join(lines[:half]))], [(page, "\n".join(lines[half:]))]]


def _is_filled(value: object) -> bool:
    if isinstance(value, BaseModel):
        return any(_is_filled(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, list | dict):
        return bool(value)
    return value is not None
