"""ingest_text on the three OCR'd seed reports and on small files that exercise one feature each."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from extractor.errors import IngestError
from extractor.ingest.text import ingest_text
from extractor.numbers import parse_number
from schemas.document import Document, TableGrid
from tests.conftest import seed


@pytest.fixture(scope="module")
def seed000() -> Document:
    return ingest_text(seed("000"))


@pytest.fixture(scope="module")
def seed002() -> Document:
    return ingest_text(seed("002"))


def _table(doc: Document, title: str) -> TableGrid:
    (match,) = [table for table in doc.tables if table.title == title]
    return match


def _row(table: TableGrid, first_cells: tuple[str, ...]) -> list[str]:
    """The texts of the only row whose leading non-empty cells are first_cells."""
    matches = []
    for row in table.rows:
        texts = [cell.text for cell in row.cells]
        filled = [text for text in texts if text]
        if tuple(filled[: len(first_cells)]) == first_cells:
            matches.append(texts)
    assert len(matches) == 1, (first_cells, matches)
    return matches[0]


def _value(text: str) -> Decimal:
    parsed = parse_number(text)
    assert parsed is not None, text
    return parsed.value


def test_seed_source_info(seed000):
    data = seed("000").read_bytes()
    assert seed000.source.file == seed("000").name
    assert seed000.source.sha256 == hashlib.sha256(data).hexdigest()
    assert seed000.source.input_kind == "text"
    assert seed000.source.pages == 1 == len(seed000.pages)
    page = seed000.pages[0]
    assert (page.number, page.width, page.height, page.words) == (1, 0, 0, [])


def test_seed002_statement_tables_are_found_with_titles(seed002):
    titles = [table.title for table in seed002.tables]
    assert titles[:9] == [
        "收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表",
        "一般公共预算财政拨款支出决算表", "一般公共预算财政拨款基本支出决算明细表",
        "政府性基金预算财政拨款收入支出决算表", "国有资本经营预算财政拨款支出决算表",
        '财政拨款"三公"经费支出决算表',
    ]
    assert titles[9] == "2024年度区人社局整体绩效自评表"
    assert sum(title.endswith("项目绩效自评表") for title in titles) == 9
    assert [table.id for table in seed002.tables] == [f"t{n}" for n in range(1, len(titles) + 1)]


def test_seed002_three_public_table(seed002):
    table = _table(seed002, '财政拨款"三公"经费支出决算表')
    assert table.n_cols == 12 and table.page_start == table.page_end == 1
    assert table.cell_text(0, 0) == "预算数" and table.cell_text(0, 6) == "决算数"
    header = [cell.text for cell in table.rows[2].cells]
    assert header[0] == header[6] == "合计"
    assert header[5] == header[11] == "公务接待费"
    data = [cell.text for cell in table.rows[4].cells]
    assert _value(data[0]) == Decimal("0.27"), "预算 合计"
    assert _value(data[5]) == Decimal("0.27"), "预算 公务接待费"
    assert _value(data[6]) == Decimal("0.27"), "决算 合计"
    assert data[1:5] == ["", "", "", ""], "因公出国(境)费 and 公务用车 are empty, not zero"
    assert data[11] == "0.2", "kept as the OCR printed it; the validator compares it with 合计"
    assert all(row.page == 1 for row in table.rows)


def test_seed002_expenditure_table_rows(seed002):
    table = _table(seed002, "支出决算表")
    header = [cell.text for cell in table.rows[1].cells]
    assert header[:5] == ["功能分类 科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"]
    row = _row(table, ("2080101",))
    assert row[1] == "行政运行"
    assert [_value(text) for text in row[2:5]] == [Decimal("1688.19"), Decimal("1068.55"), Decimal("619.63")]
    total = _row(table, ("关 叔 坝", "合计"))  # OCR noise in the 类款项 cell kept as printed
    assert _value(total[2]) == Decimal("14344.12")
    assert _value(_row(table, ("20801",))[4]) == Decimal("5538.67")
    codes = [row.cells[0].text for row in table.rows if row.cells[0].text.isdigit()]
    assert codes[0] == "208" and codes[-1] == "2230103" and len(codes) == 30


def test_seed000_indicator_rows(seed000):
    table = _table(seed000, "2024年度部门（单位）整体支出绩效自评表")
    row = _row(table, ("成本指标 (20分)",))
    assert row[1:8] == ["成本指标 (20分)", "经济成本指标", "整体支出控制额", "≤1430.4 万元", "1429.4 万元", "20", "20"]
    target = parse_number(row[4])
    assert (target.value, target.unit, target.comparator) == (Decimal("1430.4"), "万元", "≤")
    assert _row(table, ("组织各类人事招考",))[3:8] == ["组织各类人事招考", "≥2 场", "≥2 场", "5", "5"]
    funds = _row(table, ("年度资金总额",))
    assert [_value(text) for text in funds[2:8]] == [
        Decimal("440.43"), Decimal("1430.40"), Decimal("1429.40"), Decimal("10"), Decimal("99.93"), Decimal("9.93")]


def test_seed000_table_continues_over_blank_lines(seed000):
    """The OCR left three blank lines where the table crossed a page; the rows after them belong to it."""
    table = _table(seed000, "2024年度部门（单位）整体支出绩效自评表")
    assert _row(table, ("时效指标",))[:4] == ["时效指标", "完成时间", "2024年12月底前", "2024年12月底前"]
    assert _row(table, ("总分",))[4:6] == ["100", "100"]
    assert len(seed000.tables) == 3
    project = _table(seed000, "2024年度项目支出绩效自评表")
    assert _row(project, ("总分(含预算执行率10分)",))[5:7] == ["100", "100"]


def test_seed000_latex_and_html_cleaned(seed000):
    raw = seed("000").read_text(encoding="utf-8")
    assert "$\\geq 99\\%$" in raw and "<p>" in raw
    text = seed000.pages[0].text
    assert "$" not in text and "\\" not in text and "<p>" not in text and "</p>" not in text
    assert "投诉案件结案率 ≥99% 。" in text
    assert "实现群众满意、工作人员满意率 ≥98%" in text
    table = _table(seed000, "2024年度部门（单位）整体支出绩效自评表")
    heading = next(i for i, row in enumerate(table.rows) if row.cells[0].text == "年度总体目标")
    goals = [cell.text for cell in table.rows[heading + 1].cells]
    lines = goals[1].split("\n")
    assert lines[0].startswith("目标 1: 开展劳动人事争议仲裁工作")
    assert lines[1].startswith("目标 2: 依法规范和管理全区人力资源市场")
    assert all("<" not in cell for cell in goals)


def test_seed002_latex_and_html_cleaned(seed002):
    text = seed002.pages[0].text
    assert "正向指标(即目标值为 ≥X,得分=权重*B/A),反向指标(即目标值为 ≤X," in text
    assert "人员经费 1527.57 万元" in text
    assert "<u>" not in text and "\\geq" not in text and "_{" not in text
    assert " (-)" in text.split("\n"), "$(\\underline{-})$ on its own line"


def test_seed004_narrative_only():
    doc = ingest_text(seed("004"))
    assert doc.tables == []
    assert "编制人数 123 人，在职 82 人。" in doc.pages[0].text


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  ", b"\xef\xbb\xbf\n"])
def test_empty_file_is_an_ingest_error(tmp_path, content):
    path = tmp_path / "empty-report.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError, match="empty") as raised:
        ingest_text(path)
    assert "empty-report.txt" in str(raised.value)


def test_undecodable_bytes_are_an_ingest_error(tmp_path):
    path = tmp_path / "gbk-report.txt"
    path.write_bytes("部门整体支出绩效自评报告".encode("gbk"))
    with pytest.raises(IngestError, match="UTF-8") as raised:
        ingest_text(path)
    assert "gbk-report.txt" in str(raised.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(IngestError, match="cannot read"):
        ingest_text(tmp_path / "nothing.txt")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"abc\x00def")
    with pytest.raises(IngestError, match="binary"):
        ingest_text(binary)


def test_form_feeds_make_pages_and_a_table_continues_across_them(tmp_path):
    path = tmp_path / "paged.txt"
    path.write_text(
        "支出决算表\n单位：万元\n科目编码\t科目名称\t合计\n208\t社会保障和就业支出\t10.00\n"
        "\f2080101\t行政运行\t6.00\n2080102\t一般行政管理事务\t4.00\n\n— 2 —\n"
        "\f三、存在的问题\n无。\n\f",
        encoding="utf-8")
    doc = ingest_text(path)
    assert [page.number for page in doc.pages] == [1, 2, 3]
    assert doc.pages[2].text == "三、存在的问题\n无。\n"
    (table,) = doc.tables
    assert (table.id, table.title, table.unit) == ("t1", "支出决算表", "万元")
    assert (table.page_start, table.page_end) == (1, 2)
    assert [row.page for row in table.rows] == [1, 1, 2, 2]
    assert table.cell_text(3, 1) == "一般行政管理事务"
    assert all(cell.bbox is None for row in table.rows for cell in row.cells)


def test_markdown_and_html_tables_become_grids(tmp_path):
    path = tmp_path / "report.md"
    path.write_text(
        "九、财政拨款“三公”经费支出决算表\n\n（单位：万元）\n\n"
        "| 项目 | 预算数 | 决算数 |\n|---|:---:|---:|\n| 公务接待费 | 0.50 | 0.24 |\n| 合计 | 0.50 | 0.24 |\n\n"
        "说明&nbsp;：A &gt; B<br>第二行\n\n"
        "表2 支出决算表\n"
        '<table><tr><td rowspan="2">科目编码</td><td colspan="2">金额</td></tr>'
        "<tr><td>基本支出</td><td>项目支出</td></tr>"
        "<tr><td>2080101</td><td>1.00</td><td><u>2.00</u></td></tr></table>\n",
        encoding="utf-8")
    doc = ingest_text(path)
    first, second = doc.tables
    assert (first.title, first.unit, first.n_cols) == ("财政拨款“三公”经费支出决算表", "万元", 3)
    assert [[cell.text for cell in row.cells] for row in first.rows] == [
        ["项目", "预算数", "决算数"], ["公务接待费", "0.50", "0.24"], ["合计", "0.50", "0.24"]]
    assert second.title == "表2支出决算表" and second.unit is None
    assert [[cell.text for cell in row.cells] for row in second.rows] == [
        ["科目编码", "金额", ""], ["", "基本支出", "项目支出"], ["2080101", "1.00", "2.00"]]
    text = doc.pages[0].text
    assert "说明 ：A > B\n第二行" in text
    assert "|" not in text and "---" not in text and "<" not in text


def test_rows_are_padded_to_a_rectangle_and_single_tab_lines_are_not_tables(tmp_path):
    path = tmp_path / "ragged.txt"
    path.write_text("收入决算表\na\tb\tc\td\n1\t2\n\n正文\n单位负责人\t签字\n", encoding="utf-8")
    doc = ingest_text(path)
    (table,) = doc.tables
    assert table.n_cols == 4
    assert [cell.text for cell in table.rows[1].cells] == ["1", "2", "", ""]


@pytest.mark.parametrize(("line", "expected"), [
    ("$\\geq 99\\%$", "≥99%"),
    ("$\\leq 10\\%$", "≤10%"),
    ("$3 \\times 4$", "3×4"),
    ("$(\\underline{-})$", "(-)"),
    ("目标值为 \\geq X,", "目标值为 ≥X,"),
    ("占比 50\\%", "占比 50%"),
    ("金额 &lt;5 万元&nbsp;", "金额 <5 万元"),
    ("US$5 and US$6", "US$5 and US$6"),
])
def test_latex_and_entities_inline(tmp_path, line, expected):
    path = tmp_path / "line.txt"
    path.write_text(line + "\n", encoding="utf-8")
    assert ingest_text(path).pages[0].text == expected + "\n"


def test_windows_line_endings_and_utf16_with_bom(tmp_path):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes("收入决算表\r\n科目编码\t科目名称\r\n208\t社会保障和就业支出\r\n".encode())
    doc = ingest_text(crlf)
    assert doc.pages[0].text == "收入决算表\n科目编码\t科目名称\n208\t社会保障和就业支出\n"
    assert doc.tables[0].cell_text(1, 1) == "社会保障和就业支出"
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("编制人数 123 人\n".encode("utf-16"))
    assert ingest_text(utf16).pages[0].text == "编制人数 123 人\n"
