"""parse_number and parse_unit on numbers as the seed reports print them (each example is checked to occur there)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.numbers import ParsedNumber, parse_number, parse_unit
from tests.conftest import seed


def _seed_cells() -> set[str]:
    """Every tab-separated cell and every line of the three seeds, stripped."""
    found: set[str] = set()
    for prefix in ("000", "002", "004"):
        for line in seed(prefix).read_text(encoding="utf-8").splitlines():
            found.add(line.strip())
            found.update(cell.strip() for cell in line.split("\t"))
    return found


SEED_CELLS = _seed_cells()

# (cell as printed in a seed, value, unit, comparator, repaired)
SEED_EXAMPLES = [
    ("14, 344, 12", "14344.12", None, None, True),  # 002 收入支出决算总表 本年收入合计
    ("14, 351, 53", "14351.53", None, None, True),  # 002 总计
    ("11, 308, 61", "11308.61", None, None, True),
    ("3, 042. 92", "3042.92", None, None, True),  # 002 其他收入
    ("13, 898. 15", "13898.15", None, None, True),
    ("5, 138. 29", "5138.29", None, None, True),
    ("3, 042. 9", "3042.9", None, None, True),
    ("1. 16", "1.16", None, None, True),  # 002 劳动维权 资金总额 (digits lost by OCR, read as printed)
    ("0. 5", "0.5", None, None, True),
    ("99. 16%", "99.16", "%", None, True),
    ("144. 06%", "144.06", "%", None, True),
    ("1,699.45", "1699.45", None, None, False),
    ("12,644.67", "12644.67", None, None, False),
    ("11,121.20", "11121.20", None, None, False),
    ("458.70", "458.70", None, None, False),
    ("99.93%", "99.93", "%", None, False),  # 000 执行率
    ("86.67%", "86.67", "%", None, False),
    ("≥99%", "99", "%", "≥", False),
    ("≥90%", "90", "%", "≥", False),
    ("≥99.5%", "99.5", "%", "≥", False),
    ("≤10%", "10", "%", "≤", False),
    ("≤1430.4 万元", "1430.4", "万元", "≤", False),  # 000 整体支出控制额
    ("1429.4 万元", "1429.4", "万元", None, False),
    ("≤105万元", "105", "万元", "≤", False),
    ("≥100 人次", "100", "人次", "≥", False),
    ("≥5000 份", "5000", "份", "≥", False),
    ("80 人", "80", "人", None, False),
    ("23101 人", "23101", "人", None, False),
    ("1.1万人", "1.1", "万人", None, False),
    ("72.9 万人次", "72.9", "万人次", None, False),
    ("≤48 小时", "48", "小时", "≤", False),
    ("≪48 小时", "48", "小时", "≤", True),  # 002: OCR read ≤ as ≪
    ("≤30 分钟", "30", "分钟", "≤", False),
    ("45 元/人/月", "45", "元/人/月", None, False),
    ("189. 44 元/ 人/年", "189.44", "元/人/年", None, True),
    ("2600 元/人", "2600", "元/人", None, False),
    ("90%以上", "90", "%", "≥", False),  # 002 建筑项目参加工伤保险参保率
    ("97.", "97", None, None, True),  # 002 总分 split over two cells: flagged, not trusted
    ("1", "1", None, None, False),
    ("0", "0", None, None, False),
]


@pytest.mark.parametrize(("printed", "value", "unit", "comparator", "repaired"), SEED_EXAMPLES)
def test_seed_examples(printed, value, unit, comparator, repaired):
    assert printed in SEED_CELLS, f"{printed!r} is not printed in the seeds"
    parsed = parse_number(printed)
    assert parsed is not None
    assert parsed.value == Decimal(value)
    assert str(parsed.value) == value, "the printed scale is kept"
    assert parsed.unit == unit
    assert parsed.is_percent == (unit == "%")
    assert parsed.comparator == comparator
    assert parsed.repaired == repaired
    assert (parsed.note is not None) == repaired


@pytest.mark.parametrize("printed", [
    "—",  # 000 基础数据表 政府采购金额 2023
    "-",
    "",
    "   ",
    "467. 89 467. 89",  # 002: two cells read into one
    "3. 498 3. 498",
    "19923. 13 14344. 12",
    "按合同金额 支付",
    "效果明显",
    "2024年12月底前",
    "2024-12-31前",
    "≥12 次 1-2 次",
    "(5)",  # list numbering, not a negative
    "(20",
    "(20 5",  # noise beside 得分 (20 分*执行率)
    "1 1 2 2 - 200 award 2 10 cm 22",
])
def test_seed_texts_without_a_single_number(printed):
    assert printed in SEED_CELLS or printed.strip() == "" or printed in {"-", "(5)"}
    assert parse_number(printed) is None


def test_fused_numbers_from_ocr_are_refused():
    # MEASURED.md: RapidOCR reads two neighbouring cells as one token.
    assert parse_number("1,100.265,538.67") is None
    assert parse_number("1699.4512644.67") is None
    assert parse_number("14,34.12") is None
    assert parse_number("1.100,26") is None


def test_space_repair_notes_say_what_was_assumed():
    parsed = parse_number("14, 344, 12")
    assert parsed.note == ("spaces inside number removed; "
                           "last comma read as decimal point (its group has fewer than 3 digits)")
    parsed = parse_number("3, 042. 92")
    assert "spaces inside number removed" in parsed.note
    assert "comma read as thousands separator" in parsed.note


def test_full_width_forms():
    parsed = parse_number("１２３．４５")
    assert parsed.value == Decimal("123.45")
    assert parsed.repaired and "full-width" in parsed.note
    assert parse_number("１，２３４．５０").value == Decimal("1234.50")
    parsed = parse_number("９９．９３％")
    assert parsed.value == Decimal("99.93") and parsed.is_percent and parsed.repaired
    parsed = parse_number("98.00％")
    assert parsed == ParsedNumber(value=Decimal("98.00"), is_percent=True, unit="%"), "％ alone is no repair"
    assert parse_number("≥５") == ParsedNumber(value=Decimal("5"), comparator="≥", repaired=True,
                                             note="full-width digits or separators made half-width")
    assert parse_number("－") is None
    assert parse_number("－12.5").value == Decimal("-12.5")


def test_comparator_is_not_part_of_the_number():
    parsed = parse_number("≥ 99 %")
    assert parsed == ParsedNumber(value=Decimal("99"), is_percent=True, unit="%", comparator="≥")
    assert parse_number("≧95%").comparator == "≥"
    assert parse_number(">=3").comparator == "≥"
    assert parse_number("不低于 90%").comparator == "≥"
    assert parse_number("5%以内").comparator == "≤"
    assert parse_number("≥90%以上") is None, "two comparators: not settled silently"


def test_negative_numbers():
    assert parse_number("-123.45").value == Decimal("-123.45")
    assert not parse_number("-123.45").repaired
    assert parse_number("−7.87%").value == Decimal("-7.87")
    parsed = parse_number("—5.00")
    assert parsed.value == Decimal("-5.00") and parsed.repaired and "minus" in parsed.note
    assert parse_number("(123.45)") is None
    assert parse_number("+22.73%").value == Decimal("22.73")


def test_trailing_sentence_punctuation_and_units():
    assert parse_number("99.93%。").value == Decimal("99.93")
    assert parse_number("12人").unit == "人"
    assert parse_number("2,940.05").value == Decimal("2940.05")
    assert parse_number("2,940.05元").unit == "元"
    assert parse_number("1.2亿元").unit == "亿元"
    assert parse_number("12 年度") is None, "not a unit: not a number"


def test_value_is_never_a_float():
    parsed = parse_number("0.1")
    assert isinstance(parsed.value, Decimal)
    assert parsed.value + parse_number("0.2").value == Decimal("0.3")


def test_parsed_number_is_frozen():
    parsed = parse_number("1")
    with pytest.raises(ValueError):
        parsed.value = Decimal("2")


@pytest.mark.parametrize(("header", "unit"), [
    ("单位：万元", "万元"),
    ("金额单位：元", "元"),
    ("单位:万元", "万元"),
    ("单位： 万元", "万元"),
    ("（单位：万元）", "万元"),
    ("单位：元", "元"),
    ("单位：人", "人"),
    ("单位：万元、人", "万元"),
    ("编制单位：上海市普陀区财政局        金额单位：万元", "万元"),
    ("单位名称：区人社局", None),  # 002 附件
    ("单位名称: 区人社局", None),
    ("编制单位：上海市普陀区司法局", None),
    ("预算单位名称", None),
    ("2024 年度部门（单位）整体支出绩效自评表", None),
])
def test_parse_unit(header, unit):
    assert parse_unit(header) == unit


def test_parse_unit_on_real_pdf_headers(shared_dir):
    import pymupdf

    with pymupdf.open(shared_dir / "pdfs" / "putuo-justice-2026-dept-budget.pdf") as doc:
        lines = [line.strip() for page in doc for line in page.get_text().splitlines()]
    units = {parse_unit(line) for line in lines if line.startswith("单位")}
    assert {"万元", "元"} <= units
