"""Segmentation: the document's headings become a section tree, each section with its text and tables.

The pages are read as one stream of blocks in reading order: paragraphs (wrapped PDF lines joined
back together) and tables (a table's lines on the page are replaced by one block naming the table).
A table of contents is skipped. A paragraph is a heading when it starts with a heading number
(第一部分, 附件1, 一、, （一）, 1., （1）) or names a table (…决算表, …自评表), and is short and not a
sentence. Headings nest by the rank of their numbering; a table's title heading sits below the current
numbered heading, and the table itself belongs to the section whose heading precedes it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from extractor.ingest.tables import join_lines
from extractor.ingest.text import MIN_TABLE_ROWS, is_page_number
from schemas.document import Document, Page, Section, SectionKind, TableGrid

_PART_RANK, _TABLE_RANK = 0, 5
_PREAMBLE_RANK = 99
"""The cover text before the first heading; any heading closes it."""
_COVER_LINE_CHARS = 20

_MARKERS: list[tuple[int, re.Pattern[str]]] = [
    (_PART_RANK, re.compile(r"^第\s*[一二三四五六七八九十]+\s*部分")),
    (_PART_RANK, re.compile(r"^附\s*件\s*[\d一二三四五六七八九十]+(?!\d)\s*[:：、]?")),
    (1, re.compile(r"^[一二三四五六七八九十]{1,3}\s*(?:、|[.．](?!\d))")),
    (2, re.compile(r"^[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]\s*[、.．]?")),
    (3, re.compile(r"^\d{1,2}\s*(?:、|[.．](?!\d))")),
    (4, re.compile(r"^[（(]\s*\d{1,2}\s*[)）]\s*[、.．]?")),
]
_GARBLED_MARKER = re.compile(r"^[（(][^()（）\s]{1,3}[)）]$")
"""OCR's rendering of a bare (一) on its own line: (-), (/\\), (十) for (七)…"""
_LIST_BULLET = re.compile(r"^\s*(?:[-*•·]\s+|#{1,6}\s+)")
_TABLE_TITLE = re.compile(r"表\s*(?:[（(]\s*续\s*[)）]|续)?$")
_NOT_A_TITLE = re.compile(r"^(?:注|说明|备注|填表|填报|单位|编制|金额单位|数据来源)")
_DOT_LEADER = re.compile(r"(?:[.…·．。]\s*){4,}\s*\d*\s*$")
_TOC_PAGE_NUMBER = re.compile(r"\s\d{1,3}$")
_TOC_TITLE = re.compile(r"^目\s*录$")
_DEFINITION = re.compile(r"^[^：:]{1,20}[：:]\s*\S{6,}")
"""一、财政拨款收入：指… — a term and its explanation, not a heading."""
_INLINE_FIRST_ITEM = re.compile(r"[\s：:]1\s*[.、．]\s*[^\d\s][^。；]{0,30}$")
_SENTENCE_INSIDE = re.compile(r"[。；;！？!?]")
_MAX_HEADING_CHARS = 45
_MAX_TABLE_TITLE_CHARS = 50
_MAX_PAGE_TITLE_CHARS = 30
_CENTRED = 0.06
"""A line whose centre is this share of the page width from the page's centre is centred."""
_RUNNING_HEADER_PAGES = 3
"""A page-opening line repeated on this many pages is a running header, not a title."""
_LIST_SHARE = 0.75
"""Share of a run of bare numbered lines that must look like list items for the run to be a list."""
_MIN_WRAPPED_LINES = 4
_WRAPPED_SHARE = 0.2
"""Fewer long lines ending at one x than this and the pages of that width get no margin (no joining)."""
_WRAP_SLACK_PT, _WRAP_SLACK_SHARE = 12.0, 0.025
"""A line ending this close to the right margin (about one character) is taken to wrap on."""

_PROBLEMS = re.compile(r"存在的?(主要)?问题|问题(及|和|与)原因|主要问题|问题分析")
_MEASURES = re.compile(r"改进措施|改进意见|改进建议|整改措施|下一步|有关建议|意见建议|工作建议|对策建议")
_PROJECT_EVALUATION = re.compile(r"项目.{0,40}自评表")
_INDICATOR_TABLE = re.compile(r"绩效(自评|评价|目标).{0,10}表|绩效指标表|自评表|评价基础数据表|基础数据表")


