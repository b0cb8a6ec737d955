"""Project self-evaluation rules on seeds 000 and 002."""

from decimal import Decimal

from extractor.extract.rules.projects import extract_projects
from extractor.ingest import ingest
from tests.conftest import pdf, seed


def test_single_project_seed_000():
    projects, evidence, _ = extract_projects(ingest(seed("000")))
    (project,) = projects
    assert project.name == "2024年度社会保障基金监管工作目标兑现经费"
    assert (project.budget, project.spent, project.execution_rate, project.score) == (
        Decimal("105"), Decimal("105"), Decimal("100"), Decimal("100"))
    assert len(project.indicators) == 8
    last = project.indicators[-1]
    # level names wrapped onto a row of their own ('满意度 | 服务对象满' + '指标 (10分) | 满意度指标')
    assert (last.level1, last.level2, last.name, last.weight, last.score) == (
        "满意度指标", "服务对象满意度指标", "社会公众满意度", Decimal("10"), Decimal("10"))
    assert project.indicators[6].level2 == "可持续影响指标"  # OCR 可待续
    assert evidence["projects[0].name"].quote == "2024年度社会保障基金监管工作目标兑现经费"


def test_nine_projects_seed_002():
    projects, evidence, flags = extract_projects(ingest(seed("002")))
    assert len(projects) == 9
    by_name = {project.name: project for project in projects}
    first = by_name["党员培训教育经费"]
    assert (first.budget, first.spent, first.execution_rate, first.score) == (
        Decimal("1.6"), Decimal("1.52"), Decimal("95.00"), Decimal("97.94"))  # rate printed 0.95
    first_rate = f"projects[{projects.index(first)}].execution_rate"
    assert [f.rule for f in flags if f.path == first_rate] == ["rate_as_fraction"]
    assert "read as 95.00 percent" in next(f.message for f in flags if f.path == first_rate)
    social = by_name["社会保险经办机构"]
    assert (social.budget, social.spent) == (Decimal("467.89"), Decimal("467.89"))  # one cell, two numbers
    assert by_name["人力资源服务费"].name == "人力资源服务费"  # printed '人 | 力资源服务费'
    assert by_name["就业补助资金"].execution_rate == Decimal("66")
    assert "行政事业单位改革及人员考录考察考核培训、人才引进考察调配、职称评审经费" in by_name
    assert evidence["projects[0].budget"].quote == "1.6"
    # the table printed '1. 16' (digits cut at the cell edge); the narrative states 881.16 for it
    labour = by_name["劳动维权工作经费"]
    assert (labour.budget, labour.spent) == (Decimal("881.16"), Decimal("881.16"))
    index = projects.index(labour)
    assert "881.16" in evidence[f"projects[{index}].budget"].quote


def test_digital_pdf_amount_never_completed_from_the_narrative():
    doc = ingest(seed("002"))
    doc.source.input_kind = "pdf_text"  # the same pages as a text layer: what is printed is the value
    projects, _, flags = extract_projects(doc)
    index, labour = next((i, p) for i, p in enumerate(projects) if p.name == "劳动维权工作经费")
    assert labour.budget == Decimal("1.16")  # the cut cell as printed, not the narrative's 881.16
    assert not [f for f in flags if f.path == f"projects[{index}].budget"]


def test_no_projects_in_budget_pdf():
    projects, _, _ = extract_projects(ingest(pdf("putuo-justice-2026-dept-budget")))
    assert projects == []
