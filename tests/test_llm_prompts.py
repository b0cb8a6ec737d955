"""Prompt files: one per task, versioned, validated on load, rendered in a sandbox."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from extractor.errors import PromptError
from extractor.extract.engine import Task
from extractor.extract.llm.prompts import PROMPTS_DIR, available_versions, load_prompt

VALID = """name: budget
version: {version}
description: test prompt
system: |
  You read reports. v{version}
user: |
  <document>
  {{{{ document }}}}
  </document>
"""


def test_every_task_has_a_valid_prompt_file():
    for task in Task:
        prompt = load_prompt(task.value)
        assert prompt.ref.name == task.value
        assert prompt.ref.sha256 == hashlib.sha256(prompt.path.read_bytes()).hexdigest()
        assert prompt.path.parent == PROMPTS_DIR


def test_latest_version_unless_pinned(tmp_path):
    for version in (1, 2, 10):
        (tmp_path / f"budget.v{version}.yaml").write_text(VALID.format(version=version), encoding="utf-8")
    assert available_versions("budget", tmp_path) == [1, 2, 10]
    assert load_prompt("budget", directory=tmp_path).ref.version == "10"
    pinned = load_prompt("budget", 2, directory=tmp_path)
    assert pinned.ref.version == "2" and "v2" in pinned.render(document="x")[0]["content"]
    with pytest.raises(PromptError, match="no version 3"):
        load_prompt("budget", 3, directory=tmp_path)


def test_render_puts_document_text_in_verbatim_and_sandboxed(tmp_path):
    (tmp_path / "budget.v1.yaml").write_text(VALID.format(version=1), encoding="utf-8")
    prompt = load_prompt("budget", directory=tmp_path)
    hostile = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} 全年预算 1430.40 万元"
    system, user = prompt.render(document=hostile)
    assert system["role"] == "system" and user["role"] == "user"
    assert hostile in user["content"]  # a variable's value is never rendered as a template


@pytest.mark.parametrize(("content", "problem"), [
    ("name: budget\nversion: 1\nsystem: s\nuser: u\n", "missing required keys \\['description'\\]"),
    ("name: budget\nversion: 1\ndescription: d\nsystem: s\nuser: '{{ document '\n", "template syntax error"),
    ("name: other\nversion: 1\ndescription: d\nsystem: s\nuser: u\n", "its file name says"),
    ("- just\n- a list\n", "must be a YAML mapping"),
    ("name: budget\nversion: 1\ndescription: d\nsystem: ''\nuser: u\n", "'system' must be a non-empty string"),
    ("name: [budget\n", "not valid UTF-8 YAML"),
])
def test_malformed_prompt_files_raise_prompt_error_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "budget.v1.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PromptError, match=problem) as caught:
        load_prompt("budget", directory=tmp_path)
    assert str(path) in str(caught.value)


def test_sandbox_blocks_unsafe_template_access(tmp_path):
    bad = VALID.format(version=1).replace("{{ document }}", "{{ document.__class__.__mro__[1].__subclasses__() }}")
    (tmp_path / "budget.v1.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(PromptError, match="cannot render"):
        load_prompt("budget", directory=tmp_path).render(document="x")


def test_missing_variable_is_an_error(tmp_path):
    shutil.copy(PROMPTS_DIR / "budget.v1.yaml", tmp_path / "budget.v1.yaml")
    with pytest.raises(PromptError, match="cannot render"):
        load_prompt("budget", directory=tmp_path).render(document="x")  # `file` not given


def test_missing_prompt(tmp_path):
    with pytest.raises(PromptError, match="no prompt file nothing"):
        load_prompt("nothing", directory=tmp_path)