@dataclass
class _Block:
    """A paragraph or a table in reading order."""

    page: int
    text: str = ""
    page_end: int = 0
    table_id: str | None = None
    heading: tuple[int, str] | None = None  # (rank, title) when the paragraph is a heading
    continues: bool = False  # the paragraph's last line reaches the right margin at the page's foot
    page_title: bool = False  # one centred line opening the page: an unnumbered title in some layouts
    after_blank: bool = False  # a text file's paragraph that follows a blank line

    def __post_init__(self) -> None:
        self.page_end = self.page_end or self.page


@dataclass
class _Node:
    rank: int
    title: str
    page: int
    kind: SectionKind
    lines: list[str] = field(default_factory=list)
    table_ids: list[str] = field(default_factory=list)
    page_end: int = 0
    children: list[_Node] = field(default_factory=list)
    title_open: bool = False  # the title may go on over the next short lines (covers, page titles)


def segment(doc: Document) -> Document:
    """A copy of the document with `sections` filled: the heading tree with each section's text and tables."""
    blocks = _skip_table_of_contents(_blocks(doc))
    repeated = Counter(block.text for block in blocks if block.page_title)
    for block in blocks:
        if block.table_id is None:
            block.heading = _heading(block.text)
            if block.heading is None and block.page_title and repeated[block.text] < _RUNNING_HEADER_PAGES:
                block.heading = _page_title(block.text)
    _demote_list_items(blocks)
    _demote_heading_runs(blocks)
    _merge_bare_markers(blocks)
    _promote_collection_titles(blocks)
    roots = _tree(blocks, doc)
    counter = iter(range(1, 1_000_000))
    sections = [_section(node, 1, counter) for node in roots]
    return doc.model_copy(update={"sections": sections})


# --- the block stream -------------------------------------------------------------------------------


def _blocks(doc: Document) -> list[_Block]:
    blocks: list[_Block] = []
    text_tables = iter(doc.tables)
    rows_to_come = 0
    margins = _right_margins(doc)
    for page in doc.pages:
        if page.words:
            blocks += _page_blocks(page, doc.tables, margins.get(round(page.width)))
        else:
            page_blocks, rows_to_come = _text_page_blocks(page, text_tables, rows_to_come)
            blocks += page_blocks
    return _join_across_pages(blocks)


def _page_blocks(page: Page, tables: list[TableGrid], margin: float | None) -> list[_Block]:
    """Paragraphs and table blocks of a page that has words with boxes (PDF text layer or OCR)."""
    regions = _table_regions(page.number, tables)
    starts = sorted((box[1], table.id) for table, box, first in regions if first)
    blocks: list[_Block] = []
    paragraph: list[str] = []
    wraps = False
    slack = max(_WRAP_SLACK_PT, _WRAP_SLACK_SHARE * page.width)

    def flush() -> None:
        nonlocal paragraph
        if paragraph:
            blocks.append(_Block(page.number, join_lines(paragraph), page_title=opening and len(paragraph) == 1
                                 and abs((box_first[0] + box_first[2]) / 2 - page.width / 2) <= _CENTRED * page.width))
            paragraph = []

    opening, box_first = True, (0.0, 0.0, 0.0, 0.0)
    for box, text in _word_lines(page):
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        while starts and starts[0][0] <= cy:
            flush()
            blocks.append(_Block(page.number, table_id=starts.pop(0)[1]))
            wraps = False
        if any(r[0] - 1 <= cx <= r[2] + 1 and r[1] - 1 <= cy <= r[3] + 1 for _t, r, _f in regions):
            continue
        if not (wraps and paragraph) or _heading(text) is not None:
            flush()
            opening = not blocks
            box_first = box
        paragraph.append(text)
        wraps = margin is not None and box[2] >= margin - slack and len(text) >= 10
    flush()
    blocks += [_Block(page.number, table_id=table_id) for _y, table_id in starts]
    if blocks and blocks[-1].table_id is None:
        blocks[-1].continues = wraps
    return blocks


