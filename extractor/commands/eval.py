"""`cli.py eval`: score predictions against gold, compare two runs, benchmark the validators."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from extractor.errors import EvalError

DEFAULT_GOLD = Path(__file__).resolve().parents[2] / "evals" / "gold"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "eval", help="score extractions against hand-labelled gold",
        description="Score: cli.py eval --gold DIR --pred DIR. Compare runs: cli.py eval compare RUN_A RUN_B. "
                    "Validator benchmark: cli.py eval flags.")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="gold directory (default evals/gold)")
    parser.add_argument("--pred", type=Path, help="directory of predicted <name>.json files")
    parser.add_argument("--json", type=Path, help="write the scores and every miss as JSON")
    parser.add_argument("--html", type=Path, help="write an HTML report")
    _tolerance_args(parser)
    parser.add_argument("--min-f1", type=float, help="exit 1 when overall F1 is below this (0..1)")
    parser.set_defaults(handler=_score)
    commands = parser.add_subparsers(dest="eval_command")

    compare = commands.add_parser("compare", help="what changed between two extract runs")
    compare.add_argument("run_a", type=Path, metavar="RUN_A", help="--out directory of the baseline run")
    compare.add_argument("run_b", type=Path, metavar="RUN_B", help="--out directory of the new run")
    compare.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    compare.add_argument("--fail-on-regression", type=float, metavar="PCT",
                         help="exit 1 when overall F1 drops by more than PCT percentage points")
    compare.add_argument("--json", type=Path, help="write the comparison as JSON")
    _tolerance_args(compare)
    compare.set_defaults(handler=_compare)

    flags = commands.add_parser("flags", help="inject corruptions into gold and measure what validators flag "
                                              "(exit 1 when a floor is not met)")
    flags.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    flags.add_argument("-k", type=int, default=5, help="corruptions per trial")
    flags.add_argument("--seed", type=int, default=0)
    flags.add_argument("--trials", type=int, default=20, help="trials per gold document")
    flags.add_argument("--json", type=Path, help="write the result as JSON")
    flags.set_defaults(handler=_flags)


def _tolerance_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tolerance", default="0.01", help="numeric tolerance (default 0.01)")
    parser.add_argument("--tol", action="append", default=[], metavar="PATTERN=VALUE",
                        help="per-path tolerance, e.g. 'tables[*].rows[*].values.*=0.5' (repeatable)")


def _tolerances(args: argparse.Namespace):
    from evals.normalize import Tolerances

    try:
        overrides = {}
        for item in args.tol:
            pattern, _, value = item.rpartition("=")
            if not pattern:
                raise EvalError(f"--tol expects PATTERN=VALUE, got {item!r}")
            overrides[pattern] = Decimal(value)
        return Tolerances(Decimal(args.tolerance), overrides)
    except InvalidOperation as error:
        raise EvalError(f"tolerance is not a number: {error}") from error


def _score(args: argparse.Namespace) -> int:
    from evals.report import format_html, format_text
    from evals.scoring import score_dirs

    if args.pred is None:
        raise EvalError("eval needs --pred DIR (or a subcommand: compare, flags)")
    result = score_dirs(args.gold, args.pred, _tolerances(args))
    print(format_text(result))
    if args.json:
        payload = result.summary() | {"outcomes": [o.model_dump() for o in result.outcomes if o.status != "correct"]}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.html:
        args.html.write_text(format_html(result), encoding="utf-8")
        print(f"HTML report: {args.html}")
    if args.min_f1 is not None and result.score().f1 < args.min_f1:
        print(f"FAIL: overall F1 {result.score().f1:.4f} is below the floor {args.min_f1}")
        return 1
    return 0


def _compare(args: argparse.Namespace) -> int:
    from evals.compare import compare_runs, format_comparison

    comparison = compare_runs(args.run_a, args.run_b, args.gold, _tolerances(args))
    print(format_comparison(comparison))
    if args.json:
        args.json.write_text(comparison.model_dump_json(indent=2), encoding="utf-8")
    if args.fail_on_regression is not None and comparison.regressed(args.fail_on_regression):
        print(f"FAIL: overall F1 dropped {-comparison.f1_delta_points:.2f} points "
              f"(allowed {args.fail_on_regression})")
        return 1
    return 0


def _flags(args: argparse.Namespace) -> int:
    from evals.flag_benchmark import format_report, run_flag_benchmark

    result = run_flag_benchmark(args.gold, k=args.k, seed=args.seed, trials=args.trials)
    print(format_report(result))
    if args.json:
        args.json.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    return 0 if result.floors_met else 1  # a gate like --min-f1: the report says which floor was missed
