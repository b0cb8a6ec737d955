"""Shared test fixtures: paths to the real documents in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PDFS = SHARED / "pdfs"
SEEDS = SHARED / "seeds"
GOLD_DIR = ROOT / "evals" / "gold"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"tests need ../shared beside the project at {SHARED}"
    return SHARED


def seed(prefix: str) -> Path:
    """The seed file whose name starts with prefix ('000', '002', '004')."""
    (match,) = SEEDS.glob(f"{prefix}_*.txt")
    return match


def pdf(name: str) -> Path:
    path = PDFS / f"{name}.pdf"
    assert path.is_file(), path
    return path
