"""Meta rules: department, region, fiscal year, report type, report date and 预算编码 from the cover and title."""

from __future__ import annotations

import re
from datetime import date

from extractor.extract.rules.text import PATTERN_CONFIDENCE, Hit, find_all, find_first, pages, word_bbox
from extractor.extract.table_reader import clean_text
from schemas.document import Document
from schemas.extraction import Evidence, Flag, Meta, ReportType

TITLE_CHARS = 400
"""How much of the document's opening counts as its cover and title."""

_BODY_SUFFIX = r"(?:局|委员会|委|办公室|办|院|部|中心|厅|所|站|馆|队|会|处|社|团|政府)"
# Searched on the printed text, not the compact one: a space or tab ends the name (the next cell).
_DEPARTMENT_LABEL = re.compile(
    r"(?:部门\s*[（(]单位[)）]\s*名称|预算单位名称|单位名称|部门名称|预算主管部门|主管部门|编制部门|预算单位)[ \t]*[:：]?[ \t]*"
    r"(?P<name>[^\s:：]{2,40})"
)
_NAME_WITH_SUFFIX = re.compile(rf"^[\u4e00-\u9fff（）()]*?{_BODY_SUFFIX}(?=[（(]盖章[)）]|$)")
_TITLE_DEPARTMENT = re.compile(
    rf"(?:\d{{4}}年度?)?(?P<name>[\u4e00-\u9fff]{{2,30}}?{_BODY_SUFFIX})\n?(?:\d{{4}}年度?)?"
    r"(?:部门整体支出|整体支出|部门决算|单位决算|部门预算|单位预算|决算|项目支出)"
)
_REGION_UNIT = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:自治区|自治州|省|市|州|盟|地区|县|区|旗)")

_TYPES: tuple[tuple[str, ReportType], ...] = (
    (r"整体支出绩效|整体绩效", "performance_self_evaluation"),
    (r"项目支出绩效自评|项目绩效自评", "project_self_evaluation"),
    (r"决算", "final_accounts"),
    (r"预算", "budget"),
)
_YEAR_OF_REPORT = re.compile(r"(?P<year>20\d{2})年度")
_YEAR = re.compile(r"(?P<year>20\d{2})年(?!\d{1,2}月)")
_REPORT_DATE = re.compile(r"(?:报告日期|报告时间|填报日期|编制日期)[:：]?\t*(?P<date>20\d{2}[年.\-/]\d{1,2}[月.\-/]\d{1,2}日?)")
_DATE_LINE = re.compile(r"^(?P<date>20\d{2}年\d{1,2}月\d{1,2}日)$", re.M)
_BUDGET_CODE = re.compile(r"预算(?:单位)?编码[:：]?\t*(?P<code>\d{3,12})")


def extract_meta(doc: Document) -> tuple[Meta, dict[str, Evidence], list[Flag]]:
    """Read the meta block; every value set has evidence under `meta.<field>`."""
    evidence: dict[str, Evidence] = {}
    meta = Meta()
    opening = _opening(doc)

    report_type = _report_type(opening)
    if report_type is not None:
        meta.report_type, quote = report_type
        evidence["meta.report_type"] = _opening_evidence(doc, quote)

    year = _fiscal_year(opening)
    if year is not None:
        meta.fiscal_year, quote = year
        evidence["meta.fiscal_year"] = _opening_evidence(doc, quote)

    department = _department(doc)
    if department is not None:
        meta.department, dept_evidence = department
        evidence["meta.department"] = dept_evidence
        region = _region(meta.department)
        if region is not None:
            meta.region = region
            evidence["meta.region"] = dept_evidence

    report_date = _report_date(doc, meta.report_type)
    if report_date is not None:
        meta.report_date, hit = report_date
        evidence["meta.report_date"] = hit.evidence("date")

    code_hit = find_first(doc, _BUDGET_CODE)
    if code_hit is not None:
        meta.budget_code = code_hit.match.group("code")
        evidence["meta.budget_code"] = code_hit.evidence(0, value_group="code")
    return meta, evidence, []


def _opening(doc: Document) -> str:
    compact = pages(doc)
    text = ""
    for page in compact:
        text += page.text + "\n"
        if len(text.strip()) >= TITLE_CHARS:
            break
    lines = [line for line in text.splitlines() if line.strip() and not re.match(r"^\s*目\s*录", line)]
    return "\n".join(lines)[:TITLE_CHARS]


