"""`cli.py extract INPUT... --out DIR`: run the pipeline over many files; one bad file never stops a batch."""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from extractor.errors import ExtractorError
from extractor.runs import FileOutcome, RunRecord, git_commit, now_iso
from extractor.settings import Settings, load_settings
from schemas.extraction import ReportExtraction, RunInfo
from schemas.paths import iter_values

if TYPE_CHECKING:  # the pipeline pulls in PyMuPDF and OCR: imported when the command runs
    from extractor.pipeline import Engines, PipelineOptions

ERRORS_FILE = "errors.json"


def register(subparsers) -> None:
    parser = subparsers.add_parser("extract", help="extract reports into JSON per SCHEMA.md",
                                   description=__doc__)
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="PDF, .txt or .md files")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--engine", choices=["auto", "rules", "llm"], default="auto")
    parser.add_argument("--jobs", type=int, default=None, help="parallel OCR workers (default: cores)")
    parser.add_argument("--no-cache", action="store_true", help="bypass the LLM response cache")
    parser.add_argument("--db", default=None, help="SQLAlchemy URL of the store (default: settings)")
    parser.add_argument("--no-store", action="store_true", help="write JSON only, not the database")
    parser.add_argument("--force", action="store_true", help="redo files already extracted in --out")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from extractor.extract.run import ExtractOptions
    from extractor.ingest.options import IngestOptions
    from extractor.pipeline import PipelineOptions, build_engines

    settings = load_settings()
    options = PipelineOptions(
        ingest=IngestOptions(**({"jobs": args.jobs} if args.jobs else {}), dpi=settings.ocr.dpi),
        extract=ExtractOptions(engine=args.engine),
        no_cache=args.no_cache,
    )
    engines = build_engines(settings, options)
    store = None if args.no_store else _open_store(args.db or settings.store.url)
    args.out.mkdir(parents=True, exist_ok=True)
    record = RunRecord(engine=args.engine, model=settings.llm.model if engines.llm else None,
                       git_commit=git_commit())
    errors: list[dict[str, str]] = []
    for path in args.inputs:
        outcome = _process_one(path, args, options, engines, record, store)
        record.files.append(outcome)
        if outcome.status == "failed":
            errors.append({"file": str(path), "error": outcome.error or ""})
        record.save(args.out)  # after every file, so a killed batch keeps what it did
    record.finished_at = now_iso()
    record.cost_usd = _cost(settings, record)
    record.save(args.out)
    (args.out / ERRORS_FILE).write_text(json.dumps(errors, ensure_ascii=False, indent=2), encoding="utf-8")
    done = sum(f.status != "failed" for f in record.files)
    print(f"{done} of {len(record.files)} files extracted into {args.out}"
          + (f"; {len(errors)} failed, see {args.out / ERRORS_FILE}" if errors else ""))
    return 1 if errors else 0


def _process_one(path: Path, args, options: PipelineOptions, engines: Engines, record: RunRecord,
                 store) -> FileOutcome:
    output = args.out / f"{path.stem}.json"
    if not args.force and _already_done(output, path, args.engine):
        print(f"{path}: already extracted in {output}, skipped (--force redoes it)")
        return FileOutcome(input=str(path), output=str(output), status="skipped")
    from extractor.pipeline import process_file

    try:
        result = process_file(path, options, engines)
    except ExtractorError as error:
        print(f"{path}: FAILED: {error}")
        return FileOutcome(input=str(path), status="failed", error=str(error))
    extraction = result.extraction
    extraction.run = RunInfo(
        engine=args.engine, model=record.model, prompts=result.extract.prompts,
        usage=result.extract.usage, timings_ms=result.timings_ms, git_commit=record.git_commit,
        started_at=record.started_at)
    output.write_text(extraction.model_dump_json(indent=2), encoding="utf-8")
    if store is not None:
        store.save_extraction(path, extraction)
    record.usage = record.usage.add(result.extract.usage)
    known = {p.name: p for p in record.prompts} | {p.name: p for p in result.extract.prompts}
    record.prompts = list(known.values())
    print(_summary(path, extraction, result.extract.engines_used))
    return FileOutcome(input=str(path), output=str(output), status="done")


def _already_done(output: Path, path: Path, engine: str) -> bool:
    if not output.is_file():
        return False
    try:
        previous = ReportExtraction.model_validate_json(output.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return (previous.run is not None and previous.run.engine == engine and previous.source is not None
            and path.is_file() and previous.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest())


def _summary(path: Path, extraction: ReportExtraction, engines_used: dict[str, str]) -> str:
    filled = sum(1 for _ in iter_values(extraction))
    by_rule = Counter(flag.rule for flag in extraction.flags)
    flags = ", ".join(f"{rule} {count}" for rule, count in by_rule.most_common()) or "none"
    usage = extraction.run.usage if extraction.run else None
    tokens = f"{usage.total_tokens} tokens in {usage.calls} calls ({usage.cached_calls} cached)" if usage else ""
    source = extraction.source
    kind = f"{source.input_kind}, {source.pages} pages" if source else ""
    engines = ", ".join(sorted(set(engines_used.values()))) or "none"
    return f"{path}: {kind}; {filled} values filled by {engines}; flags: {flags}; {tokens}"


def _cost(settings: Settings, record: RunRecord) -> float | None:
    prompt_price, completion_price = settings.llm.usd_per_mtok_prompt, settings.llm.usd_per_mtok_completion
    if prompt_price is None or completion_price is None:
        return None
    usage = record.usage
    return round((usage.prompt_tokens * prompt_price + usage.completion_tokens * completion_price) / 1e6, 6)


def _open_store(url: str):
    from extractor.store import open_store

    return open_store(url)
