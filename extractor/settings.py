"""Settings in one place. Only this module reads the environment; stages receive values as arguments."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class LLMSettings(BaseModel):
    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str = "gpt-4o-mini"
    mode: Literal["tools", "json"] = "tools"
    timeout_s: float = 60.0
    max_attempts: int = 5
    max_reasks: int = 2
    max_rows_per_chunk: int = 40
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 30.0
    usd_per_mtok_prompt: float | None = None
    usd_per_mtok_completion: float | None = None

    @property
    def configured(self) -> bool:
        return bool(self.base_url or self.api_key)


class OCRSettings(BaseModel):
    dpi: int = 200
    jobs: int = os.cpu_count() or 1


class StoreSettings(BaseModel):
    url: str = "sqlite:///extractor.db"


class Settings(BaseSettings):
    """Read from EXTRACTOR_* variables, nested with '__' (EXTRACTOR_OCR__DPI=300).

    The flat names EXTRACTOR_LLM_BASE_URL, EXTRACTOR_LLM_API_KEY, EXTRACTOR_LLM_MODEL and
    EXTRACTOR_LLM_MODE are accepted too, as the documented short form.
    """

    model_config = SettingsConfigDict(env_prefix="EXTRACTOR_", env_nested_delimiter="__")

    llm: LLMSettings = LLMSettings()
    ocr: OCRSettings = OCRSettings()
    store: StoreSettings = StoreSettings()
    cache_path: str = ".cache/llm-cache.sqlite"


def load_settings() -> Settings:
    settings = Settings()
    flat = {
        "base_url": os.environ.get("EXTRACTOR_LLM_BASE_URL"),
        "api_key": os.environ.get("EXTRACTOR_LLM_API_KEY"),
        "model": os.environ.get("EXTRACTOR_LLM_MODEL"),
        "mode": os.environ.get("EXTRACTOR_LLM_MODE"),
    }
    overrides = {k: v for k, v in flat.items() if v}
    if overrides:
        settings.llm = settings.llm.model_copy(update=overrides | (
            {"api_key": SecretStr(overrides["api_key"])} if "api_key" in overrides else {}))
    return settings
