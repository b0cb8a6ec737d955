"""Field-level scoring of predicted extractions against hand-labelled gold.

Gold holds only the paths a person checked. Every checked non-null gold value is one field: it is
`correct`, `wrong` (counts as a false positive and a false negative) or `missing`. A checked null, or an
item of a checked list or table that gold does not have, makes a predicted value `extra`. Lists are
matched by their key text and tables by title and rows (codes first, then names), each with an optimal
assignment, so order never matters.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from evals.match import assign
from evals.normalize import Tolerances, normalize_text, similarity, values_equal
from extractor.errors import EvalError

Status = Literal["correct", "wrong", "missing", "extra"]
GOLD_HEADER = "_gold"
SECTIONS = ("meta", "staffing", "budget", "three_public", "evaluation", "indicators", "projects", "tables",
            "problems", "measures")
_LIST_MIN_SIMILARITY = 0.5
_ROW_MIN_SIMILARITY = 0.6
_TABLE_MIN_SIMILARITY = 0.3


class FieldOutcome(BaseModel):
    document: str
    section: str
    path: str = Field(description="path in the gold file (pred path differs when items were reordered)")
    status: Status
    gold: Any = None
    pred: Any = None
    page: int | None = Field(None, description="page of the predicted value's evidence, when there is one")


class Score(BaseModel):
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def count(self, status: Status) -> None:
        if status == "correct":
            self.tp += 1
        if status in ("wrong", "extra"):
            self.fp += 1
        if status in ("wrong", "missing"):
            self.fn += 1


class EvalResult(BaseModel):
    outcomes: list[FieldOutcome]
    documents: list[str]
    unmatched_predictions: list[str] = Field(default_factory=list)

    def score(self, *, document: str | None = None, section: str | None = None) -> Score:
        total = Score()
        for outcome in self.outcomes:
            if (document is None or outcome.document == document) and (
                    section is None or outcome.section == section):
                total.count(outcome.status)
        return total

    def scored_sections(self) -> list[str]:
        """The sections holding at least one scored field, in SECTIONS order."""
        present = {outcome.section for outcome in self.outcomes}
        return [section for section in SECTIONS if section in present]

    def summary(self) -> dict[str, Any]:
        """Plain numbers for --json: overall, per section, per document."""
        def figures(score: Score) -> dict[str, float | int]:
            return {"precision": round(score.precision, 4), "recall": round(score.recall, 4),
                    "f1": round(score.f1, 4), "tp": score.tp, "fp": score.fp, "fn": score.fn}

        return {
            "overall": figures(self.score()),
            "sections": {s: figures(self.score(section=s)) for s in self.scored_sections()},
            "documents": {d: figures(self.score(document=d)) for d in self.documents},
        }


def load_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, ValueError) as error:
        raise EvalError(f"cannot read JSON: {error}", file=str(path)) from error


def score_dirs(gold_dir: Path, pred_dir: Path, tolerances: Tolerances | None = None) -> EvalResult:
    """Score every gold file in gold_dir against the prediction for the same source in pred_dir."""
    tolerances = tolerances or Tolerances()
    gold_files = sorted(gold_dir.glob("*.json"))
    if not gold_files:
        raise EvalError("no gold files (*.json) found", file=str(gold_dir))
    predictions = _load_predictions(pred_dir)
    outcomes: list[FieldOutcome] = []
    documents: list[str] = []
    used: set[str] = set()
    for gold_file in gold_files:
        gold = load_json(gold_file)
        name = gold_file.stem
        documents.append(name)
        key, pred = _find_prediction(gold, predictions)
        if key:
            used.add(key)
        outcomes.extend(score_document(name, gold, pred, tolerances))
    return EvalResult(outcomes=outcomes, documents=documents,
                      unmatched_predictions=sorted(set(predictions) - used))


def score_document(name: str, gold: dict[str, Any], pred: dict[str, Any] | None,
                   tolerances: Tolerances) -> list[FieldOutcome]:
    """Outcomes for every checked field of one gold document."""
    scorer = _DocumentScorer(name, pred or {}, tolerances)
    for section in SECTIONS:
        if section in gold:
            scorer.section(section, gold[section], (pred or {}).get(section))
    return scorer.outcomes


def _load_predictions(pred_dir: Path) -> dict[str, dict[str, Any]]:
    if not pred_dir.is_dir():
        raise EvalError("prediction directory not found", file=str(pred_dir))
    predictions = {}
    for path in sorted(pred_dir.glob("*.json")):
        data = load_json(path)
        if isinstance(data, dict) and "source" in data and "meta" in data:
            predictions[path.name] = data
    return predictions


def _find_prediction(gold: dict[str, Any], predictions: dict[str, dict[str, Any]]
                     ) -> tuple[str | None, dict[str, Any] | None]:
    source = gold.get("source") or {}
    header = gold.get(GOLD_HEADER) or {}
    sha = source.get("sha256") or header.get("sha256")
    file = source.get("file") or header.get("source")
    for key, pred in predictions.items():
        if sha and (pred.get("source") or {}).get("sha256") == sha:
            return key, pred
    for key, pred in predictions.items():
        if file and (pred.get("source") or {}).get("file") == file:
            return key, pred
    return None, None


class _DocumentScorer:
    def __init__(self, document: str, pred_root: dict[str, Any], tolerances: Tolerances):
        self.document = document
        self.evidence = pred_root.get("evidence") or {}
        self.tolerances = tolerances
        self.outcomes: list[FieldOutcome] = []
        self._section = ""

    def section(self, name: str, gold: Any, pred: Any) -> None:
        self._section = name
        if name == "tables":
            self._tables(gold or [], pred or [], name, name)
        elif name in ("indicators", "problems", "measures", "projects"):
            self._list(gold or [], pred or [], name, name)
        else:
            self._node(gold, pred, name, name)

    # one value or a nested object
    def _node(self, gold: Any, pred: Any, path: str, pred_path: str) -> None:
        if isinstance(gold, dict):
            pred = pred if isinstance(pred, dict) else {}
            for key, value in gold.items():
                self._node(value, pred.get(key), f"{path}.{key}", f"{pred_path}.{key}")
        elif isinstance(gold, list):
            self._list(gold, pred if isinstance(pred, list) else [], path, pred_path)
        else:
            self._leaf(gold, pred, path, pred_path)

    def _leaf(self, gold: Any, pred: Any, path: str, pred_path: str) -> None:
        if gold is None:
            if pred is not None:
                self._record("extra", path, None, pred, pred_path)
        elif pred is None:
            self._record("missing", path, gold, None, pred_path)
        elif values_equal(gold, pred, self.tolerances.for_path(path)):
            self._record("correct", path, gold, pred, pred_path)
        else:
            self._record("wrong", path, gold, pred, pred_path)

    def _all(self, status: Status, node: Any, path: str, pred_path: str, *, side: str) -> None:
        """Every non-null leaf of an unmatched item, as missing (gold side) or extra (pred side)."""
        if isinstance(node, dict):
            for key, value in node.items():
                self._all(status, value, f"{path}.{key}", f"{pred_path}.{key}", side=side)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self._all(status, value, f"{path}[{index}]", f"{pred_path}[{index}]", side=side)
        elif node is not None:
            gold, pred = (node, None) if side == "gold" else (None, node)
            self._record(status, path, gold, pred, pred_path)

    def _record(self, status: Status, path: str, gold: Any, pred: Any, pred_path: str) -> None:
        evidence = self.evidence.get(pred_path) or {}
        self.outcomes.append(FieldOutcome(
            document=self.document, section=self._section, path=path, status=status,
            gold=_plain(gold), pred=_plain(pred), page=evidence.get("page") if pred is not None else None))

    # lists of items matched by key text
    def _list(self, gold: list, pred: list, path: str, pred_path: str) -> None:
        pairs = assign(gold, pred, _item_similarity, _LIST_MIN_SIMILARITY)
        self._pairs(gold, pred, pairs, path, pred_path, self._node)

    def _pairs(self, gold: list, pred: list, pairs: list[tuple[int, int]], path: str, pred_path: str,
               compare) -> None:
        matched_gold = {g for g, _ in pairs}
        matched_pred = {p for _, p in pairs}
        for g, p in pairs:
            compare(gold[g], pred[p], f"{path}[{g}]", f"{pred_path}[{p}]")
        for g, item in enumerate(gold):
            if g not in matched_gold:
                self._all("missing", item, f"{path}[{g}]", f"{pred_path}[?]", side="gold")
        for p, item in enumerate(pred):
            if p not in matched_pred:
                self._all("extra", item, f"{path}[+{p}]", f"{pred_path}[{p}]", side="pred")

    # statement tables: tables by title and rows, rows by code then name, cells by column name
    def _tables(self, gold: list, pred: list, path: str, pred_path: str) -> None:
        pairs = assign(gold, pred, _table_similarity, _TABLE_MIN_SIMILARITY)
        matched_gold = {g for g, _ in pairs}
        for g, p in pairs:
            self._table(gold[g], pred[p], f"{path}[{g}]", f"{pred_path}[{p}]")
        for g, item in enumerate(gold):
            if g not in matched_gold:
                self._all("missing", item.get("rows", []), f"{path}[{g}].rows", f"{pred_path}[?].rows",
                          side="gold")
        # predicted tables gold does not have are not scored: gold labels only some of a report's tables

    def _table(self, gold: dict, pred: dict, path: str, pred_path: str) -> None:
        for key in ("title", "unit"):
            if key in gold:
                self._leaf(gold[key], pred.get(key), f"{path}.{key}", f"{pred_path}.{key}")
        gold_rows, pred_rows = gold.get("rows", []), pred.get("rows", [])
        pairs = _match_rows(gold_rows, pred_rows)
        self._pairs(gold_rows, pred_rows, pairs, f"{path}.rows", f"{pred_path}.rows", self._row)

    def _row(self, gold: dict, pred: dict, path: str, pred_path: str) -> None:
        for key in ("code", "name"):
            if key in gold:
                self._leaf(gold[key], pred.get(key), f"{path}.{key}", f"{pred_path}.{key}")
        pred_values = {normalize_text(k): (k, v) for k, v in (pred.get("values") or {}).items()}
        for column, value in (gold.get("values") or {}).items():
            pred_column, pred_value = pred_values.pop(normalize_text(column), (column, None))
            self._leaf(value, pred_value, f"{path}.values.{column}", f"{pred_path}.values.{pred_column}")
        for pred_column, pred_value in pred_values.values():
            if pred_value is not None:
                self._record("extra", f"{path}.values.{pred_column}", None, pred_value,
                             f"{pred_path}.values.{pred_column}")


def _key_text(item: Any) -> str:
    if isinstance(item, dict):
        return "/".join(str(item.get(k) or "") for k in ("level1", "level2", "name"))
    return str(item or "")


def _item_similarity(gold: Any, pred: Any) -> float:
    return similarity(_key_text(gold), _key_text(pred))


def _row_key(row: dict) -> str:
    return str(row.get("code") or "") + "|" + normalize_text(str(row.get("name") or ""))


def _table_similarity(gold: dict, pred: dict) -> float:
    title = similarity(gold.get("title"), pred.get("title"))
    gold_keys = {_row_key(r) for r in gold.get("rows", [])}
    pred_keys = {_row_key(r) for r in pred.get("rows", [])}
    overlap = len(gold_keys & pred_keys) / len(gold_keys) if gold_keys else 0.0
    return 0.4 * title + 0.6 * overlap


def _match_rows(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """Rows by 科目编码 first (in order where a code repeats), the rest by name similarity."""
    pairs: list[tuple[int, int]] = []
    free_pred = list(range(len(pred)))
    free_gold: list[int] = []
    for g, row in enumerate(gold):
        code = row.get("code")
        match = next((p for p in free_pred if code and pred[p].get("code") == code), None)
        if match is None:
            free_gold.append(g)
        else:
            pairs.append((g, match))
            free_pred.remove(match)
    by_name = assign([gold[g] for g in free_gold], [pred[p] for p in free_pred],
                     lambda a, b: similarity(a.get("name"), b.get("name")), _ROW_MIN_SIMILARITY)
    pairs.extend((free_gold[g], free_pred[p]) for g, p in by_name)
    return sorted(pairs)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value
