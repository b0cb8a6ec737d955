"""What the store hands out: read-only views of documents, fields, flags and review actions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from extractor.store.models import FieldRow, FlagRow, ReviewActionRow


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    file_name: str
    file_path: str
    sha256: str
    pages: int
    input_kind: str | None
    department: str | None
    fiscal_year: int | None
    report_type: str | None
    open_flags: int
    open_fields: int
    total_fields: int
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldView:
    id: int
    document_id: int
    path: str
    section: str
    value: Any
    extracted_value: Any
    unit: str | None
    page: int | None
    bbox: tuple[float, float, float, float] | None
    quote: str | None
    confidence: float | None
    status: str


@dataclass(frozen=True)
class FlagView:
    id: int
    path: str
    rule: str
    severity: str
    message: str
    related: tuple[str, ...]
    status: str
    closed_by_action_id: int | None = None


@dataclass(frozen=True)
class ActionView:
    id: int
    document_id: int
    field_id: int
    path: str
    action: str
    reviewer: str
    at: datetime
    old_value: Any
    new_value: Any
    old_status: str
    new_status: str
    reason: str
    closed_flags: tuple[str, ...] = field(default_factory=tuple)
    opened_flags: tuple[str, ...] = field(default_factory=tuple)


def flag_view(row: FlagRow) -> FlagView:
    """The view of a flag row."""
    return FlagView(id=row.id, path=row.path, rule=row.rule, severity=row.severity, message=row.message,
                    related=tuple(json.loads(row.related_json)), status=row.status,
                    closed_by_action_id=row.closed_by_action_id)


def field_view(row: FieldRow) -> FieldView:
    """The view of a field row, its JSON decoded."""
    return FieldView(
        id=row.id, document_id=row.document_id, path=row.path, section=row.section,
        value=json.loads(row.value_json), extracted_value=json.loads(row.extracted_json), unit=row.unit,
        page=row.page, bbox=tuple(json.loads(row.bbox_json)) if row.bbox_json else None, quote=row.quote,
        confidence=row.confidence, status=row.status)


def action_view(action: ReviewActionRow, flags: list[FlagRow]) -> ActionView:
    """The view of a review action, with the flags it closed or opened (from `flags`)."""

    def describe(flag: FlagRow) -> str:
        return f"{flag.rule} on {flag.path} ({flag.status})"

    return ActionView(
        id=action.id, document_id=action.document_id, field_id=action.field_id, path=action.path,
        action=action.action, reviewer=action.reviewer, at=action.at,
        old_value=json.loads(action.old_value_json), new_value=json.loads(action.new_value_json),
        old_status=action.old_status, new_status=action.new_status, reason=action.reason,
        closed_flags=tuple(describe(f) for f in flags if f.closed_by_action_id == action.id),
        opened_flags=tuple(describe(f) for f in flags if f.created_by_action_id == action.id))
