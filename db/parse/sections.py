"""Find the six sections of a report and rebuild the paragraphs of its narrative."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nianbao.db.document import Block, Paragraph, Source, Table
from nianbao.db.format import SECTIONS, Section
from nianbao.db.parse.labels import best_match, nfkc, normalize

_HEADING_NUMBER = re.compile(r"^[#\s]*(?:([一二三四五六]|\d)\s*[、.．]|[（(]([一二三四五六]|\d)[)）])?\s*(.*)$")
_CHINESE_DIGITS = "〇一二三四五六七八九"
_SENTENCE_END = tuple("。！？；：!?;:…”）)】")
_SUBHEADING = re.compile(r"^(?:#+|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[、.．])")
_MAX_HEADING = 40
# Every section title ends in one of these (情况, 事项, 概述 …): a cheap test before fuzzy matching.
_TITLE_ENDINGS = tuple({normalize(label)[-2:] for s in SECTIONS for label in s.labels})


@dataclass
class SectionText:
    section: Section
    heading: Paragraph
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Outline:
    """The document cut at its section headings: the front matter and the sections found."""

    front: list[Block]
    sections: dict[str, SectionText]


def heading_section(text: str) -> Section | None:
    """The section a line is the heading of, if it is one (一、总体情况, ## 三、…, 5、…)."""
    if len(text) > _MAX_HEADING:
        return None
    m = _HEADING_NUMBER.match(nfkc(text))
    if not m:
        return None
    number_text = m.group(1) or m.group(2)
    title = normalize(m.group(3)).rstrip(":：。.")
    if not title.endswith(_TITLE_ENDINGS):
        return None
    section, s = best_match(title, [(sec, sec.labels) for sec in SECTIONS])
    if section is None:
        return None
    if number_text is None:
        return section if s >= 0.95 else None
    number = _CHINESE_DIGITS.index(number_text) if number_text in _CHINESE_DIGITS else int(number_text)
    return section if number == section.number and s >= 0.8 else None


def outline(blocks: list[Block]) -> Outline:
    """Cut at the report's own headings: the longest run of section headings in order
    (`heading_run`). A heading-like line outside it stays text: a portal's script writes 三、…
    above the title, a report quotes a heading in its text."""
    run = heading_run(blocks)
    front: list[Block] = []
    found: dict[str, SectionText] = {}
    current: SectionText | None = None
    for i, block in enumerate(blocks):
        if i in run and isinstance(block, Paragraph):
            current = SectionText(run[i], block)
            found[run[i].key] = current
        elif current is None:
            front.append(block)
        else:
            current.blocks.append(block)
    return Outline(front, found)


def heading_run(blocks: list[Block]) -> dict[int, Section]:
    """The longest increasing run of section headings (一、 … 六、 in order, gaps allowed), by
    block index. Of runs as long, the one whose first heading comes last (a stray heading or a
    table of contents above the report starts none of the report's own), then the earliest.
    Linear in the headings: a run's length from a heading depends only on the later headings'
    best run for each of the six numbers."""
    headings = [(i, s) for i, b in enumerate(blocks) if isinstance(b, Paragraph) and (s := heading_section(b.text))]
    longest = [0] * len(headings)  # the longest run starting at each heading
    best_from = [0] * (len(SECTIONS) + 2)  # by section number: the longest run starting at a later one
    for a in range(len(headings) - 1, -1, -1):
        number = headings[a][1].number
        longest[a] = 1 + max(best_from[number + 1 :], default=0)
        best_from[number] = max(best_from[number], longest[a])
    if not headings:
        return {}
    a = max(k for k, n in enumerate(longest) if n == max(longest))
    run = {headings[a][0]: headings[a][1]}
    for b in range(a + 1, len(headings)):
        if longest[b] == longest[a] - 1 and headings[b][1].number > headings[a][1].number:
            run[headings[b][0]] = headings[b][1]
            a = b
    return run


def lines_of(blocks: list[Block]) -> list[Paragraph]:
    """Every text line of the blocks; tables in narrative sections are flattened to lines."""
    out: list[Paragraph] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(block)
        elif isinstance(block, Table):
            for row in block.rows:
                text = " ".join(c.text for c in row if c.text)
                if text:
                    out.append(Paragraph(text, row[0].source))
    return out


def paragraphs(lines: list[Paragraph]) -> list[str]:
    """Join lines broken mid-sentence (PDF line and page breaks) back into paragraphs; keep
    sub-headings such as （一）主动公开方面 as paragraphs of their own."""
    out: list[str] = []
    joinable = False
    for line in lines:
        text = line.text.lstrip("#").strip()
        if not text:
            continue
        heading = _is_subheading(line.text)
        if out and joinable and not heading:
            out[-1] += text
        else:
            out.append(text)
        joinable = not heading and not text.endswith(_SENTENCE_END)
    return out


def _is_subheading(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith("#") or (
        len(stripped) <= _MAX_HEADING and bool(_SUBHEADING.match(stripped)) and not stripped.endswith("。")
    )


def narrative(section: SectionText) -> str:
    return "\n\n".join(paragraphs(lines_of(section.blocks)))


def heading_source(section: SectionText) -> Source:
    return section.heading.source


# --- Running text: a report printed on one line -------------------------------------------------

_NUMBERED = re.compile(r"[一二三四五六]\s*[、.．]")
_CLOSING_DATE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?!\s*印发)")
_CLOSING_ORGAN = re.compile(r"(?:^|[\s。！；])([^\s。！；，,:：]{2,40})\s*$")
# What a saved web page prints after the report: its attachments link, a print note (…印发).
_PAGE_FURNITURE = re.compile(r"(?:\s*(?:附件下载|附件|打印本页|关闭窗口|【打印】|【关闭】)\s*)+$")
_PRINT_NOTE = re.compile(r"\s*\S{2,40}\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发\s*$")
_MAX_AFTER_SIGNATURE = 80  # characters after the date: a contact line, never a paragraph of the report


def unfold(blocks: list[Block]) -> list[Block]:
    """A report whose text runs on (a saved web page: the whole report on one line) cut at its
    section headings, and its closing organ and date set on lines of their own, so that the
    outline and the identity read it like any other text."""
    out: list[Block] = []
    last_number = 0
    for block in blocks:
        if not isinstance(block, Paragraph) or len(block.text) <= _MAX_HEADING:
            out.append(block)
            section = heading_section(block.text) if isinstance(block, Paragraph) else None
            last_number = max(last_number, section.number) if section else last_number
            continue
        pieces, last_number = _cut_at_headings(block.text, last_number)
        out.extend(Paragraph(text, block.source) for text in pieces if text.strip())
    return _closing_apart(out)


def _cut_at_headings(text: str, last_number: int) -> tuple[list[str], int]:
    pieces: list[str] = []
    begin = 0
    for m in _NUMBERED.finditer(text):
        if m.start() < begin:
            continue
        heading = _heading_at(text, m.start(), last_number)
        if heading is None:
            continue
        section, end = heading
        pieces += [text[begin : m.start()].strip(), text[m.start() : end].strip()]
        begin, last_number = end, section.number
    pieces.append(text[begin:].strip())
    return pieces, last_number


def _heading_at(text: str, start: int, last_number: int) -> tuple[Section, int] | None:
    """The section heading starting at `start` (its numbering), with where it ends."""
    stop = min(len(text), start + _MAX_HEADING)
    for end in range(start + 4, stop + 1):
        candidate = text[start:end]
        if not normalize(candidate).endswith(_TITLE_ENDINGS):
            continue
        section = heading_section(candidate)
        if section is not None and section.number > last_number:
            return section, end
    return None


def _closing_apart(blocks: list[Block]) -> list[Block]:
    """The closing organ and date of the last paragraph, on lines of their own; what a saved page
    prints after them (附件下载, a print note) dropped, a contact line kept before them."""
    if not blocks or not isinstance(blocks[-1], Paragraph):
        return blocks
    last = blocks[-1]
    text = _PRINT_NOTE.sub("", _PAGE_FURNITURE.sub("", last.text))
    dates = [m for m in _CLOSING_DATE.finditer(text) if len(text) - m.end() <= _MAX_AFTER_SIGNATURE]
    date = next((m for m in reversed(dates) if "。" not in text[m.end() :]), None)
    if date is None or date.start() == 0:
        return blocks
    body, after = text[: date.start()].rstrip(), text[date.end() :].strip()
    organ = _CLOSING_ORGAN.search(body)
    tail = [Paragraph(date.group(0).strip(), last.source)]
    if organ and organ.start(1) > 0:
        tail.insert(0, Paragraph(organ.group(1), last.source))
        body = body[: organ.start(1)].rstrip()
    kept = [Paragraph(after, last.source)] if after else []
    return [*blocks[:-1], Paragraph(body, last.source), *kept, *tail]
