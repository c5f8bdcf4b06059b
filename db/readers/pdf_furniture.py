"""Text printed on every page that is not the report: page numbers, a browser's print header and
footer, running heads.

All of it sits in the top or bottom margin band of a page. Within that band a line is furniture
when it is a page number ("- 3 -", "第3页 共6页"), a browser's stamp (the date and time of
printing, the page's address, "1/8"), or when the same line, digits aside, recurs at the same
height on at least three pages and on at least half of them (a running head or footer). Lines
are judged here before tables are rebuilt from text set in columns, so that a running head is
never taken for a table's header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

BAND = 0.1  # the top and bottom tenth of a page are its margins
SAME_HEIGHT = 3.0  # points: a running head recurs this close to where it was

_PAGE_NUMBER = re.compile(
    r"^[-—–－·•\s]*(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*[/／]\s*\d{1,3}|\s*共\s*\d{1,3}\s*页)?[-—–－·•\s]*$"
)
# Chromium, Firefox and Edge stamp the printing time ("12/4/26, 4:44 PM", "2024/1/5 10:20"),
# the page's address and "N/M" in the margins.
_PRINT_TIME = re.compile(r"^\s*\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}[,\s]+(?:上午|下午)?\s*\d{1,2}:\d{2}")
_ADDRESS = re.compile(r"(?:https?|file)://|www\.[\w-]+\.|\.(?:gov|com|org|net)\.cn|\.s?html?\b", re.IGNORECASE)
_PAGE_COUNT = re.compile(r"(?:^|\s)\d{1,3}\s*/\s*\d{1,3}\s*$")
_DIGITS = re.compile(r"\d+")


class TextLine(Protocol):
    bbox: tuple[float, float, float, float]

    @property
    def text(self) -> str: ...


def in_margin(line: TextLine, height: float) -> bool:
    return line.bbox[1] < BAND * height or line.bbox[3] > (1 - BAND) * height


def is_page_number(line: TextLine, height: float) -> bool:
    return in_margin(line, height) and bool(_PAGE_NUMBER.match(line.text))


def is_print_stamp(line: TextLine, height: float) -> bool:
    """A browser's print header or footer line."""
    if not in_margin(line, height):
        return False
    text = line.text
    return bool(_PRINT_TIME.match(text)) or (bool(_ADDRESS.search(text)) and bool(_PAGE_COUNT.search(text)))


def running_heads(pages: Sequence[tuple[float, Sequence[TextLine]]]) -> set[int]:
    """The ids of the margin lines that recur on at least three pages and half of them, given
    each page's height and lines."""
    seen: dict[tuple[str, int], list[tuple[int, TextLine]]] = {}
    for number, (height, lines) in enumerate(pages):
        for line in lines:
            if in_margin(line, height):
                key = (_DIGITS.sub("#", line.text.replace(" ", "")), round(line.bbox[1] / SAME_HEIGHT))
                seen.setdefault(key, []).append((number, line))
    needed = max(3, (len(pages) + 1) // 2)
    return {id(line) for found in seen.values() if len({number for number, _ in found}) >= needed for _, line in found}