def _opening_evidence(doc: Document, quote: str) -> Evidence:
    hit = find_first(doc, re.escape(quote))
    if hit is not None:
        return hit.evidence()
    return Evidence(page=doc.pages[0].number if doc.pages else None, quote=quote, confidence=0.8)


def _report_type(opening: str) -> tuple[ReportType, str] | None:
    # The type is named in the title: the first lines before the body text starts.
    title = "\n".join(opening.splitlines()[:6])
    for pattern, report_type in _TYPES:
        match = re.search(pattern, title)
        if match is not None:
            return report_type, match.group(0)
    return None


def _fiscal_year(opening: str) -> tuple[int, str] | None:
    """The year the title reports on: '2024年度' first, else a '2026年' that is not a date's year."""
    match = _YEAR_OF_REPORT.search(opening) or _YEAR.search(opening)
    if match is None:
        return None
    return int(match.group("year")), match.group(0)


def _department(doc: Document) -> tuple[str, Evidence] | None:
    """The longest full name among the labelled names (单位名称 …) and the title's name."""
    candidates: list[tuple[str, Evidence]] = []
    for page in doc.pages:
        for match in _DEPARTMENT_LABEL.finditer(page.text):
            named = _NAME_WITH_SUFFIX.match(match.group("name"))
            if named is not None:
                candidates.append((named.group(0), Evidence(
                    page=page.number, bbox=word_bbox(page, named.group(0)), quote=match.group(0),
                    confidence=PATTERN_CONFIDENCE * (page.ocr_confidence or 1.0))))
    title = _title_department(doc)
    if title is not None:
        candidates.append(title)
    candidates = [(_trim_department(name), ev) for name, ev in candidates]
    candidates = [(name, ev) for name, ev in candidates if name and not name.startswith(("本", "我"))]
    if not candidates:
        return None
    return max(candidates, key=lambda item: len(item[0]))


def _title_department(doc: Document) -> tuple[str, Evidence] | None:
    """The body named in the title; a title wrapped over lines ('…规划和自然\n资源局') is read joined."""
    if not doc.pages:
        return None
    first = pages(doc)[0]
    lines = [line for line in first.text.splitlines() if line.strip()][:6]
    joined = "".join(lines)
    match = _TITLE_DEPARTMENT.search(joined)
    if match is None or match.start() >= TITLE_CHARS:
        return None
    name = match.group("name")
    page = first.page
    quote = name if name in page.text else next((line for line in page.text.splitlines() if line.strip()), name)
    return name, Evidence(page=page.number, bbox=word_bbox(page, name), quote=quote.strip(),
                          confidence=round((page.ocr_confidence or 1.0) * PATTERN_CONFIDENCE, 4))


def _trim_department(name: str) -> str | None:
    name = clean_text(name) or ""
    name = re.sub(r"^(?:20\d{2}年度?)", "", name)
    return name or None


def _region(department: str) -> str | None:
    """The administrative units the name starts with: 怀化市洪江区人力资源… -> 怀化市洪江区."""
    rest = re.sub(r"^中共", "", department)
    region = ""
    while True:
        match = _REGION_UNIT.match(rest)
        if match is None or len(rest) - match.end() < 2:
            break
        region += match.group(0)
        rest = rest[match.end():]
    return region or None


def _report_date(doc: Document, report_type: ReportType | None) -> tuple[date, Hit] | None:
    # A 报告日期 label first, then a date line on the cover, then the 填报日期 of a self-evaluation
    # form (in a 决算 or 预算 the forms are attachments whose date is not the report's).
    labelled = list(find_all(doc, _REPORT_DATE))
    hit = next((h for h in labelled if h.match.group(0).startswith("报告")), None)
    if hit is None:
        cover = find_first(doc, _DATE_LINE)
        if cover is not None and cover.match.start() < TITLE_CHARS and cover.compact is pages(doc)[0]:
            hit = cover
    if hit is None and labelled and report_type in ("performance_self_evaluation", "project_self_evaluation"):
        hit = labelled[0]
    if hit is None:
        return None
    parts = re.findall(r"\d+", hit.match.group("date"))
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])), hit
    except (ValueError, IndexError):
        return None
