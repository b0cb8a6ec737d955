"""Initial schema: documents, runs, fields, flags, review actions, users, store settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(128), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_path", sa.Text, nullable=False),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("input_kind", sa.String(32)),
        sa.Column("current_run_id", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_documents_sha256", "documents", ["sha256"], unique=True)
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("engine", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128)),
        sa.Column("prompts_json", sa.Text, nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("git_commit", sa.String(64)),
        sa.Column("usage_json", sa.Text, nullable=False),
        sa.Column("timings_json", sa.Text, nullable=False),
        sa.Column("started_at", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("extraction_json", sa.Text, nullable=False),
    )
    op.create_index("ix_runs_document_id", "runs", ["document_id"])
    op.create_table(
        "fields",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("section", sa.String(256), nullable=False),
        sa.Column("value_json", sa.Text, nullable=False),
        sa.Column("extracted_json", sa.Text, nullable=False),
        sa.Column("unit", sa.String(32)),
        sa.Column("page", sa.Integer),
        sa.Column("bbox_json", sa.Text),
        sa.Column("quote", sa.Text),
        sa.Column("confidence", sa.Float),
        sa.Column("status", sa.String(32), nullable=False),
    )
    op.create_index("ix_fields_run_id", "fields", ["run_id"])
    op.create_index("ix_fields_document_id", "fields", ["document_id"])
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("related_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by_action_id", sa.Integer),
        sa.Column("closed_at", sa.DateTime),
        sa.Column("closed_by_action_id", sa.Integer),
    )
    op.create_index("ix_flags_run_id", "flags", ["run_id"])
    op.create_index("ix_flags_document_id", "flags", ["document_id"])
    op.create_index("ix_flags_rule", "flags", ["rule"])
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("field_id", sa.Integer, sa.ForeignKey("fields.id"), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("reviewer", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("old_value_json", sa.Text, nullable=False),
        sa.Column("new_value_json", sa.Text, nullable=False),
        sa.Column("old_status", sa.String(32), nullable=False),
        sa.Column("new_status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_review_actions_document_id", "review_actions", ["document_id"])
    op.create_index("ix_review_actions_field_id", "review_actions", ["field_id"])


def downgrade() -> None:
    for table in ("review_actions", "flags", "fields", "runs", "documents", "users", "store_settings"):
        op.drop_table(table)
