"""`cli.py export --db URL --out DIR [--format json|csv|xlsx]`: the reviewed extractions out of the store."""

from __future__ import annotations

from pathlib import Path

from extractor.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser("export", help="write the reviewed extractions from the store")
    parser.add_argument("--db", help="SQLAlchemy URL of the store (default: settings, sqlite:///extractor.db)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--format", choices=("json", "csv", "xlsx"), default="json",
                        help="json: one SCHEMA.md file per document; csv/xlsx: long form, one row per value")
    parser.set_defaults(handler=_export)


def _export(args) -> int:
    from extractor.store import open_store
    from extractor.store.export import export_store

    store = open_store(args.db or load_settings().store.url)
    for path in export_store(store, args.out, args.format):
        print(path)
    return 0
