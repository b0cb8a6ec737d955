"""Per-run choices for ingestion."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field


class IngestOptions(BaseModel):
    jobs: int = Field(default_factory=lambda: os.cpu_count() or 1, description="parallel OCR workers")
    dpi: int = Field(200, description="render resolution for OCR")
