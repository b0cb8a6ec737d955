"""Alembic environment, run by Store at open with the connection passed in config.attributes.

Offline mode (config.attributes["dialect"], SQL written to the output buffer) renders the DDL for
another database, e.g. to review what PostgreSQL will run.
"""

from __future__ import annotations

from alembic import context

from extractor.store.models import Base

if context.is_offline_mode():
    context.configure(dialect_name=context.config.attributes["dialect"], target_metadata=Base.metadata,
                      literal_binds=True)
else:
    context.configure(connection=context.config.attributes["connection"], target_metadata=Base.metadata,
                      render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
