"""A PDF page's characters as text lines: grouped by height, read left to right, a glyph drawn
twice over itself (fake bold) once, the spacing of the layout between CJK characters dropped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

Char = dict[str, Any]  # a pdfplumber character: text, x0, x1, top, bottom, size
BBox = tuple[float, float, float, float]  # x0, top, x1, bottom
Row = list[tuple[str, BBox] | None]  # a table row: (text, cell box) per column, None where merged away
SPACES = " \u3000\xa0\t"
_X0, _X1, _TOP, _BOTTOM = itemgetter("x0"), itemgetter("x1"), itemgetter("top"), itemgetter("bottom")
_TOP_X0 = itemgetter("top", "x0")


class Line:
    """Characters sharing a line, left to right; box, font size and text worked out once."""

    def __init__(self, chars: list[Char]) -> None:
        self.chars = chars
        self.bbox: BBox = (
            min(map(_X0, chars)),
            min(map(_TOP, chars)),
            max(map(_X1, chars)),
            max(map(_BOTTOM, chars)),
        )
        self._size: float | None = None
        self._text: str | None = None

    @property
    def size(self) -> float:
        if self._size is None:
            sizes = sorted(c["size"] for c in self.chars if c["text"].strip(SPACES)) or [10.0]
            self._size = sizes[len(sizes) // 2]
        return self._size

    @property
    def text(self) -> str:
        # Worked out once, without functools.cached_property's lock (Python 3.11): a page makes
        # thousands of lines and cells.
        if self._text is None:
            self._text = _text(self.chars)
        return self._text

    def segments(self, gap: float) -> list[Line]:
        """The line cut where the space between two characters is wider than `gap`."""
        out: list[list[Char]] = [[]]
        last: Char | None = None
        for char in self.chars:
            if not char["text"].strip(SPACES):
                continue
            if last is not None and char["x0"] - last["x1"] > gap:
                out.append([])
            out[-1].append(char)
            last = char
        return [Line(chars) for chars in out if chars]


def text_lines(chars: list[Char]) -> list[Line]:
    """Group characters into lines: a character belongs to the line its vertical centre falls in;
    a repeated glyph drawn over itself (fake bold) is dropped."""
    lines: list[list[Char]] = []
    top = bottom = -1.0
    for char in sorted(chars, key=_TOP_X0):
        middle = (char["top"] + char["bottom"]) / 2
        if not lines or not (top <= middle <= bottom):
            lines.append([])
            top, bottom = char["top"], char["bottom"]
        lines[-1].append(char)
    out = []
    for line in lines:
        line.sort(key=_X0)
        out.append(Line(_dedupe(line)))
    return out


def _dedupe(chars: list[Char]) -> list[Char]:
    out: list[Char] = []
    for char in chars:
        if out and char["text"] == out[-1]["text"] and abs(char["x0"] - out[-1]["x0"]) < 0.15 * char["size"]:
            continue
        out.append(char)
    return out


def _text(chars: list[Char]) -> str:
    """The characters as text: a gap wider than a third of the font size, or a space glyph, is a
    space, except between two CJK characters (layout spacing, not a word break)."""
    pieces: list[str] = []
    last: Char | None = None
    for char in chars:
        text = char["text"]
        if not text.strip(SPACES):
            if pieces and pieces[-1] != " ":
                pieces.append(" ")
            continue
        if last is not None and pieces[-1] != " " and char["x0"] - last["x1"] > char["size"] / 3:
            pieces.append(" ")
        pieces.append(text)
        last = char
    return _drop_cjk_spaces("".join(pieces).strip(SPACES))


_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")


def _drop_cjk_spaces(text: str) -> str:
    return _CJK_SPACE.sub("", text)


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def cell_text(chars: list[Char]) -> str:
    """A cell's lines joined: no space where a line break falls between CJK characters."""
    return join_lines([line.text for line in text_lines(chars)])


def join_lines(lines: Sequence[str]) -> str:
    out = ""
    for text in lines:
        if out and text and _latin(out[-1]) and _latin(text[0]):
            out += " "
        out += text
    return out.strip(SPACES)
