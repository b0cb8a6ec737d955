"""Opening a store database: engine options, SQLite pragmas (WAL) and transactions, migrations."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from extractor.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def open_engine(url: str) -> Engine:
    """An engine for the URL with the schema migrated to head; StoreError when either fails."""
    try:
        engine = create_engine(url, **_engine_options(url))
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        raise StoreError(f"cannot open database: {exc}", file=url) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    try:
        _migrate(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate database: {exc}", file=url) from exc
    return engine


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # the review server answers requests from a thread pool
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    return {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # the driver's own implicit BEGIN is turned off so that _sqlite_begin decides how a transaction starts
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL: readers do not block the writer nor the writer the readers
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # A writing transaction takes the write lock at its start: one that read first and upgraded later
    # would fail at once (SQLITE_BUSY_SNAPSHOT) when another writer committed in between.
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _migrate(engine: Engine) -> None:
    config = _alembic_config()
    # immediate: processes opening a fresh database at once would otherwise all read "no schema" and
    # all but one fail at their first CREATE TABLE; this way they wait and find the schema made
    with engine.execution_options(sqlite_immediate=True).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _alembic_config(**attributes: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes.update(attributes)
    return config


def migration_sql(dialect: str) -> str:
    """The DDL the migrations run on a database of that dialect ('postgresql', 'sqlite'), as text."""
    buffer = io.StringIO()
    config = _alembic_config(dialect=dialect)
    config.output_buffer = buffer
    command.upgrade(config, "head", sql=True)
    return buffer.getvalue()
