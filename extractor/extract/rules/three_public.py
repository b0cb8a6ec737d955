"""三公经费 rules: budget and actual amounts (万元) from the 三公 table, the narrative, or a basic-data form.

Sources, each filling only what the previous left empty:
1. narrative sentences (first: a figure stated in words survives OCR better than a table cell,
   which loses digits at its edge): a walk over each sentence in which a category name (三公经费, 因公出国（境）费 …)
   selects the field, a word (预算 / 决算) selects budget or actual, and the next amount fills it
   ("因公出国(境)费全年预算为0万元,支出决算为0万元");
2. the statement 三公 table (read transposed by the statements rules: one row per category,
   columns 预算数 / 决算数);
3. a 基础数据表 style form with rows 公务接待 … and columns such as 2024年预算数 / 2024年决算数.

A combined 公务用车购置及运行(维护)费 figure fills vehicle_purchase and vehicle_operation only when it
is zero (both parts are then zero); a non-zero combined figure cannot be split and is left out.
A total printed in 元 beside components in 万元 that it equals in 万元 is a unit typo: it is read as
万元 and flagged.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractor.extract.rules.text import AMOUNT, PATTERN_CONFIDENCE, pages, word_bbox
from extractor.extract.table_reader import cell_evidence, clean_name, to_wan
from extractor.numbers import parse_number
from schemas.document import Document, TableGrid
from schemas.extraction import Evidence, Flag, StatementTable, ThreePublic, ThreePublicAmounts

FIELDS = ("total", "overseas", "vehicle_purchase", "vehicle_operation", "reception")
_COMBINED = "vehicle"

# Category names as printed, most specific first; "vehicle" is the combined 购置及运行 figure.
_LABELS: tuple[tuple[str, str], ...] = (
    (r"[“\"]?三公[”\"]?经费(?:财政拨款)?(?:支出)?(?:合计)?", "total"),
    (r"因公出国[（(]境[)）](?:经)?费(?:用)?|出国经费|出国[（(]境[)）]", "overseas"),
    (r"公务用车购置(?:和|及)(?:运行)?(?:维护)?(?:经)?费|公务用车购置和维护经费", _COMBINED),
    (r"公务用车购置费|公[务交]车购置(?:费)?|(?<![运行])购置费", "vehicle_purchase"),
    (r"公务用车运行(?:维护)?费|公[务交]车运行(?:维护)?(?:费)?|(?<!购置)运行(?:维护)?费", "vehicle_operation"),
    (r"公务接待(?:费|支出)?", "reception"),
)
_MODE = re.compile(r"(?P<budget>预算(?:数|为|安排)?)|(?P<actual>决算(?:数|为)?|实际支出)")
_TABLE_ROWS: tuple[tuple[str, str], ...] = (
    (r"^合计$|^三公经费$|三公经费合计", "total"),
    (r"因公出国|出国经费", "overseas"),
    (r"小计|购置及运行|购置和维护", _COMBINED),
    (r"购置", "vehicle_purchase"),
    (r"运行", "vehicle_operation"),
    (r"接待", "reception"),
)


def extract_three_public(doc: Document, tables: list[StatementTable] | None = None,
                         table_evidence: dict[str, Evidence] | None = None
                         ) -> tuple[ThreePublic, dict[str, Evidence], list[Flag]]:
    """三公经费 budget and actual amounts with evidence under `three_public.<budget|actual>.<field>`."""
    result = ThreePublic()
    evidence: dict[str, Evidence] = {}
    flags: list[Flag] = []
    _from_text(doc, result, evidence, flags)
    if tables:
        _from_statement(result, evidence, tables, table_evidence or {})
    _from_form(doc, result, evidence)
    return result, evidence, flags


def _set(result: ThreePublic, evidence: dict[str, Evidence], side: str, field: str, value: Decimal,
         source: Evidence) -> None:
    amounts: ThreePublicAmounts = getattr(result, side)
    targets = ("vehicle_purchase", "vehicle_operation") if field == _COMBINED else (field,)
    if field == _COMBINED and value != 0:
        return
    for target in targets:
        if getattr(amounts, target) is None:
            setattr(amounts, target, value)
            evidence[f"three_public.{side}.{target}"] = source


def _row_field(name: str) -> str | None:
    for pattern, field in _TABLE_ROWS:
        if re.search(pattern, name):
            return field
    return None


def _from_statement(result: ThreePublic, evidence: dict[str, Evidence], tables: list[StatementTable],
                    table_evidence: dict[str, Evidence]) -> None:
    for index, table in enumerate(tables):
        if "三公" not in (table.title or ""):
            continue
        for row_index, row in enumerate(table.rows):
            field = _row_field(row.name or "")
            if field is None or "机关运行" in (row.name or ""):
                continue
            for column, value in row.values.items():
                side = "budget" if "预算" in column else "actual" if "决算" in column else None
                if side is None or value is None:
                    continue
                source = table_evidence.get(f"tables[{index}].rows[{row_index}].values.{column}")
                _set(result, evidence, side, field, to_wan(value, table.unit),
                     source or Evidence(quote=str(value), confidence=0.8))
        return


def _from_text(doc: Document, result: ThreePublic, evidence: dict[str, Evidence], flags: list[Flag]) -> None:
    label_pattern = re.compile("|".join(f"(?P<f{i}>{p})" for i, (p, _) in enumerate(_LABELS)))
    amount_pattern = re.compile(AMOUNT)
    for compact in pages(doc):
        for sentence_match in re.finditer(r"[^。\n]+", compact.text):
            sentence = sentence_match.group(0)
            if "三公" not in sentence and not re.search(r"(?:因公出国|公务用车|公务接待)[^。]*?(?:预算|决算)", sentence):
                continue
            events: list[tuple[int, str, object]] = []
            for match in label_pattern.finditer(sentence):
                index = int(next(name for name, value in match.groupdict().items() if value)[1:])
                events.append((match.start(), "label", _LABELS[index][1]))
            for match in _MODE.finditer(sentence):
                events.append((match.start(), "mode", "budget" if match.group("budget") else "actual"))
            for match in amount_pattern.finditer(sentence):
                events.append((match.start(), "amount", match))
            events.sort(key=lambda event: (event[0], event[1] != "label"))
            label: str | None = None
            mode: str | None = None
            found: list[tuple[str, str, Decimal, str, re.Match[str]]] = []
            for _, kind, payload in events:
                if kind == "label":
                    label = payload  # type: ignore[assignment]
                elif kind == "mode":
                    mode = payload  # type: ignore[assignment]
                elif label is not None and mode is not None:
                    match = payload  # type: ignore[assignment]
                    parsed = parse_number(match.group("num"))
                    if parsed is not None:
                        found.append((mode, label, parsed.value, match.group("unit"), match))
            _fix_unit_typo(found, flags)
            offset = sentence_match.start()
            for mode_name, field, value, unit, match in found:
                start, end = offset + match.start(), offset + match.end()
                quote = compact.span(offset, offset + len(sentence))
                source = Evidence(page=compact.page.number, bbox=word_bbox(compact.page, match.group("num")),
                                  quote=quote if len(quote) <= 200 else compact.span(max(offset, start - 30), end),
                                  confidence=round((compact.page.ocr_confidence or 1.0) * PATTERN_CONFIDENCE, 4))
                _set(result, evidence, mode_name, field, to_wan(value, unit), source)


def _fix_unit_typo(found: list, flags: list[Flag]) -> None:
    """A 元 amount among 万元 amounts of the same sentence, equal to one of them, is read as 万元."""
    wan_values = {value for _, _, value, unit, _ in found if unit == "万元"}
    for index, (mode, field, value, unit, match) in enumerate(found):
        if unit == "元" and wan_values and value in wan_values:
            found[index] = (mode, field, value, "万元", match)
            flags.append(Flag(path=f"three_public.{mode}.{field}", rule="unit_anomaly", severity="warning",
                              message=f"{match.group(0)} printed in 元 among 万元 figures it equals; read as 万元"))


def _from_form(doc: Document, result: ThreePublic, evidence: dict[str, Evidence]) -> None:
    """A basic-data form: rows named after the categories, columns <fiscal year>预算数 / 决算数."""
    for grid in doc.tables:
        if "三公" in (grid.title or ""):
            continue
        columns = _form_columns(grid)
        if not columns:
            continue
        for row_index, row in enumerate(grid.rows):
            name = clean_name(row.cells[0].text) or ""
            name = re.sub(r"^(?:其中[:：]?)", "", name)
            field = _form_field(name)
            if field is None:
                continue
            for side, col in columns.items():
                if col >= len(row.cells):
                    continue
                cell = row.cells[col]
                parsed = parse_number(cell.text)
                if parsed is not None:
                    _set(result, evidence, side, field, parsed.value, cell_evidence(grid, row_index, cell))


def _form_field(name: str) -> str | None:
    if re.fullmatch(r"三公经费(?:合计)?", name):
        return "total"
    if "三公" in name:
        return None
    field = _row_field(name)
    return None if field == "total" else field


def _form_columns(grid: TableGrid) -> dict[str, int]:
    """Columns of the latest year's 预算数 and 决算数 in a form whose rows include 三公 categories."""
    if not any("公务接待" in row.cells[0].text or "三公" in row.cells[0].text for row in grid.rows if row.cells):
        return {}
    best: dict[str, tuple[int, int]] = {}
    for row in grid.rows:
        for col, cell in enumerate(row.cells):
            match = re.search(r"(20\d{2})年(预算数|决算数)", re.sub(r"\s+", "", cell.text))
            if match is None:
                continue
            side = "budget" if match.group(2) == "预算数" else "actual"
            year = int(match.group(1))
            if side not in best or year > best[side][0]:
                best[side] = (year, col)
    return {side: col for side, (_, col) in best.items()}
