"""segment() on real PDFs and OCR'd seed texts: the heading tree, kinds, page spans, text and tables."""

from __future__ import annotations

import pytest

from extractor.ingest import ingest
from extractor.segment import segment
from schemas.document import SectionKind
from tests.conftest import pdf, seed


@pytest.fixture(scope="module")
def finance():
    return segment(ingest(pdf("putuo-finance-2024-final-accounts")))


def _find(doc, title_part):
    found = [s for s in doc.all_sections() if title_part in s.title]
    assert found, f"no section titled like {title_part!r}: {[s.title for s in doc.all_sections()]}"
    return found[0]


def _parent_of(doc, section):
    return next(s for s in doc.all_sections() if section in s.children)


def test_parts_of_a_final_accounts_pdf(finance):
    titles = [s.title for s in finance.sections]
    assert titles[0] == "上海市普陀区财政局2024年度部门决算"  # the cover's two lines
    assert titles[1:] == [
        "第一部分上海市普陀区财政局概况",
        "第二部分上海市普陀区财政局2024年度部门决算表",
        "第三部分上海市普陀区财政局2024年度部门决算情况说明",
        "第四部分名词解释",
    ]
    assert all(s.level == 1 for s in finance.sections)
    assert [(s.page_start, s.page_end) for s in finance.sections[1:]] == [(4, 5), (6, 20), (21, 24), (25, 25)]


def test_table_of_contents_is_not_read_as_headings(finance):
    pages = [s.page_start for s in finance.all_sections()]
    assert 2 not in pages and 3 not in pages
    assert sum(1 for s in finance.all_sections() if s.title == "一、收入支出决算总体情况说明") == 1


def test_table_sections_carry_their_table_ids(finance):
    expenditure = _find(finance, "支出决算表")
    assert expenditure.title == "支出决算表"
    assert expenditure.kind is SectionKind.STATEMENT_TABLE
    assert expenditure.level == 2 and _parent_of(finance, expenditure).title.startswith("第二部分")
    (table_id,) = expenditure.table_ids
    assert finance.table(table_id).title == "支出决算表"
    assert (expenditure.page_start, expenditure.page_end) == (10, 11)
    statement_tables = [s for s in finance.all_sections() if s.kind is SectionKind.STATEMENT_TABLE]
    assert len(statement_tables) == 9
    # every table belongs to exactly one section
    owners = [tid for s in finance.all_sections() for tid in s.table_ids]
    assert sorted(owners) == sorted(t.id for t in finance.tables)


def test_numbered_lines_inside_tables_are_not_headings(finance):
    titles = {s.title for s in finance.all_sections()}
    assert "一、一般公共预算财政拨款收入" not in titles
    assert "一、一般公共服务支出" not in titles
    assert not any(title.startswith("二十") for title in titles)


def test_numbered_subsections_nest_and_wrapped_lines_join(finance):
    part3 = finance.sections[3]
    assert [c.title for c in part3.children][:3] == ["一、收入支出决算总体情况说明", "二、收入决算情况说明",
                                                     "三、支出决算情况说明"]
    assert len(part3.children) == 11
    general = _find(finance, "五、一般公共预算财政拨款支出决算情况说明")
    assert [c.title[:3] for c in general.children] == ["（一）", "（二）", "（三）"]
    assert all(c.level == 3 for c in general.children)
    procurement = _find(finance, "（二）政府采购支出情况")
    assert "政府采购金额（以合同签订为准）为251.25万元，其中" in procurement.text  # joined over a line break
    duties = _find(finance, "一、主要职能")
    assert duties.children == [] and "（十二）完成区委、区政府交办的其他任务。" in duties.text


def test_segment_returns_a_copy():
    doc = ingest(pdf("putuo-social-work-2024-final-accounts"))
    segmented = segment(doc)
    assert doc.sections == [] and segmented.sections
    assert segmented.tables == doc.tables and segmented.pages == doc.pages


def test_unnumbered_page_titles_of_a_budget_pdf():
    doc = segment(ingest(pdf("putuo-justice-2026-dept-budget")))
    other = _find(doc, "其他相关情况说明")
    assert other.level == 1 and other.page_start == 22
    assert [c.title for c in other.children][:2] == ["一、2026年“三公”经费预算情况说明", "二、机关运行经费预算"]
    explanation = _find(doc, "2026年部门预算编制说明")
    tables = [c for c in explanation.children if c.kind is SectionKind.STATEMENT_TABLE]
    assert len(tables) == 9 and all(len(c.table_ids) == 1 for c in tables)
    assert "财政拨款收入支出增加的主要原因是工作量增加" in explanation.text
    # the repeated header on page 16 belongs to the table, not to the text or a heading
    assert not any(s.title.startswith("项目") for s in doc.all_sections())
    # 具体包括： 1. 普陀区司法局本部 / 2. 普陀区法律援助中心 is a list, not a heading
    setup = _find(doc, "上海市普陀区司法局机构设置")
    assert setup.children == [] and "2. 普陀区法律援助中心" in setup.text


def test_table_of_contents_split_over_two_lines_is_skipped():
    doc = segment(ingest(pdf("national-template-final-accounts")))
    assert min(s.page_start for s in doc.all_sections() if s.title.startswith("第")) == 4
    collection = _find(doc, "上海市XX 局2024年度部门决算表")
    assert collection.level == 1 and len(collection.children) == 9


