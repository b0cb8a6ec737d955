"""Tables of the store: documents, runs, every extracted value (fields), flags, review actions, users.

The schema itself is created by the versioned migrations in migrations/versions; these classes must
match them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

FIELD_STATUSES = ("open", "accepted", "corrected", "not_in_document")
FLAG_STATUSES = ("open", "accepted", "resolved", "superseded")


class Base(DeclarativeBase):
    pass


class StoreSetting(Base):
    """Key/value settings of the store itself, such as the session signing secret."""

    __tablename__ = "store_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_path: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    pages: Mapped[int] = mapped_column(Integer)
    input_kind: Mapped[str | None] = mapped_column(String(32))
    current_run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    engine: Mapped[str] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128))
    prompts_json: Mapped[str] = mapped_column(Text)
    schema_version: Mapped[int] = mapped_column(Integer)
    git_commit: Mapped[str | None] = mapped_column(String(64))
    usage_json: Mapped[str] = mapped_column(Text)
    timings_json: Mapped[str] = mapped_column(Text)
    started_at: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    extraction_json: Mapped[str] = mapped_column(Text, doc="the extraction as the run produced it")


class FieldRow(Base):
    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(String(256))
    value_json: Mapped[str] = mapped_column(Text, doc="current value, JSON")
    extracted_json: Mapped[str] = mapped_column(Text, doc="value as extracted, JSON")
    unit: Mapped[str | None] = mapped_column(String(32))
    page: Mapped[int | None] = mapped_column(Integer)
    bbox_json: Mapped[str | None] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(32), default="open")


class FlagRow(Base):
    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(128), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    related_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    created_by_action_id: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None]
    closed_by_action_id: Mapped[int | None] = mapped_column(Integer)


class ReviewActionRow(Base):
    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("fields.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    reviewer: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]
    old_value_json: Mapped[str] = mapped_column(Text)
    new_value_json: Mapped[str] = mapped_column(Text)
    old_status: Mapped[str] = mapped_column(String(32))
    new_status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
