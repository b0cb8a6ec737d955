"""Table helpers of the LLM engine: grid rendering, chunks, grid choice, row accounting, mappings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from extractor.extract.engine import Task
from extractor.extract.llm.answers import IndicatorTableAnswer, StatementTableAnswer
from extractor.extract.llm.tables import (
    MAX_CELL_CHARS,
    TableMapping,
    chunk_rows,
    disagreement_flags,
    missing_rows_flag,
    render_grid,
    statement_mapping,
    tables_for,
)
from schemas.document import Cell, Document, SourceInfo, TableGrid, TableRow

# lines of seed 002's 收入决算表 (OCR noise kept)
ROWS = [
    ["功能分类 科目编码", "", "本年收入合计", "財政拨款收入", "其他收入"],
    ["", "栏次", "1", "2", "7"],
    ["类款项", "숨计", "14, 344. 12", "11, 301. 20", "3, 042. 92"],
    ["", "", "", "", ""],
    ["2080101", "行歌运行", "1, 688. 19", "1, 688. 19", ""],
    ["注: 本表反映部门本年度取得的各项收入情况。" * 3, "", "", "", ""],
]


def grid(rows=ROWS, grid_id="t2", title="收入决算表") -> TableGrid:
    return TableGrid(id=grid_id, title=title, unit="万元", page_start=2, page_end=2, n_cols=len(rows[0]),
                     rows=[TableRow(page=2, cells=[Cell(text=t) for t in row]) for row in rows])


def test_render_grid_has_ids_and_shortened_long_cells():
    text = render_grid(grid(), [0, 2, 5])
    lines = text.splitlines()
    assert lines[0] == "\tc0\tc1\tc2\tc3\tc4"
    assert lines[1].startswith("r0\t功能分类 科目编码\t")
    assert lines[2] == "r2\t类款项\t숨计\t14, 344. 12\t11, 301. 20\t3, 042. 92"
    assert lines[3].split("\t")[1].endswith("…") and len(lines[3].split("\t")[1]) == MAX_CELL_CHARS + 1


def test_chunks():
    assert chunk_rows(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert chunk_rows([1, 2], 0) == [[1], [2]]


def test_tables_for_uses_headings_without_sections():
    indicator = grid([["一级指标", "二级指标", "三级指标", "分值", "得分"]], "t9", "自评表")
    project = grid([["项目名称", "x", "", "", ""], ["三级指标", "", "", "", ""]], "t8", None)
    doc = Document(source=SourceInfo(file="f.txt", sha256="0", pages=2, input_kind="text"), pages=[],
                   tables=[grid(), indicator, project])
    assert [g.id for g in tables_for(Task.TABLES, doc)] == ["t2"]
    assert [g.id for g in tables_for(Task.INDICATORS, doc)] == ["t9"]
    assert [g.id for g in tables_for(Task.PROJECTS, doc)] == ["t8"]


def test_missing_rows_flag_ignores_blank_rows_and_rates_numbers_as_errors():
    merged = TableMapping(classified={0, 1, 4, 5})
    flag = missing_rows_flag(grid(), merged, "tables[0]")
    assert (flag.rule, flag.severity, flag.path) == ("missing_rows", "error", "tables[0]")
    assert "1 row(s)" in flag.message and "r2" in flag.message
    text_only = missing_rows_flag(grid(), TableMapping(classified={0, 1, 2, 4}), "tables[0]")
    assert text_only.severity == "warning"
    assert missing_rows_flag(grid(), TableMapping(classified={0, 1, 2, 4, 5}), "tables[0]") is None


def test_statement_mapping_takes_columns_from_the_first_answer_that_maps_them():
    title_only = StatementTableAnswer(skipped_rows=["r0"])
    mapped = StatementTableAnswer(header_rows=["r1"], data_rows=["r2"], sides=[{
        "code": "c0", "name": "c1", "values": [{"name": "本年收入合计", "column": "c2"}]}])
    other = StatementTableAnswer(data_rows=["r4"], sides=[{"code": "c0", "name": "c1", "values": []}])
    merged = TableMapping(header_rows=[1], data_rows=[2, 4], answers=[title_only, mapped, other])
    mapping = statement_mapping(grid(), merged)
    assert mapping.sides[0].values == {"本年收入合计": 2} and mapping.data_rows == [2, 4]
    assert mapping.title == "收入决算表" and mapping.unit == "万元"
    (flag,) = disagreement_flags(merged, "tables[0]", grid())
    assert flag.rule == "chunk_disagreement" and "chunk 3" in flag.message


@pytest.mark.parametrize("bad", [{"data_rows": ["r1"]}, {"columns": {"name": "c3"}}, {"skipped_rows": ["x"]}])
def test_answers_accept_only_ids_they_were_shown(bad):
    model = IndicatorTableAnswer.for_ids([0, 2], n_cols=3)
    assert model.model_validate({"data_rows": ["r2"], "columns": {"name": "c2"}}).data_rows == ["r2"]
    with pytest.raises(ValidationError, match="were not shown"):
        model.model_validate(bad)


def test_statement_mapping_of_a_grid_without_answers_maps_nothing():
    blank = grid(rows=[["", "", ""], ["", "", ""]])
    mapping = statement_mapping(blank, TableMapping())  # map_grid asks nothing for an all-blank grid
    assert mapping.sides == [] and mapping.data_rows == []