def _join_across_pages(blocks: list[_Block]) -> list[_Block]:
    """A paragraph wrapping at the foot of a page continues in the first paragraph of the next page."""
    joined: list[_Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if (previous is not None and previous.continues and block.table_id is None
                and block.page == previous.page_end + 1 and not block.page_title and _heading(block.text) is None):
            previous.text = join_lines([previous.text, block.text])
            previous.page_end, previous.continues = block.page_end, block.continues
            continue
        joined.append(block)
    return joined


def _word_lines(page: Page) -> list[tuple[tuple[float, float, float, float], str]]:
    """The page's text lines with their boxes.

    The readers write one line of `page.text` per text line, its words separated by whitespace, so the
    words are dealt out to the lines by count. Word boxes are too uneven in height (font metrics) to
    regroup them reliably, which is only done when the text and the words do not agree.
    """
    lines = []
    words = iter(page.words)
    for line in page.text.split("\n"):
        tokens = line.split()
        members = list(islice(words, len(tokens)))  # zip(words, tokens) would swallow the next line's first word
        if len(members) != len(tokens) or "".join(w.text for w in members).replace(" ", "") != "".join(tokens):
            return _regroup_words(page)
        if members:
            lines.append((_union(w.bbox for w in members), " ".join(tokens)))
    if next(words, None) is not None:
        return _regroup_words(page)
    return lines


def _regroup_words(page: Page) -> list[tuple[tuple[float, float, float, float], str]]:
    """Lines rebuilt from geometry: a word continues a line when it sits right of the previous word."""
    lines: list[list] = []
    for word in page.words:
        x0, y0, x1, y1 = word.bbox
        if lines:
            box = lines[-1][0]
            if y0 < box[3] and y1 > box[1] and x0 >= box[2] - 2:
                lines[-1][0] = (box[0], min(box[1], y0), x1, max(box[3], y1))
                lines[-1][1].append(word.text)
                continue
        lines.append([(x0, y0, x1, y1), [word.text]])
    return [(box, " ".join(texts)) for box, texts in lines]


def _union(boxes) -> tuple[float, float, float, float]:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _right_margins(doc: Document) -> dict[int, float]:
    """Per page width, the right edge where body lines wrap.

    Wrapped lines of justified text all end at the margin (OCR boxes within a few points), so the margin is
    the rightmost line end that enough long lines outside tables reach; table rows and the short last
    lines of paragraphs do not move it.
    """
    ends: dict[int, list[float]] = {}
    for page in doc.pages:
        if not page.words:
            continue
        regions = [box for _table, box, _first in _table_regions(page.number, doc.tables)]
        for box, text in _word_lines(page):
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            if len(text) >= 15 and not any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in regions):
                ends.setdefault(round(page.width), []).append(box[2])
    margins = {}
    for width, values in ends.items():
        values.sort(reverse=True)
        needed = max(_MIN_WRAPPED_LINES, _WRAPPED_SHARE * len(values))
        window = max(_WRAP_SLACK_PT, _WRAP_SLACK_SHARE * width) / 2
        for edge in values:
            if sum(1 for value in values if edge - window <= value <= edge) >= needed:
                margins[width] = edge
                break
    return margins


def _table_regions(page_number: int, tables: list[TableGrid]) -> list[tuple[TableGrid, tuple, bool]]:
    """(table, box of its cells on this page, whether the table starts on this page)."""
    regions = []
    for table in tables:
        boxes = [cell.bbox for row in table.rows if row.page == page_number for cell in row.cells if cell.bbox]
        if boxes:
            starts_here = table.page_start == page_number
            # on a continuation page the merge dropped the repeated header rows, whose lines sit above the
            # remaining rows; the merge also checked nothing but page furniture precedes them
            top = min(b[1] for b in boxes) if starts_here else 0.0
            box = (min(b[0] for b in boxes), top, max(b[2] for b in boxes), max(b[3] for b in boxes))
            regions.append((table, box, starts_here))
    return regions


