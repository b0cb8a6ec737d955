"""The rules engine: deterministic, offline extraction, one rules module per task.

It is the default engine, the baseline the LLM engine is measured against, and in `auto` mode
the cost saver: a task it answers with `filled=True` is not sent to the LLM.
"""

from __future__ import annotations

from extractor.extract.engine import TASK_FIELDS, Task, TaskResult
from extractor.extract.rules.budget import extract_budget, extract_staffing
from extractor.extract.rules.evaluation import extract_evaluation
from extractor.extract.rules.indicators import extract_indicators
from extractor.extract.rules.meta import extract_meta
from extractor.extract.rules.problems import extract_problems_measures
from extractor.extract.rules.projects import extract_projects
from extractor.extract.rules.statements import extract_tables
from extractor.extract.rules.three_public import extract_three_public
from schemas.document import Document
from schemas.extraction import Evidence, Flag, ReportExtraction, StatementTable


class RulesEngine:
    """Engine protocol implementation (extractor/extract/engine.py) answering every Task with rules."""

    name = "rules"

    def __init__(self) -> None:
        self._tables_cache: tuple[Document, tuple[list[StatementTable], dict[str, Evidence], list[Flag]]] | None = None

    def run(self, task: Task, doc: Document) -> TaskResult:
        """Answer one task; `filled` is False when the rules found nothing for it."""
        values = ReportExtraction(source=doc.source)
        handler = getattr(self, f"_{task.value}")
        try:
            filled = handler(doc, values)
        except Exception as error:  # one rule's bug must not lose the document
            # The task is left unfilled (auto mode hands it to the LLM) and the failure is flagged.
            values = ReportExtraction(source=doc.source)
            field = TASK_FIELDS[task][0]
            values.flags.append(Flag(path=field, rule="rules_error", severity="error",
                                     message=f"{doc.source.file}: rules for {task.value} failed: "
                                             f"{type(error).__name__}: {error}"))
            filled = False
        return TaskResult(task=task, engine=self.name, values=values, filled=filled)

    def _tables(self, doc: Document, values: ReportExtraction) -> bool:
        tables, evidence, flags = self._statement_tables(doc)
        values.tables = tables
        values.evidence.update(evidence)
        values.flags.extend(flags)
        return bool(tables)

    def _statement_tables(self, doc: Document) -> tuple[list[StatementTable], dict[str, Evidence], list[Flag]]:
        # The budget and three_public tasks read the statement tables too; read them once per document.
        # Compared by identity, and the document is held: a freed document's id could be reused.
        if self._tables_cache is None or self._tables_cache[0] is not doc:
            self._tables_cache = (doc, extract_tables(doc))
        return self._tables_cache[1]

    def _meta(self, doc: Document, values: ReportExtraction) -> bool:
        values.meta, evidence, flags = extract_meta(doc)
        values.evidence.update(evidence)
        values.flags.extend(flags)
        return any(value is not None for value in values.meta.model_dump().values())

    def _budget(self, doc: Document, values: ReportExtraction) -> bool:
        values.staffing, staff_evidence, staff_flags = extract_staffing(doc)
        tables, table_evidence, _ = self._statement_tables(doc)
        values.budget, budget_evidence, budget_flags = extract_budget(doc, tables, table_evidence)
        values.evidence.update(staff_evidence | budget_evidence)
        values.flags.extend(staff_flags + budget_flags)
        return any(value is not None for value in (values.staffing.model_dump() | values.budget.model_dump()).values())

    def _three_public(self, doc: Document, values: ReportExtraction) -> bool:
        tables, table_evidence, _ = self._statement_tables(doc)
        values.three_public, evidence, flags = extract_three_public(doc, tables, table_evidence)
        values.evidence.update(evidence)
        values.flags.extend(flags)
        dumped = values.three_public.model_dump()
        return any(value is not None for side in dumped.values() for value in side.values())

    def _evaluation(self, doc: Document, values: ReportExtraction) -> bool:
        values.evaluation, evidence, flags = extract_evaluation(doc)
        values.evidence.update(evidence)
        values.flags.extend(flags)
        return values.evaluation.score is not None or values.evaluation.grade is not None

    def _indicators(self, doc: Document, values: ReportExtraction) -> bool:
        values.indicators, evidence, flags = extract_indicators(doc)
        values.evidence.update(evidence)
        values.flags.extend(flags)
        return bool(values.indicators)

    def _projects(self, doc: Document, values: ReportExtraction) -> bool:
        values.projects, evidence, flags = extract_projects(doc)
        values.evidence.update(evidence)
        values.flags.extend(flags)
        return bool(values.projects)

    def _problems_measures(self, doc: Document, values: ReportExtraction) -> bool:
        values.problems, values.measures, evidence, flags = extract_problems_measures(doc)
        values.evidence.update(evidence)
        values.flags.extend(flags)
        return bool(values.problems or values.measures)