def test_seed_self_evaluation_report_problems_measures_and_staffing():
    doc = segment(ingest(seed("000")))
    assert doc.source.input_kind == "text"
    assert doc.sections[0].title == "2024年度怀化市洪江区人力资源和社会保障局部门整体支出绩效自评报告"
    problems = _find(doc, "存在的问题")
    assert problems.kind is SectionKind.PROBLEMS and problems.title == "七、存在的问题及原因分析"
    assert "公用经费管控不够精细" in problems.text and "固定资产管理效率还有待提高" in problems.text
    assert problems.text.count("(一)") == 1 and "(二)" in problems.text
    measures = _find(doc, "下一步改进措施")
    assert measures.kind is SectionKind.MEASURES and "按需申领" in measures.text
    staffing = _find(doc, "人员编制情况")
    assert staffing.level == 2 and "公务员编制数12人" in staffing.text
    project = _find(doc, "2024年度项目支出绩效自评表")
    assert project.kind is SectionKind.PROJECT_SELF_EVALUATION and len(project.table_ids) == 1
    indicator = _find(doc, "2024年度部门（单位）整体支出绩效自评表")
    assert indicator.kind is SectionKind.INDICATOR_TABLE and indicator.table_ids
    # the list of attachments under 报告附件 is text, not headings
    attachments = _find(doc, "十、其他需要说明的情况")
    assert "1、2024年度部门整体支出绩效评价基础数据表" in attachments.text


def test_seed_final_accounts_statement_tables_and_project_evaluations():
    doc = segment(ingest(seed("002")))
    assert sum(1 for s in doc.all_sections() if s.title == "第一部分区人社局概况") == 1  # not again from 目录
    expenditure = _find(doc, "三、支出决算表")
    assert expenditure.kind is SectionKind.STATEMENT_TABLE and len(expenditure.table_ids) == 1
    assert doc.table(expenditure.table_ids[0]).title == "支出决算表"
    projects = [s for s in doc.all_sections() if s.kind is SectionKind.PROJECT_SELF_EVALUATION and s.table_ids]
    assert len(projects) == 9
    assert all("项目" in s.title and s.title.endswith("自评表") for s in projects)
    terms = _find(doc, "第五部分名词解释")
    assert terms.children == [] and "教育支出(类) 职业教育(款)" in terms.text


def test_seed_narrative_report():
    doc = segment(ingest(seed("004")))
    problems = _find(doc, "存在的问题")
    assert problems.kind is SectionKind.PROBLEMS and "1、预算编制工作有待细化" in problems.text
    assert _find(doc, "下一步改进措施").kind is SectionKind.MEASURES
    assert "编制人数 123 人" in _find(doc, "(二) 人员编制情况").text
    assert not doc.tables or all(s.kind is not SectionKind.STATEMENT_TABLE for s in doc.all_sections())


def _text_document(tmp_path, text):
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    return segment(ingest(path))


def test_toc_with_dot_leaders_and_a_lone_tab_row_are_not_headings(tmp_path):
    doc = _text_document(tmp_path, "\n".join([
        "某某局2024年度部门整体支出绩效自评报告",
        "目录",
        "一、部门基本情况……………………1",
        "二、存在的问题……………………3",
        "一、部门基本情况",
        "（一）人员编制情况",
        "编制数12人，实有人数11人。",
        "一、部门基本支出\t614.17",
        "二、存在的问题",
        "（一）预算编制不够精细，部分项目执行进度偏慢，需要在下一年度加强预算执行监控和管理。",
        "（二）资产管理有待加强。",
        "三、下一步改进措施",
        "加强预算执行监控。",
    ]))
    titles = [s.title for s in doc.all_sections()]
    assert titles == ["某某局2024年度部门整体支出绩效自评报告", "一、部门基本情况", "（一）人员编制情况",
                      "二、存在的问题", "三、下一步改进措施"]
    staffing = _find(doc, "人员编制情况")
    assert staffing.level == 2 and "编制数12人" in staffing.text and "614.17" in staffing.text
    problems = _find(doc, "二、存在的问题")
    assert problems.kind is SectionKind.PROBLEMS and problems.children == []
    assert "（二）资产管理有待加强。" in problems.text  # a short item after a long one stays a list item
    assert _find(doc, "三、下一步改进措施").kind is SectionKind.MEASURES


@pytest.mark.parametrize("between", ["3/10", "\f"], ids=["page-number", "page-break"])
def test_a_text_table_continued_over_a_page_number_or_break_is_one_table_of_its_section(tmp_path, between):
    doc = _text_document(tmp_path, "\n".join([
        "一、收入决算表", "项目\t金额", "财政拨款收入\t1.00", "其他收入\t2.00", between,
        "上级补助收入\t3.00", "经营收入\t4.00",
        "二、支出决算表", "项目\t金额", "基本支出\t5.00", "项目支出\t6.00",
    ]))
    assert [table.title for table in doc.tables] == ["收入决算表", "支出决算表"]
    assert _find(doc, "一、收入决算表").table_ids == ["t1"]
    assert _find(doc, "二、支出决算表").table_ids == ["t2"]


def test_wrapped_lines_of_a_pdf_join_as_the_text_layer_groups_them():
    doc = segment(ingest(pdf("putuo-justice-2026-unit-budget")))
    # each printed line keeps its words: the amount wrapped onto the next line joins its label
    assert "2025年当年预算执行数为241.76万元，" in _find(doc, "2026年单位预算编制说明").text
    assert "（不含车辆）0台（套）。" in _find(doc, "五、国有资产占有使用情况").text
