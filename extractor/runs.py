"""A run: one `extract` invocation, recorded next to its outputs as run.json so evals can compare runs."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from schemas.extraction import SCHEMA_VERSION, PromptRef, TokenUsage

RUN_FILE = "run.json"


class FileOutcome(BaseModel):
    input: str
    output: str | None = None
    status: str = Field(description="done, skipped (already done) or failed")
    error: str | None = None


class RunRecord(BaseModel):
    run_id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    engine: str
    model: str | None = None
    prompts: list[PromptRef] = Field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
    git_commit: str | None = None
    started_at: str = Field(default_factory=lambda: now_iso())
    finished_at: str | None = None
    usage: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: float | None = Field(None, description="from configured per-token prices; None when unknown")
    files: list[FileOutcome] = Field(default_factory=list)

    def save(self, out_dir: Path) -> Path:
        path = out_dir / RUN_FILE
        path.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        return path


def load_run(run_dir: Path) -> RunRecord:
    return RunRecord.model_validate_json((run_dir / RUN_FILE).read_text(encoding="utf-8"))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def git_commit(project_dir: Path | None = None) -> str | None:
    """The commit the code ran at, with '+dirty' when the work tree has changes; None outside git."""
    cwd = project_dir or Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True,
                                check=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+dirty" if dirty else commit
