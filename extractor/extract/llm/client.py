"""The one way this product talks to a model: openai + instructor against any OpenAI-compatible endpoint.

Two retry layers with separate jobs:
- tenacity wraps each HTTP request and retries transport faults only (429 honouring Retry-After,
  5xx, timeouts, connection errors) with exponential backoff and jitter; the openai client's own
  retries are off (max_retries=0) so there is exactly one transport retry layer.
- instructor's max_retries re-asks the model only when its answer fails validation.
Every HTTP request counts as a call and the usage of every response (re-asked or truncated ones
included) is summed, so a task's TokenUsage is what the endpoint actually billed.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from extractor.errors import ExtractionError
from extractor.extract.llm.cache import ResponseCache, cache_key
from extractor.settings import LLMSettings
from schemas.extraction import SCHEMA_VERSION, PromptRef, TokenUsage

M = TypeVar("M", bound=BaseModel)

MAX_RETRY_AFTER_S = 300.0
_MODES = {"tools": instructor.Mode.TOOLS, "json": instructor.Mode.JSON}


class OutputTruncated(Exception):  # noqa: N818 - a signal to split the input, not a failure
    """The model stopped at its output limit (finish_reason == "length"): the caller must ask for less."""

    def __init__(self, usage: TokenUsage):
        super().__init__("model output truncated (finish_reason=length)")
        self.usage = usage


class LLMCallFailed(Exception):
    """Transport retries or validation re-asks are exhausted; the engine names document and task."""

    def __init__(self, message: str, usage: TokenUsage):
        super().__init__(message)
        self.usage = usage


@dataclass
class Answer(Generic[M]):
    value: M
    usage: TokenUsage
    cached: bool


def is_transport_fault(error: BaseException) -> bool:
    """429, 5xx, timeouts and connection errors: worth the same request again after a pause."""
    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return False


def retry_after_seconds(error: BaseException | None) -> float | None:
    """The pause a 429/503 response asks for (Retry-After seconds or retry-after-ms), if any."""
    response = getattr(error, "response", None)
    if response is None:
        return None
    headers = response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw) * scale
        except ValueError:
            continue  # an HTTP date: fall back to the backoff
        if seconds >= 0:
            return min(seconds, MAX_RETRY_AFTER_S)
    return None


class LLMClient:
    """Structured answers from one model; see ask()."""

    def __init__(self, settings: LLMSettings, cache: ResponseCache | None = None):
        if not settings.configured:
            raise ExtractionError("no LLM endpoint configured: set EXTRACTOR_LLM_BASE_URL and/or "
                                  "EXTRACTOR_LLM_API_KEY")
        self.settings = settings
        self.cache = cache
        api_key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._openai = openai.OpenAI(base_url=settings.base_url, api_key=api_key,
                                     timeout=settings.timeout_s, max_retries=0)
        self._mode = _MODES[settings.mode]
        self._structured_create = instructor.patch(create=self._send, mode=self._mode)
        self._local = threading.local()  # usage of the ask() running on this thread
        self._backoff = wait_random_exponential(multiplier=settings.backoff_initial_s, max=settings.backoff_max_s)

    def ask(self, messages: list[dict[str, str]], response_model: type[M], *, prompt: PromptRef) -> Answer[M]:
        """One structured answer for these messages, from the cache when the same question was asked.

        Raises OutputTruncated when the answer hit the output limit and LLMCallFailed when the
        endpoint stayed unreachable or the answer stayed invalid after all re-asks.
        """
        key = None
        if self.cache is not None:
            key = cache_key(model=self.settings.model, mode=self.settings.mode, prompt_sha256=prompt.sha256,
                            schema_version=_schema_version(response_model), messages=messages)
            stored = self.cache.get(key)
            if stored is not None:
                return Answer(response_model.model_validate_json(stored), TokenUsage(cached_calls=1), cached=True)
        self._local.usage = TokenUsage()
        try:
            value = self._structured_create(
                response_model=response_model, messages=messages, model=self.settings.model,
                max_retries=self.settings.max_reasks, strict=False)
        except IncompleteOutputException as error:
            raise OutputTruncated(self._local.usage) from error
        except InstructorRetryException as error:
            cause = error.__cause__
            if cause is not None and isinstance(cause, openai.OpenAIError):
                what = ("endpoint unreachable after "
                        f"{self.settings.max_attempts} attempts" if is_transport_fault(cause) else "request refused")
                raise LLMCallFailed(f"{what}: {cause}", self._local.usage) from error
            raise LLMCallFailed(f"answer still invalid after {error.n_attempts} attempts: {cause or error}",
                                self._local.usage) from error
        if self.cache is not None and key is not None:
            self.cache.put(key, model=self.settings.model, prompt_sha256=prompt.sha256,
                           answer_json=value.model_dump_json())
        return Answer(value, self._local.usage, cached=False)

    def _send(self, **request: Any) -> Any:
        """One chat completion, retried on transport faults only; counts the call and its usage."""
        retrying = Retrying(
            retry=retry_if_exception(is_transport_fault),
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=self._wait,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self._local.usage = self._local.usage.add(TokenUsage(calls=1))
                response = self._openai.chat.completions.create(**request)
        usage = getattr(response, "usage", None)
        if usage is not None:
            self._local.usage = self._local.usage.add(TokenUsage(
                prompt_tokens=usage.prompt_tokens or 0, completion_tokens=usage.completion_tokens or 0,
                total_tokens=usage.total_tokens or 0))
        return response

    def _wait(self, state: RetryCallState) -> float:
        backoff = self._backoff(state)
        requested = retry_after_seconds(state.outcome.exception() if state.outcome else None)
        return max(backoff, requested) if requested is not None else backoff


def _schema_version(response_model: type[BaseModel]) -> str:
    schema = json.dumps(response_model.model_json_schema(), sort_keys=True, ensure_ascii=False)
    return f"{SCHEMA_VERSION}:{hashlib.sha256(schema.encode()).hexdigest()[:16]}"
