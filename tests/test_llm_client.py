"""LLMClient over real HTTP against the fake OpenAI-compatible server: retries, re-asks, usage, cache."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel

from extractor.extract.llm.cache import ResponseCache
from extractor.extract.llm.client import LLMCallFailed, LLMClient, OutputTruncated
from schemas.extraction import PromptRef
from tests.fake_llm_server import FakeLLMServer, answer, error, fake_settings, hang, raw_text, truncated

PROMPT = PromptRef(name="test", version="1", sha256="0" * 64)
MESSAGES = [{"role": "system", "content": "extract"}, {"role": "user", "content": "全年预算 1430.40 万元"}]


class Amount(BaseModel):
    value: Decimal
    quote: str


@pytest.fixture
def fake_llm():
    with FakeLLMServer() as server:
        yield server


GOOD = {"value": "1430.40", "quote": "全年预算 1430.40 万元"}


@pytest.mark.parametrize("mode", ["tools", "json"])
def test_answer_is_parsed_in_both_modes(fake_llm, mode):
    fake_llm.script(answer(GOOD, usage=(120, 30)))
    result = LLMClient(fake_settings(fake_llm, mode=mode)).ask(MESSAGES, Amount, prompt=PROMPT)
    assert result.value.value == Decimal("1430.40")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.calls) == (120, 30, 1)
    (request,) = fake_llm.completions
    if mode == "tools":
        assert request.body["tools"][0]["function"]["name"] == "Amount"
    else:
        assert request.body["response_format"] == {"type": "json_object"}
    assert request.headers["authorization"] == "Bearer test-key"


def test_429_waits_for_retry_after_then_succeeds(fake_llm):
    fake_llm.script(error(429, retry_after=0.6), answer(GOOD, usage=(50, 10)))
    result = LLMClient(fake_settings(fake_llm)).ask(MESSAGES, Amount, prompt=PROMPT)
    first, second = fake_llm.completions
    assert second.at - first.at >= 0.6
    assert result.value.value == Decimal("1430.40")
    assert result.usage.calls == 2 and result.usage.total_tokens == 60


def test_slow_answer_within_the_timeout_is_not_retried(fake_llm):
    fake_llm.script(answer(GOOD, delay_s=0.4))
    result = LLMClient(fake_settings(fake_llm, timeout_s=2.0)).ask(MESSAGES, Amount, prompt=PROMPT)
    assert result.value.value == Decimal("1430.40") and len(fake_llm.completions) == 1


def test_500s_then_success(fake_llm):
    fake_llm.script(error(500), error(502), answer(GOOD))
    result = LLMClient(fake_settings(fake_llm)).ask(MESSAGES, Amount, prompt=PROMPT)
    assert result.value.quote == GOOD["quote"]
    assert len(fake_llm.completions) == 3 and result.usage.calls == 3


def test_timeout_then_success(fake_llm):
    fake_llm.script(hang(2.0), answer(GOOD))
    result = LLMClient(fake_settings(fake_llm, timeout_s=0.5)).ask(MESSAGES, Amount, prompt=PROMPT)
    assert result.value.value == Decimal("1430.40")
    assert len(fake_llm.completions) == 2


def test_malformed_json_is_reasked_and_usage_counts_every_attempt(fake_llm):
    fake_llm.script(raw_text('{"value": "1430.40", "quote": ', usage=(100, 7)), answer(GOOD, usage=(130, 20)))
    result = LLMClient(fake_settings(fake_llm)).ask(MESSAGES, Amount, prompt=PROMPT)
    assert result.value.value == Decimal("1430.40")
    assert (result.usage.calls, result.usage.prompt_tokens, result.usage.completion_tokens) == (2, 230, 27)
    # the re-ask shows the model its broken answer and the error
    assert len(fake_llm.completions[1].body["messages"]) > len(fake_llm.completions[0].body["messages"])


def test_invalid_answers_exhaust_reasks(fake_llm):
    fake_llm.script(*[raw_text('{"value": "not a number", "quote": "x"}') for _ in range(3)])
    with pytest.raises(LLMCallFailed, match="invalid after 3 attempts") as caught:
        LLMClient(fake_settings(fake_llm, max_reasks=2)).ask(MESSAGES, Amount, prompt=PROMPT)
    assert caught.value.usage.calls == 3


def test_transport_retries_exhausted(fake_llm):
    fake_llm.script(*[error(503) for _ in range(3)])
    with pytest.raises(LLMCallFailed, match="unreachable after 3 attempts"):
        LLMClient(fake_settings(fake_llm, max_attempts=3)).ask(MESSAGES, Amount, prompt=PROMPT)
    assert len(fake_llm.completions) == 3


def test_client_errors_are_not_retried(fake_llm):
    fake_llm.script(error(401), answer(GOOD))
    with pytest.raises(LLMCallFailed, match="refused"):
        LLMClient(fake_settings(fake_llm)).ask(MESSAGES, Amount, prompt=PROMPT)
    assert len(fake_llm.completions) == 1


def test_truncated_output_is_signalled_not_reasked(fake_llm):
    fake_llm.script(truncated(usage=(90, 4096)))
    with pytest.raises(OutputTruncated) as caught:
        LLMClient(fake_settings(fake_llm)).ask(MESSAGES, Amount, prompt=PROMPT)
    assert len(fake_llm.completions) == 1
    assert caught.value.usage.completion_tokens == 4096


def test_cache_hit_makes_no_http_call(fake_llm, tmp_path):
    fake_llm.script(answer(GOOD))
    settings = fake_settings(fake_llm)
    first = LLMClient(settings, ResponseCache(tmp_path / "c.sqlite")).ask(MESSAGES, Amount, prompt=PROMPT)
    second = LLMClient(settings, ResponseCache(tmp_path / "c.sqlite")).ask(MESSAGES, Amount, prompt=PROMPT)
    assert len(fake_llm.completions) == 1
    assert second.cached and second.value.model_dump() == first.value.model_dump()
    assert (second.usage.calls, second.usage.cached_calls) == (0, 1)
