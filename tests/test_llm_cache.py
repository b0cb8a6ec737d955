"""The SQLite response cache: one row per distinct question, surviving a reopen."""

from __future__ import annotations

import pytest

from extractor.errors import ExtractionError
from extractor.extract.llm.cache import ResponseCache, cache_key

BASE = {"model": "m", "mode": "tools", "prompt_sha256": "a" * 64, "schema_version": "1:abc",
        "messages": [{"role": "user", "content": "全年预算 1430.40 万元"}]}


def test_key_changes_with_every_part():
    key = cache_key(**BASE)
    assert cache_key(**BASE) == key
    changes = [{"model": "m2"}, {"mode": "json"}, {"prompt_sha256": "b" * 64}, {"schema_version": "1:abd"},
               {"messages": [{"role": "user", "content": "全年预算 1430.41 万元"}]}]
    assert len({cache_key(**(BASE | change)) for change in changes} | {key}) == len(changes) + 1


def test_put_get_and_reopen(tmp_path):
    path = tmp_path / "nested" / "cache.sqlite"
    cache = ResponseCache(path)
    assert cache.get("k") is None
    cache.put("k", model="m", prompt_sha256="a", answer_json='{"v": 1}')
    cache.put("k", model="m", prompt_sha256="a", answer_json='{"v": 2}')
    cache.close()
    reopened = ResponseCache(path)
    assert reopened.get("k") == '{"v": 2}' and len(reopened) == 1


def test_unopenable_cache_is_an_extraction_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExtractionError, match="cannot open the LLM response cache"):
        ResponseCache(blocker / "cache.sqlite")
