"""The whole pipeline on real documents: every non-null value carries evidence (a floor of the product)."""

from __future__ import annotations

import pytest

from extractor.extract.rules.engine import RulesEngine
from extractor.extract.run import ExtractOptions
from extractor.pipeline import Engines, PipelineOptions, process_file
from schemas.paths import iter_values
from tests.conftest import ROOT, pdf, seed


@pytest.mark.parametrize("source", [
    seed("000"), seed("002"), seed("004"),
    pdf("putuo-finance-2024-final-accounts"), pdf("putuo-justice-2026-unit-budget"),
    ROOT / "samples" / "sample-county-hrss-2024.pdf",
], ids=lambda p: p.stem[:40])
def test_every_value_has_evidence(source):
    result = process_file(source, PipelineOptions(extract=ExtractOptions(engine="rules")), Engines(rules=RulesEngine()))
    extraction = result.extraction
    values = dict(iter_values(extraction))
    assert len(values) > 20
    without = [path for path in values if path not in extraction.evidence]
    assert without == []
    pages = extraction.source.pages
    assert all(e.page is None or 1 <= e.page <= pages for e in extraction.evidence.values())
    assert all(0 <= e.confidence <= 1 for e in extraction.evidence.values())
    assert set(result.timings_ms) == {"ingest", "segment", "extract", "validate"}
