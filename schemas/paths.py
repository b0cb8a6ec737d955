"""Paths into a ReportExtraction as SCHEMA.md writes them: `budget.adjusted`, `indicators[3].score`,
`tables[2].rows[5].values.基本支出`, `problems[0]`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from schemas.extraction import ReportExtraction

CONTENT_FIELDS = ("meta", "staffing", "budget", "three_public", "evaluation", "indicators", "projects",
                  "tables", "problems", "measures")


def iter_values(extraction: ReportExtraction, *, include_null: bool = False) -> Iterator[tuple[str, Any]]:
    """Every leaf value of the contract's content fields with its path (evidence, flags, run excluded)."""
    for field in CONTENT_FIELDS:
        yield from _walk(getattr(extraction, field), field, include_null)


def _walk(node: Any, path: str, include_null: bool) -> Iterator[tuple[str, Any]]:
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk(getattr(node, name), f"{path}.{name}", include_null)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}", include_null)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]", include_null)
    elif node is not None or include_null:
        yield path, node