def _text_page_blocks(page: Page, tables: Iterator[TableGrid], rows_to_come: int) -> tuple[list[_Block], int]:
    """Blocks of a text page: each line a paragraph; runs of tab-separated rows are the next table.

    The text reader makes one table of every run of at least two tab-separated lines (blank and
    page-number lines, page breaks included, do not break a run), in order, so runs map to tables by
    position. `rows_to_come` counts the rows of the last table not yet seen: a table continued on this
    page from an earlier one. Returns the blocks and the rows still to come after this page.
    """
    blocks: list[_Block] = []
    lines = page.text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if "\t" not in line:
            if line.strip():
                blocks.append(_Block(page.number, _clean_line(line),
                                     after_blank=index > 0 and not lines[index - 1].strip()))
                if not is_page_number(line):
                    rows_to_come = 0  # other text ends a table
            index += 1
            continue
        end, rows = index, 0
        while end < len(lines) and ("\t" in lines[end] or not lines[end].strip() or is_page_number(lines[end])):
            rows += "\t" in lines[end]
            end += 1
        if rows_to_come:  # the rest of a table whose block stands on an earlier page
            rows_to_come = max(0, rows_to_come - rows)
        elif rows >= MIN_TABLE_ROWS:
            table = next(tables, None)
            if table is not None:
                blocks.append(_Block(page.number, table_id=table.id))
                rows_to_come = max(0, len(table.rows) - rows)
        else:  # a lone label-and-value row: text, but never a heading (its tab keeps it out)
            blocks += [_Block(page.number, text.strip()) for text in lines[index:end] if text.strip()]
        index = end
    return blocks, rows_to_come


def _clean_line(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("\t", " ")).strip()


# --- table of contents ------------------------------------------------------------------------------


def _skip_table_of_contents(blocks: list[_Block]) -> list[_Block]:
    """Drop the 目录 and its entries: entries run until a heading repeats the first entry's number."""
    start = _toc_start(blocks)
    if start is None:
        return blocks
    end = start[1]
    first_marker = None
    while end < len(blocks):
        block = blocks[end]
        if block.table_id is not None:
            break
        text = _DOT_LEADER.sub("", _LIST_BULLET.sub("", block.text)).strip()
        marker = _marker(text)
        if first_marker is None:
            first_marker = marker
        elif marker is not None and marker == first_marker and not _DOT_LEADER.search(block.text):
            break
        if not (marker or _DOT_LEADER.search(block.text) or _TOC_PAGE_NUMBER.search(block.text)
                or _is_table_title(text) or len(text) <= 6):
            break
        end += 1
    return blocks[: start[0]] + blocks[end:]


def _toc_start(blocks: list[_Block]) -> tuple[int, int] | None:
    """(index of the 目录 heading, index of the first entry), or None."""
    for index, block in enumerate(blocks):
        compact = re.sub(r"\s+", "", block.text)
        if _TOC_TITLE.match(compact):
            return index, index + 1
        if compact == "目" and index + 1 < len(blocks) and blocks[index + 1].text.strip() == "录":
            return index, index + 2
    return None


def _marker(text: str) -> str | None:
    """The heading number a line starts with, normalised (第一部分, 一、, (一), 1., (1)), or None."""
    for _rank, pattern in _MARKERS:
        match = pattern.match(text)
        if match:
            return re.sub(r"\s+", "", match.group(0)).replace("（", "(").replace("）", ")")
    return None


# --- headings ---------------------------------------------------------------------------------------


def _heading(text: str) -> tuple[int, str] | None:
    """(rank, title) when the paragraph is a heading; rank 0 parts, 1 一、, 2 (一), 3 1., 4 (1), 5 table titles."""
    text = _LIST_BULLET.sub("", text).strip()
    if not text or "\t" in text or _DOT_LEADER.search(text) and not _is_table_title(text):
        return None
    for rank, pattern in _MARKERS:
        match = pattern.match(text)
        if match:
            body = text[match.end():].strip()
            if len(body) > _MAX_HEADING_CHARS or _SENTENCE_INSIDE.search(body.rstrip("。")):
                return None
            if body.endswith(("，", ",", "、", "；", ";")) or _DEFINITION.search(body):
                return None
            if body.endswith("。") and re.search(r"[，,]", body):
                return None  # a sentence with a number in front, not a heading
            return rank, _tidy(text)
    if _GARBLED_MARKER.match(text):
        return 2, text
    if _is_table_title(text):
        return _TABLE_RANK, _tidy(text)
    return None


def _demote_list_items(blocks: list[_Block]) -> None:
    """A short numbered item right after a numbered paragraph of the same rank is one more list item.

    In （十一）负责…（a paragraph） （十二）完成区委交办的其他任务。 the last item is short enough to look
    like a heading; its neighbour shows it belongs to a list. 一、 items are left alone: parts of a report
    are numbered that way and are short whatever came before.
    """
    previous_rank: int | None = None
    for block in blocks:
        if block.table_id is not None or not block.text.strip():
            continue
        if "\t" in block.text:
            continue
        rank = _marker_rank(block.text)
        if block.heading is not None and rank is not None and rank == previous_rank and rank >= 2:
            block.heading = None
        if block.heading is not None:
            previous_rank = None
        elif rank is not None:
            previous_rank = rank
        elif _INLINE_FIRST_ITEM.search(block.text):
            previous_rank = 3  # 具体包括： 1. 普陀区司法局本部 — the list began inside the paragraph


