"""Optimal one-to-one matching (Hungarian) of gold items to predicted items by a similarity score."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from scipy.optimize import linear_sum_assignment

G = TypeVar("G")
P = TypeVar("P")


def assign(gold: Sequence[G], pred: Sequence[P], score: Callable[[G, P], float],
           minimum: float) -> list[tuple[int, int]]:
    """Pairs (gold index, pred index) maximising total similarity; pairs below `minimum` are dropped."""
    if not gold or not pred:
        return []
    similarity = np.array([[score(g, p) for p in pred] for g in gold], dtype=float)
    rows, cols = linear_sum_assignment(-similarity)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if similarity[r, c] >= minimum]
