"""Versioned prompt files: one YAML file per task and version in prompts/, validated on load.

A file is named `<name>.v<version>.yaml` and holds the keys name, version, description, system
and user (a Jinja template). A released version is never edited; a change is a new file. The
loader picks the highest version unless one is pinned, and every prompt carries a PromptRef
(name, version, sha256 of the file's bytes) so each result says exactly which text produced it.
Templates are rendered in Jinja's SandboxedEnvironment: the document text they receive is data.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from extractor.errors import PromptError
from schemas.extraction import PromptRef

PROMPTS_DIR = Path(__file__).resolve().parents[3] / "prompts"
REQUIRED_KEYS = ("name", "version", "description", "system", "user")

_FILE_NAME = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.yaml$")
_ENVIRONMENT = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False,
                                    keep_trailing_newline=True)


@dataclass(frozen=True)
class Prompt:
    """A loaded, validated prompt: its reference and its two compiled templates."""

    ref: PromptRef
    description: str
    path: Path
    _system: jinja2.Template
    _user: jinja2.Template

    def render(self, **context: Any) -> list[dict[str, str]]:
        """The chat messages (system, user) for this context; a missing variable is a PromptError."""
        try:
            return [
                {"role": "system", "content": self._system.render(**context).strip()},
                {"role": "user", "content": self._user.render(**context).strip()},
            ]
        except jinja2.TemplateError as error:
            raise PromptError(f"cannot render: {error}", file=str(self.path)) from error


def available_versions(name: str, directory: Path = PROMPTS_DIR) -> list[int]:
    """The versions of prompt `name` present in `directory`, ascending."""
    versions = []
    for path in directory.glob(f"{name}.v*.yaml"):
        match = _FILE_NAME.match(path.name)
        if match and match["name"] == name:
            versions.append(int(match["version"]))
    return sorted(versions)


def load_prompt(name: str, version: int | None = None, directory: Path = PROMPTS_DIR) -> Prompt:
    """Load prompt `name` at `version` (default: the latest) from `directory`, validating it.

    Raises PromptError naming the file when it is missing, not YAML, lacks a required key,
    disagrees with its file name, or holds a template that does not compile.
    """
    versions = available_versions(name, directory)
    if not versions:
        raise PromptError(f"no prompt file {name}.v<N>.yaml", file=str(directory))
    chosen = versions[-1] if version is None else version
    path = directory / f"{name}.v{chosen}.yaml"
    if not path.is_file():
        raise PromptError(f"prompt {name} has no version {chosen} (have {versions})", file=str(path))
    raw = path.read_bytes()
    data = _parse(raw, path)
    if data["name"] != name or str(data["version"]) != str(chosen):
        raise PromptError(f"file says name={data['name']!r} version={data['version']!r}, "
                          f"its file name says {name!r} version {chosen}", file=str(path))
    try:
        system = _ENVIRONMENT.from_string(data["system"])
        user = _ENVIRONMENT.from_string(data["user"])
    except jinja2.TemplateSyntaxError as error:
        raise PromptError(f"template syntax error on line {error.lineno}: {error.message}",
                          file=str(path)) from error
    ref = PromptRef(name=name, version=str(chosen), sha256=hashlib.sha256(raw).hexdigest())
    return Prompt(ref=ref, description=data["description"], path=path, _system=system, _user=user)


def _parse(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise PromptError(f"not valid UTF-8 YAML: {error}", file=str(path)) from error
    if not isinstance(data, dict):
        raise PromptError("a prompt file must be a YAML mapping", file=str(path))
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise PromptError(f"missing required keys {missing} (need {list(REQUIRED_KEYS)})", file=str(path))
    for key in ("name", "description", "system", "user"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise PromptError(f"key {key!r} must be a non-empty string", file=str(path))
    if not isinstance(data["version"], int | str):
        raise PromptError("key 'version' must be a number", file=str(path))
    return data
