"""Join a PDF page's text lines back into the paragraphs the author wrote.

A PDF keeps only lines. A line belongs to the paragraph above it when that paragraph's last line
ran to the column's right edge (the text went on, the line did not end it), did not end a
sentence, and this line starts at the column's left edge (a paragraph's first line is indented,
or centred if it is a title), in the same font size, at the usual line distance, without a
heading's numbering (一、 （一） 1.). Everything else starts a paragraph: a short line (a heading,
the last line of a paragraph, a signature), an indented line, a change of size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

BBox = tuple[float, float, float, float]

_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d{1,2}\s*[、.．](?!\d))"
)
_SENTENCE_END = tuple("。！？；：!?;:")
FULL = 1.5  # a line ending this many font sizes short of the right edge or closer ran full
INDENT = 0.5  # a line starting this many font sizes right of the left edge or more is indented
LEADING = 1.2  # a gap between two lines wider than this many font sizes separates paragraphs
SIZE = 0.12  # lines whose font sizes differ by more than this share are of different paragraphs


class TextLine(Protocol):
    bbox: BBox

    @property
    def size(self) -> float: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Column:
    """The left and right edges of the text on a page, learnt from its lines, and whether its
    paragraphs start indented (then a line at the left edge goes on with the paragraph even when
    the line before it ended a sentence)."""

    left: float
    right: float
    indents: bool = False

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


def column(lines: Sequence[TextLine]) -> Column | None:
    """The text column: from the leftmost edge two or more lines start at (a paragraph's other
    lines; its first may be indented) to the right edge the longest lines reach. None for a page
    with too few lines to tell."""
    if len(lines) < 2:
        return None
    size = sorted(line.size for line in lines)[len(lines) // 2]
    body = [line for line in lines if abs(line.size - size) <= SIZE * size] or list(lines)
    starts: dict[int, list[float]] = {}
    for line in body:
        starts.setdefault(round(2 * line.bbox[0] / size), []).append(line.bbox[0])
    shared = [min(xs) for xs in starts.values() if len(xs) > 1]
    left = min(shared or [line.bbox[0] for line in body])
    indents = any(left + size <= line.bbox[0] <= left + 4 * size for line in body)
    return Column(left, _right_edge(body, size), indents)


def _right_edge(body: Sequence[TextLine], size: float) -> float:
    """Where most lines that run full end: the commonest end among the lines ending near the
    rightmost one (a line whose last character is punctuation set into the margin ends further
    right than the rest)."""
    far = max(line.bbox[2] for line in body)
    ends: dict[int, list[float]] = {}
    for line in body:
        if line.bbox[2] >= far - 3 * size:
            ends.setdefault(round(2 * line.bbox[2] / size), []).append(line.bbox[2])
    commonest = max(ends.values(), key=lambda xs: (len(xs), max(xs)))
    return max(commonest)


def continues(upper: TextLine, lower: TextLine, col: Column | None) -> bool:
    """True when `lower` goes on with the paragraph whose last line is `upper`."""
    if col is None or not upper.text or not lower.text:
        return False
    if not _may_go_on(upper, lower, col, col):
        return False
    size = upper.size
    gap = lower.bbox[1] - upper.bbox[3]
    if not (-0.5 * size < gap < LEADING * size):
        return False
    at_left = lower.bbox[0] <= col.left + INDENT * size
    # The rest of a centred title: short, centred under a line that ran full (an indented
    # line of a paragraph also runs full, and so is no title's).
    title = _centred(lower, col) and _centred(upper, col) and lower.bbox[2] < col.right - FULL * size
    return at_left or title


def continues_on_next_page(upper: TextLine, lower: TextLine, upper_col: Column | None, col: Column | None) -> bool:
    """The same across a page break: the last line of one page ran full and did not end a
    sentence, and the first line of the next starts at its left edge, in the same size."""
    if upper_col is None or col is None or not upper.text or not lower.text:
        return False
    return _may_go_on(upper, lower, upper_col, col) and lower.bbox[0] <= col.left + INDENT * upper.size


def _may_go_on(upper: TextLine, lower: TextLine, upper_col: Column, col: Column) -> bool:
    """The same size, the upper line ran full, the lower is no numbered heading, and either
    the upper line ended no sentence or paragraphs here start indented."""
    size = upper.size
    if abs(lower.size - size) > SIZE * size or _HEADING.match(lower.text):
        return False
    if upper.bbox[2] < upper_col.right - FULL * size:
        return False
    return col.indents or not upper.text.rstrip().endswith(_SENTENCE_END)


def _centred(line: TextLine, col: Column) -> bool:
    middle = (line.bbox[0] + line.bbox[2]) / 2
    return abs(middle - col.centre) <= line.size


def union(boxes: Sequence[BBox]) -> BBox:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
