"""The only place the stages meet, in the order the data flows through them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from extractor.extract.engine import Engine
from extractor.extract.run import ExtractOptions, ExtractResult, extract_document
from extractor.ingest import ingest
from extractor.ingest.options import IngestOptions
from extractor.segment import segment
from extractor.settings import Settings
from extractor.validate import validate
from schemas.document import Document
from schemas.extraction import ReportExtraction


class PipelineOptions(BaseModel):
    ingest: IngestOptions = Field(default_factory=IngestOptions)
    extract: ExtractOptions = Field(default_factory=ExtractOptions)
    no_cache: bool = False


@dataclass(frozen=True)
class Engines:
    rules: Engine
    llm: Engine | None = None


class ProcessResult(BaseModel):
    document: Document
    extraction: ReportExtraction
    extract: ExtractResult
    timings_ms: dict[str, float]


def build_engines(settings: Settings, options: PipelineOptions) -> Engines:
    """The rules engine always; the LLM engine when an endpoint is configured or `llm` is asked for."""
    from extractor.extract.rules.engine import RulesEngine

    llm = None
    if options.extract.engine == "llm" or (options.extract.engine == "auto" and settings.llm.configured):
        from extractor.extract.llm.engine import LLMEngine

        llm = LLMEngine(settings.llm, cache_path=settings.cache_path, no_cache=options.no_cache)
    return Engines(rules=RulesEngine(), llm=llm)


def process_file(path: Path, options: PipelineOptions, engines: Engines) -> ProcessResult:
    """Turn one report file into a validated ReportExtraction."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round((now - clock) * 1000, 1)
        clock = now

    # ingest: file -> pages, words with boxes, table grids with provenance (OCR where there is no text layer)
    document = ingest(path, options.ingest)
    lap("ingest")
    # segment: headings and table titles -> section tree with kinds and page spans
    document = segment(document)
    lap("segment")
    # extract: the engines answer each task; table values are read from cells, text values carry quotes
    result = extract_document(document, options.extract, rules=engines.rules, llm=engines.llm, validator=validate)
    lap("extract")
    # validate: arithmetic, cross-table and grounding checks -> flags and evidence-based confidence
    extraction = validate(result.extraction, document)
    lap("validate")
    return ProcessResult(document=document, extraction=extraction, extract=result, timings_ms=timings)
