"""Text-pattern helpers: compact search with quotes mapped back to the printed text."""

from extractor.extract.rules.text import compact, find_first
from schemas.document import Document, Page, SourceInfo, Word


def _doc(text, kind="text", words=()):
    return Document(source=SourceInfo(file="x", sha256="0", pages=1, input_kind=kind),
                    pages=[Page(number=1, width=595, height=842, text=text, words=list(words))])


def test_quote_is_the_printed_span_and_bbox_from_a_word():
    doc = _doc("2024 年年初预算数 440.43 万元，其中", words=[Word(text="440.43", bbox=(10, 20, 40, 30))])
    hit = find_first(doc, r"年初预算数(?P<num>[\d.]+)(?P<unit>万元)")
    evidence = hit.evidence(0, value_group="num")
    assert evidence.quote == "年初预算数 440.43 万元"
    assert evidence.bbox == (10, 20, 40, 30)
    assert evidence.page == 1 and 0 < evidence.confidence < 1


def test_wrapped_pdf_lines_are_joined_but_text_lines_are_not():
    line = "一般公共预算财政拨款支出年初预算为2993.92万元，支出决算为2940.05万元，完"
    page = _doc(line + "\n成年初预算的98.20%。").pages[0]
    assert "完成年初预算" in compact(page, join_wrapped=True).text
    assert "完\n成" in compact(page).text
