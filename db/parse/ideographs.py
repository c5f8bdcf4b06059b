"""CJK radicals and compatibility ideographs read as the ideographs they stand for.

A PDF made without a CJK font maps some characters to look-alikes from other blocks: 民 comes out
as ⺠ (U+2EA0, CJK RADICAL CIVILIAN), 一 as ⼀ (U+2F00, KANGXI RADICAL ONE). They look the same
and are different text: the organ 巨鹿县人⺠政府办公室 is not 巨鹿县人民政府办公室, and a second
report of the same county and year was stored beside the first with no finding. Every reader's
text is therefore mapped once, as it leaves the reader, by Unicode's own data:

- Kangxi radicals (U+2F00–2FDF) and CJK compatibility ideographs (U+F900–FAFF, U+2F800–2FA1F):
  their compatibility decomposition (NFKC), one ideograph each;
- the CJK Radicals Supplement (U+2E80–2EFF), which has no decomposition: the Unicode Character
  Database's EquivalentUnifiedIdeograph.txt (db/unicode/, with its licence). Radicals it lists
  without an equivalent are left as they are.

How many characters were mapped is recorded with the document and shown with the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import cache
from importlib.resources import files

from nianbao.db.document import Block, Cell, Document, Paragraph, Table

DETAIL = "ideographs_normalised"  # Document.details key: how many characters were mapped
_SUPPLEMENT = range(0x2E80, 0x2F00)
_NFKC_RANGES = (range(0x2F00, 0x2FE0), range(0xF900, 0xFB00), range(0x2F800, 0x2FA20))
_CANDIDATES = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


@cache
def table() -> dict[int, str]:
    """Code point → the unified ideograph it stands for."""
    mapping: dict[int, str] = {}
    for block in _NFKC_RANGES:
        for code in block:
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code) and len(folded) == 1:
                mapping[code] = folded
    for codes, target in _equivalents():
        for code in codes:
            if code in _SUPPLEMENT:
                mapping[code] = chr(target)
    return mapping


def _equivalents() -> list[tuple[range, int]]:
    """The mappings of EquivalentUnifiedIdeograph.txt: `2EA0 ; 6C11 # …`, or a range `A..B ; C`."""
    text = (files("nianbao.db") / "unicode" / "EquivalentUnifiedIdeograph.txt").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        source, target = (part.strip() for part in data.split(";"))
        first, _, last = source.partition("..")
        out.append((range(int(first, 16), int(last or first, 16) + 1), int(target, 16)))
    return out


def normalise(text: str) -> tuple[str, int]:
    """The text with radicals and compatibility ideographs mapped, and how many were."""
    if not _CANDIDATES.search(text):
        return text, 0
    mapping = table()
    count = sum(1 for ch in _CANDIDATES.findall(text) if ord(ch) in mapping)
    return (text.translate(mapping), count) if count else (text, 0)


def normalise_document(document: Document) -> Document:
    """The document with every paragraph and cell normalised; the count in its details."""
    if not _CANDIDATES.search("\n".join(_texts(document))):  # one search: a character, never across texts
        return document  # nearly every document: nothing to map, nothing rebuilt
    total = 0

    def text(value: str) -> str:
        nonlocal total
        mapped, count = normalise(value)
        total += count
        return mapped

    blocks: list[Block] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            blocks.append(Paragraph(text(block.text), block.source))
        else:
            blocks.append(Table([[Cell(text(cell.text), cell.source) for cell in row] for row in block.rows]))
    if not total:
        return document
    return replace(document, blocks=blocks, details={**document.details, DETAIL: str(total)})


def _texts(document: Document):
    for block in document.blocks:
        if isinstance(block, Paragraph):
            yield block.text
        else:
            yield from (cell.text for row in block.rows for cell in row)


def note_message(count: int) -> str:
    """What the file's line and the report's notes say."""
    return f"有{count}个部首或兼容汉字（如以⺠代民，出自未嵌入中文字体的PDF）已读作其所代表的汉字"
