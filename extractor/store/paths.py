"""Get and set values by path (`budget.adjusted`, `indicators[3].score`, `tables[2].rows[5].values.基本支出`).

The helpers work on the JSON form of a ReportExtraction (`model_dump(mode="json")`); a change is made
typed by `apply_value`, which rebuilds the model with Pydantic so that a value of the wrong type is
refused with a message naming the path.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from extractor.errors import ExtractorError
from schemas.extraction import ReportExtraction

CONTENT_FIELDS = ("meta", "staffing", "budget", "three_public", "evaluation", "indicators", "projects",
                  "tables", "problems", "measures")

_INDEX = re.compile(r"^(?P<name>[^\[\]]*)((\[\d+\])+)$")
_LEADING_INDEX = re.compile(r"^\[(\d+)\]")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class PathError(ExtractorError):
    """A path does not name a value of the extraction, or a value does not fit the schema at that path."""


def parse_path(path: str) -> list[str | int]:
    """Split a path into keys and list indexes: `tables[2].rows[5].values.合计` -> ['tables', 2, 'rows', 5, ...]."""
    steps: list[str | int] = []
    for part in path.split("."):
        match = _INDEX.match(part)
        if match:
            if match.group("name"):
                steps.append(match.group("name"))
            steps.extend(int(index) for index in re.findall(r"\[(\d+)\]", part))
        elif part:
            steps.append(part)
        else:
            raise PathError(f"empty step in path {path!r}")
    return steps


def _resolve(data: Any, path: str) -> tuple[Any, str | int]:
    """The container holding the value at path, and the key or index of the value in it.

    The path is read against the data rather than split first, because a key (a table's column
    name) may itself hold dots or brackets: at a mapping, the longest key the rest of the path
    starts with is taken.
    """
    node = data
    rest = path
    while True:
        if isinstance(node, dict):
            if rest in node:
                return node, rest
            keys = [key for key in node if rest.startswith(key) and rest[len(key):len(key) + 1] in (".", "[")]
            if not keys:
                raise PathError(f"no value at path {path!r} (no {_next_step(rest)!r})")
            key = max(keys, key=len)
            node, rest = node[key], rest[len(key):]
        elif isinstance(node, list):
            match = _LEADING_INDEX.match(rest)
            if match is None:
                raise PathError(f"no value at path {path!r} (step {_next_step(rest)!r})")
            index = int(match.group(1))
            if index >= len(node):
                raise PathError(f"no value at path {path!r} (index {index} past {len(node)} items)")
            rest = rest[match.end():]
            if not rest:
                return node, index
            node = node[index]
        else:
            raise PathError(f"no value at path {path!r} (step {_next_step(rest)!r})")
        if rest.startswith("."):
            rest = rest[1:]
        elif not rest.startswith("["):
            raise PathError(f"no value at path {path!r}")


def _next_step(rest: str) -> str:
    return re.split(r"[.\[]", rest, maxsplit=1)[0] or rest


def get_path(data: Any, path: str) -> Any:
    """The value at path in JSON data."""
    container, key = _resolve(data, path)
    return container[key]


def set_path(data: Any, path: str, value: Any) -> None:
    """Replace the value at path in JSON data (the path must already exist)."""
    container, key = _resolve(data, path)
    container[key] = value


def iter_leaves(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every leaf of the content fields, nulls included, in document order (evidence, flags, run excluded)."""
    for field in CONTENT_FIELDS:
        if field in data:
            yield from _walk(data[field], field)


def _walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")
    else:
        yield path, node


def apply_value(extraction: ReportExtraction, path: str, value: Any) -> ReportExtraction:
    """A new extraction with value set at path, validated by the schema.

    A string typed by a person is accepted for a number when it is a number, with thousands
    separators allowed ("64,840,547.00"); anything else that does not fit raises PathError.
    """
    data = extraction.model_dump(mode="json")
    get_path(data, path)  # the path must exist
    candidates = [value]
    if isinstance(value, str) and _GROUPED_NUMBER.match(value.strip()):
        candidates.append(value.strip().replace(",", ""))
    error: ValidationError | None = None
    for candidate in candidates:
        attempt = copy.deepcopy(data)
        set_path(attempt, path, candidate.strip() if isinstance(candidate, str) else candidate)
        try:
            return ReportExtraction.model_validate(attempt)
        except ValidationError as exc:
            error = exc
    assert error is not None
    problem = error.errors()[0]
    raise PathError(f"{value!r} is not a valid value for {path}: {problem['msg']}") from error


def json_value(extraction: ReportExtraction, path: str) -> Any:
    """The JSON form of the value at path (Decimal as a decimal string, dates as ISO text)."""
    return get_path(extraction.model_dump(mode="json"), path)


def as_decimal(value: Any) -> Decimal | None:
    """A stored value as a Decimal when it is a number, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None