def _demote_heading_runs(blocks: list[_Block]) -> None:
    """Numbered lines in a row with nothing between them, all naming tables or all ending in 。, are a list.

    报告附件： 1、…基础数据表 2、…自评表 lists attachments; 1. 教育支出(类)…(项)。 2. … lists terms.
    """
    content = [block for block in blocks if block.table_id is not None or block.text.strip()]
    run: list[_Block] = []

    def close() -> None:
        listed = max(sum(_is_table_title(b.heading[1]) for b in run), sum(b.heading[1].endswith("。") for b in run))
        if len(run) >= 2 and listed >= _LIST_SHARE * len(run):
            for member in run:
                member.heading = None
        run.clear()

    for block in content:
        heading = block.heading
        if heading is None or heading[0] in (_PART_RANK, _TABLE_RANK) or (run and heading[0] != run[0].heading[0]):
            close()
        if heading is not None and heading[0] not in (_PART_RANK, _TABLE_RANK):
            run.append(block)
    close()


def _marker_rank(text: str) -> int | None:
    text = _LIST_BULLET.sub("", text).strip()
    for rank, pattern in _MARKERS:
        if pattern.match(text):
            return rank
    return None


def _page_title(text: str) -> tuple[int, str] | None:
    """A centred line opening a page (上海市普陀区司法局机构设置, 其他相关情况说明) as a part heading."""
    compact = re.sub(r"\s+", "", text)
    if not 2 <= len(compact) <= _MAX_PAGE_TITLE_CHARS or _SENTENCE_INSIDE.search(compact) or re.search(
            r"[，,：:]", compact) or not re.search(r"[\u4e00-\u9fff]", compact):
        return None
    return _PART_RANK, _tidy(text)


