"""Narrative tasks: pick the text a task needs, and turn a quoted answer into grounded contract values.

The model sees selected pages (or the problem / measure sections); each value it returns carries a
quote that must occur in that text and yield the value. Ungrounded values are kept but flagged
(rule `ungrounded` or `prompt_injection`, severity error) with low-confidence evidence, so a
reviewer sees them and the validator never trusts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel

from extractor.extract.engine import Task
from extractor.extract.llm.answers import ProblemsMeasuresAnswer, Quoted
from extractor.extract.llm.grounding import Grounding, SourceText, ground_quote
from schemas.document import Document, SectionKind
from schemas.extraction import Evidence, Flag

MAX_CONTEXT_CHARS = 24_000
"""Budget of document text per request; blocks are chosen by keyword hits until it is spent."""
META_CHARS = 4_000
"""Metadata sits on the cover and the first heading lines: the first blocks up to this many characters."""

KEYWORDS: dict[Task, tuple[str, ...]] = {
    Task.BUDGET: ("编制", "实有人数", "在职人数", "年初预算", "全年预算", "调整后预算", "执行率", "基本支出",
                  "项目支出", "支出合计", "决算支出"),
    Task.THREE_PUBLIC: ("三公", "因公出国", "公务用车", "公务接待"),
    Task.EVALUATION: ("自评得分", "评价得分", "自评总分", "总分", "等级", "评价结果", "综合评价"),
    Task.PROBLEMS_MEASURES: ("存在的问题", "问题", "改进措施", "下一步", "建议", "措施"),
}
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


def _blocks(doc: Document) -> list[tuple[int, str]]:
    """(page, text) of every paragraph-like block (text between blank lines), in document order."""
    return [(page.number, block.strip()) for page in doc.pages
            for block in _BLANK_LINE.split(page.text) if block.strip()]


def context_parts(task: Task, doc: Document) -> list[tuple[int, str]]:
    """The (page, text) pieces shown to the model for a narrative task, in document order.

    Pages are cut into blocks at blank lines, so a report read from one long text page is not
    sent whole; the blocks with the most keyword hits are kept until MAX_CONTEXT_CHARS is spent.
    """
    if task == Task.PROBLEMS_MEASURES:
        sections = [s for s in doc.all_sections() if s.kind in (SectionKind.PROBLEMS, SectionKind.MEASURES)]
        if sections:
            return [(s.page_start, f"{s.title}\n{s.text}") for s in sections]
    blocks = _blocks(doc)
    if task == Task.META:
        return _first(blocks, META_CHARS)
    keywords = KEYWORDS[task]
    scored = [(sum(text.count(k) for k in keywords), order) for order, (_, text) in enumerate(blocks)]
    chosen, used = [], 0
    for hits, order in sorted(scored, key=lambda s: (-s[0], s[1])):
        size = len(blocks[order][1])
        if hits == 0 or used + size > MAX_CONTEXT_CHARS:
            continue
        chosen.append(order)
        used += size
    return [blocks[order] for order in sorted(chosen)] or _first(blocks, MAX_CONTEXT_CHARS)


def _first(blocks: list[tuple[int, str]], budget: int) -> list[tuple[int, str]]:
    taken, used = [], 0
    for page, text in blocks:
        if taken and used + len(text) > budget:
            break
        taken.append((page, text[:budget]))
        used += len(text)
    return taken


def render_parts(parts: list[tuple[int, str]]) -> str:
    """The document text as the prompt shows it, with a page marker wherever the page changes."""
    lines, page_shown = [], None
    for page, text in parts:
        if page != page_shown:
            lines.append(f"[第{page}页]")
            page_shown = page
        lines.append(text.strip())
    return "\n".join(lines)


@dataclass
class Grounded:
    """Contract values read from answers, with evidence and flags, keyed by contract path."""

    values: dict[str, object] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    _grounded: dict[str, bool] = field(default_factory=dict)

    def put(self, path: str, value: object, grounding: Grounding) -> None:
        """Keep the first value for a path, unless a later one is grounded and the first was not.

        A value quoted from instruction-like text is not kept at all (null, with its flag and
        evidence): whatever such text asks for is not a figure of the report.
        """
        if path in self.values and (self._grounded[path] or not grounding.grounded):
            return
        self.values[path] = None if grounding.status == "injection" else value
        self._grounded[path] = grounding.grounded
        self.evidence[path] = grounding.evidence()
        self.flags = [f for f in self.flags if f.path != path]
        flag = grounding.flag(path)
        if flag is not None:
            self.flags.append(flag)

    def nested(self) -> dict:
        """values as nested dicts ('budget.adjusted' -> {'budget': {'adjusted': ...}})."""
        tree: dict = {}
        for path, value in self.values.items():
            node = tree
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        return tree


def ground_answer(answer: BaseModel, source: SourceText, into: Grounded, prefix: str = "") -> None:
    """Ground every quoted leaf of a nested answer against source, collecting into `into`."""
    for name in type(answer).model_fields:
        child = getattr(answer, name)
        path = f"{prefix}{name}"
        if isinstance(child, Quoted):
            value = child.contract_value()
            if value is not None:
                grounding = child.ground(source)
                if isinstance(value, Decimal) and grounding.printed == value:
                    value = grounding.printed  # the same number with the digits the report prints (1430.40)
                into.put(path, value, grounding)
        elif isinstance(child, BaseModel):
            ground_answer(child, source, into, prefix=f"{path}.")


def ground_points(answer: ProblemsMeasuresAnswer, source: SourceText, into: dict[str, list[tuple[str, Grounding]]]) -> None:
    """Each problem / measure point must be copied from the source; collected per list, duplicates dropped."""
    for list_name in ("problems", "measures"):
        seen = {text for text, _ in into.setdefault(list_name, [])}
        for point in getattr(answer, list_name):
            text = point.strip()
            if text and text not in seen:
                into[list_name].append((text, ground_quote(text, source)))
                seen.add(text)
