"""A response cache in SQLite: the same question to the same model with the same prompt is asked once.

The key covers everything that changes an answer: model, answer mode, the prompt file's hash,
the output schema version with the response model's JSON schema, and the exact messages sent.
A rerun with nothing changed makes no LLM call; `no_cache` (at the engine) bypasses the cache.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from extractor.errors import ExtractionError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    prompt_sha256 TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""


def cache_key(*, model: str, mode: str, prompt_sha256: str, schema_version: str, messages: list[dict]) -> str:
    """The sha256 identifying one question: model, mode, prompt hash, schema version, input hash."""
    input_hash = hashlib.sha256(json.dumps(messages, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    parts = [model, mode, prompt_sha256, schema_version, input_hash]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class ResponseCache:
    """Answers stored by cache_key in one SQLite file (created with its folder when missing)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()  # one connection shared by threads: serialise its use
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as error:
            raise ExtractionError(f"cannot open the LLM response cache: {error}", file=str(path)) from error

    def get(self, key: str) -> str | None:
        """The stored answer JSON for key, or None."""
        with self._lock:
            row = self._db.execute("SELECT answer_json FROM responses WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, *, model: str, prompt_sha256: str, answer_json: str) -> None:
        """Store (or replace) the answer for key."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, model, prompt_sha256, answer_json, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, model, prompt_sha256, answer_json, datetime.now(UTC).isoformat()))
            self._db.commit()

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        self._db.close()
