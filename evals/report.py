"""Readable eval reports: a plain-text summary for the terminal and an HTML page for engineers."""

from __future__ import annotations

import re
from html import escape
from itertools import groupby

from evals.scoring import EvalResult, Score

_STATUS_ORDER = {"wrong": 0, "missing": 1, "extra": 2}


def _row(label: str, score: Score) -> tuple[str, str, str, str, int, int, int]:
    return (label, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}",
            score.tp, score.fp, score.fn)


def _summary_rows(result: EvalResult) -> list[tuple]:
    rows = [_row("OVERALL", result.score())]
    rows += [_row(f"section {s}", result.score(section=s)) for s in result.scored_sections()]
    rows += [_row(f"doc {d}", result.score(document=d)) for d in result.documents]
    return rows


def format_text(result: EvalResult, *, max_errors: int = 40) -> str:
    """Summary table then the first errors, for the terminal."""
    header = ("", "precision", "recall", "F1", "tp", "fp", "fn")
    lines = ["{:<48} {:>9} {:>7} {:>6} {:>5} {:>5} {:>5}".format(*header)]
    lines += ["{:<48} {:>9} {:>7} {:>6} {:>5} {:>5} {:>5}".format(*row) for row in _summary_rows(result)]
    errors = [o for o in result.outcomes if o.status != "correct"]
    if errors:
        lines.append(f"\n{len(errors)} errors" + (f" (first {max_errors})" if len(errors) > max_errors else ""))
        for outcome in errors[:max_errors]:
            page = f" p.{outcome.page}" if outcome.page else ""
            lines.append(f"  {outcome.status:<7} {outcome.document} {outcome.path}{page}: "
                         f"gold={outcome.gold!r} pred={outcome.pred!r}")
    return "\n".join(lines)


def format_html(result: EvalResult, *, title: str = "Extraction eval") -> str:
    """One self-contained page: the summary table on top, errors grouped by document and section below."""
    summary = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in _summary_rows(result))
    errors = sorted((o for o in result.outcomes if o.status != "correct"),
                    key=lambda o: (o.document, o.section, _STATUS_ORDER[o.status], _natural(o.path)))
    groups = []
    for (document, section), items in groupby(errors, key=lambda o: (o.document, o.section)):
        items = list(items)
        rows = "".join(
            f"<tr class='{o.status}'><td>{o.status}</td><td><code>{escape(o.path)}</code></td>"
            f"<td>{escape(_show(o.gold))}</td><td>{escape(_show(o.pred))}</td><td>{o.page or ''}</td></tr>"
            for o in items)
        groups.append(
            f"<h3>{escape(document)} · {escape(section)} <small>({len(items)})</small></h3>"
            f"<table><tr><th>status</th><th>path</th><th>gold</th><th>predicted</th><th>page</th></tr>"
            f"{rows}</table>")
    unmatched = "".join(f"<li>{escape(name)}</li>" for name in result.unmatched_predictions)
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
td, th {{ border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }}
tr.wrong td:first-child {{ color: #b00; }} tr.missing td:first-child {{ color: #a60; }}
tr.extra td:first-child {{ color: #06a; }}
</style></head><body>
<h1>{escape(title)}</h1>
<table><tr><th></th><th>precision</th><th>recall</th><th>F1</th><th>tp</th><th>fp</th><th>fn</th></tr>
{summary}</table>
<h2>Errors ({len(errors)})</h2>
{"".join(groups) or "<p>None.</p>"}
{f"<h2>Predictions without gold</h2><ul>{unmatched}</ul>" if unmatched else ""}
</body></html>
"""


def _natural(path: str) -> list:
    """indicators[2] before indicators[10]."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def _show(value) -> str:
    return "—" if value is None else str(value)
