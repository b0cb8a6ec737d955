"""Command-line entry point: `python cli.py COMMAND ...`. Each command lives in extractor/commands/."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from extractor.errors import ExtractorError

COMMANDS = ("ingest", "extract", "eval", "review", "export")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cli.py", description="Extract Chinese government budget and performance reports.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"extractor.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ExtractorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`cli.py ingest X | head`): nothing more to say, and not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