def _is_table_title(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return (4 <= len(compact) <= _MAX_TABLE_TITLE_CHARS and _TABLE_TITLE.search(compact) is not None
            and not _NOT_A_TITLE.match(compact) and not _SENTENCE_INSIDE.search(compact))


def _tidy(text: str) -> str:
    """Spaces an OCR tool or a layout put between CJK characters are dropped; others are kept single."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef\d])|(?<=\d) (?=[\u3400-\u9fff])",
                  "", text)


def _is_bare_marker(heading: tuple[int, str]) -> bool:
    """True for a heading that is only its number: 第二部分, （一）, 附件2."""
    title = heading[1]
    if _GARBLED_MARKER.match(title):
        return True
    for _rank, pattern in _MARKERS:
        match = pattern.match(title)
        if match:
            return not re.sub(r"[\s:：、.．]", "", title[match.end():])
    return False


def _merge_bare_markers(blocks: list[_Block]) -> None:
    """A heading number alone on its line (第二部分, (一)) takes the next paragraph as its title."""
    for index, block in enumerate(blocks[:-1]):
        if block.heading is None or not _is_bare_marker(block.heading):
            continue
        following = blocks[index + 1]
        if following.table_id is not None or not following.text.strip():
            continue
        if following.heading is not None and following.heading[0] != _TABLE_RANK:
            continue
        if block.heading[1].startswith("附") and following.heading is not None:
            continue  # 附件2 above a table title: keep the attachment and the table as two levels
        if len(following.text) > _MAX_HEADING_CHARS + 10 or _SENTENCE_INSIDE.search(following.text.rstrip("。")):
            continue
        marker = block.heading[1]
        if _GARBLED_MARKER.match(marker):
            marker = ""
        title = _tidy(join_lines([marker, following.text]) if marker else following.text)
        block.heading = (block.heading[0], title)
        block.page_end = following.page_end
        following.text, following.heading = "", None


def _promote_collection_titles(blocks: list[_Block]) -> None:
    """A table title followed straight by another table title (…年度部门决算表 above 收入支出决算总表)
    names the collection of tables, so it heads a part rather than one table."""
    content = [block for block in blocks if block.table_id is not None or block.heading or block.text.strip()]
    for block, following in zip(content, content[1:], strict=False):
        if (block.heading is not None and block.heading[0] == _TABLE_RANK and following.heading is not None
                and following.heading[0] == _TABLE_RANK):
            block.heading = (_PART_RANK, block.heading[1])


# --- the tree ---------------------------------------------------------------------------------------


def _tree(blocks: list[_Block], doc: Document) -> list[_Node]:
    tables = {table.id: table for table in doc.tables}
    roots: list[_Node] = []
    stack: list[_Node] = []
    preamble: _Node | None = None
    for block in blocks:
        if block.heading is not None:
            rank, title = block.heading
            while stack and stack[-1].rank >= rank:
                stack.pop()
            parent = stack[-1] if stack else None
            node = _Node(rank, title, block.page, _kind(title, rank, parent), page_end=block.page_end,
                         title_open=block.page_title)
            (parent.children if parent else roots).append(node)
            stack.append(node)
            continue
        current = stack[-1] if stack else None
        if current is not None and current.title_open and _continues_title(current, block):
            current.title = _tidy(join_lines([current.title, block.text]))
            continue
        if current is None:
            if preamble is None:
                if block.table_id is None and not block.text.strip():
                    continue
                preamble = _Node(_PREAMBLE_RANK, block.text.strip() or "(untitled)", block.page, SectionKind.NARRATIVE,
                                 page_end=block.page_end, title_open=True)
                roots.append(preamble)
                stack.append(preamble)
                if block.table_id is None:
                    continue
            current = preamble
        if block.table_id is not None:
            current.table_ids.append(block.table_id)
            table = tables.get(block.table_id)
            current.page_end = max(current.page_end, table.page_end if table else block.page)
        elif block.text.strip():
            current.lines.append(block.text)
            current.page_end = max(current.page_end, block.page_end)
    for node in roots:
        _settle_table_kinds(node, tables)
    return roots


def _continues_title(node: _Node, block: _Block) -> bool:
    """A cover or page title printed (or OCR'd) over several short lines: 中共上海市普陀区委 / 社会工作部 / …"""
    text = block.text.strip()
    return (not node.lines and not node.table_ids and not node.children and block.table_id is None
            and bool(text) and not block.after_blank and block.page == node.page and len(text) <= _COVER_LINE_CHARS
            and len(node.title) + len(text) <= _MAX_TABLE_TITLE_CHARS and not re.search(r"[：:。，,]", text))


def _kind(title: str, rank: int, parent: _Node | None) -> SectionKind:
    compact = re.sub(r"\s+", "", title)
    if _is_table_title(compact) and rank != _PART_RANK:
        if _PROJECT_EVALUATION.search(compact):
            return SectionKind.PROJECT_SELF_EVALUATION
        if _INDICATOR_TABLE.search(compact):
            return SectionKind.INDICATOR_TABLE
        return SectionKind.STATEMENT_TABLE
    if _PROBLEMS.search(compact) and not _MEASURES.search(compact.split("问题")[0]):
        return SectionKind.PROBLEMS
    if _MEASURES.search(compact):
        return SectionKind.MEASURES
    if parent is not None and parent.kind in (SectionKind.PROBLEMS, SectionKind.MEASURES,
                                              SectionKind.PROJECT_SELF_EVALUATION):
        return parent.kind  # the numbered points of 存在的问题 are problems too
    return SectionKind.NARRATIVE


def _settle_table_kinds(node: _Node, tables: dict[str, TableGrid]) -> None:
    """A narrative section holding a table whose own title names a known table kind takes that kind."""
    for child in node.children:
        _settle_table_kinds(child, tables)
    if node.kind is not SectionKind.NARRATIVE or not node.table_ids:
        return
    titles = [tables[tid].title for tid in node.table_ids if tid in tables and tables[tid].title]
    for title in titles:
        kind = _kind(title, _TABLE_RANK, None)
        if kind is not SectionKind.NARRATIVE:
            node.kind = kind
            return


def _section(node: _Node, level: int, counter) -> Section:
    section_id = f"s{next(counter)}"
    children = [_section(child, level + 1, counter) for child in node.children]
    page_end = max([node.page, node.page_end] + [child.page_end for child in children])
    return Section(
        id=section_id, title=node.title, level=level, kind=node.kind, page_start=node.page,
        page_end=page_end, text="\n".join(node.lines), table_ids=node.table_ids, children=children)
