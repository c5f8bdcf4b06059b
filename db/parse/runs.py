"""Runs of digits that hold several cells: the ways a run can be split into a row's cells.

Where a text dump lost a table's borders, a row prints as one run ("640020470" for 64 | 0 | 0 |
2 | 0 | 4 | 70). A run of n digits split into k cells has few readings once numbers cannot start
with 0 ("05" is no count): this module lists them, most literal first (spaces are hints: a
reading whose cell boundaries fall on the printed spaces comes first). Which reading is right is
for the table's arithmetic to decide (db/checks/arithmetic.py: `settle`), never for this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.db.parse.numerals import MAX_DIGITS

Number = int | float
_TOKEN = re.compile(r"\d+(?:\.\d+)?")
MAX_READINGS = 5000  # past this a run is not split at all (a row of cells has far fewer readings)


@dataclass(frozen=True)
class Reading:
    """One way to split a run: the values and how far it strays from the printed spaces."""

    values: tuple[Number, ...]
    texts: tuple[str, ...]  # each cell's digits as printed
    spaces_inside: int  # printed spaces that fall inside a cell (fewer is more literal)
    unspaced_breaks: int  # cell boundaries where nothing was printed between the digits


def tokens(run: str) -> list[str]:
    """The space-separated numbers of a run."""
    return _TOKEN.findall(run)


def is_run(text: str) -> bool:
    """Digits, spaces and decimal points only, with at least one digit."""
    return bool(text.strip()) and bool(re.fullmatch(r"[\d.\s\u3000\xa0]+", text))


def readings(run: str, width: int) -> list[Reading] | None:
    """Every split of the run into `width` cells, most literal first; None when there are too
    many to consider (the run is then no row of cells). A number with a decimal point is one cell,
    and so is each cell of a run that kept its table's borders (| between cells)."""
    parts = [p for p in re.split(r"[\s\u3000\xa0|]+", run.strip()) if p]
    if not parts or not all(_TOKEN.fullmatch(p) for p in parts):
        return []
    if "|" in run or any("." in p for p in parts):  # cells of a table: each is one number
        whole = all(len(p.split(".")[0]) <= MAX_DIGITS for p in parts)
        return [_literal(parts)] if len(parts) == width and whole else []
    digits = "".join(parts)
    spaces = set()
    pos = 0
    for p in parts[:-1]:
        pos += len(p)
        spaces.add(pos)
    out: list[Reading] = []
    if not _split(digits, 0, width, [], spaces, out):
        return None
    out.sort(key=lambda r: (r.spaces_inside, r.unspaced_breaks))
    return out


def _literal(parts: list[str]) -> Reading:
    values = tuple(float(p) if "." in p else int(p) for p in parts)
    return Reading(values, tuple(parts), 0, 0)


def _split(digits: str, start: int, left: int, cuts: list[int], spaces: set[int], out: list[Reading]) -> bool:
    """Depth-first: cut digits[start:] into `left` cells. False when the readings exceed the cap."""
    n = len(digits)
    if left == 1:
        cell = digits[start:]
        if not _valid(cell):
            return True
        bounds = [*cuts, start]
        out.append(_reading(digits, bounds, spaces))
        return len(out) <= MAX_READINGS
    # Each remaining cell needs at least one digit.
    for end in range(start + 1, n - left + 2):
        cell = digits[start:end]
        if not _valid(cell):
            break  # a longer cell starting with 0 is no more valid
        if not _split(digits, end, left - 1, [*cuts, start], spaces, out):
            return False
    return True


def _valid(cell: str) -> bool:
    return bool(cell) and len(cell) <= MAX_DIGITS and (cell[0] != "0" or len(cell) == 1)


def _reading(digits: str, starts: list[int], spaces: set[int]) -> Reading:
    ends = [*starts[1:], len(digits)]
    texts = tuple(digits[s:e] for s, e in zip(starts, ends, strict=True))
    breaks = set(starts[1:])
    return Reading(
        tuple(int(t) for t in texts),
        texts,
        len(spaces - breaks),
        len(breaks - spaces) if spaces else 0,
    )
