"""Numbers written in Chinese numerals, as reports write dates and small counts: 十二, 两, 一百零五
(counts), 二〇二五 (a year, digit by digit). Arabic digits pass through."""

from __future__ import annotations

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0, "两": 2}
DIGIT_CHARS = "".join(_DIGITS)  # for regular expressions
# No count in a report comes near 10^15; a longer run of digits is no number (past 18 digits it
# would not fit SQLite's INTEGER, past 4,300 Python's int() refuses it).
MAX_DIGITS = 15


def chinese_number(token: str) -> int | None:
    """A count in digits or Chinese numerals up to 999 (三, 十二, 两, 一百零五); None for anything
    else, such as a year written digit by digit."""
    if token.isdigit():
        return int(token) if len(token) <= MAX_DIGITS else None
    if len(token) == 1 and token in _DIGITS:
        return _DIGITS[token]
    total, current, last_unit = 0, None, 1000
    for char in token:
        if char in _DIGITS:
            if current is not None and current != 0:
                return None  # two digits in a row: 二〇, not a count
            current = _DIGITS[char]
        elif char in "十百":
            unit = 10 if char == "十" else 100
            if unit >= last_unit:
                return None  # 十十, 十百: not a number
            total += (1 if current is None else current) * unit
            current, last_unit = None, unit
        else:
            return None
    return total + (current or 0)


def chinese_year(token: str) -> int | None:
    """A year in digits or written digit by digit (二〇二五)."""
    if token.isdigit():
        return int(token) if len(token) <= MAX_DIGITS else None
    if len(token) == 4 and all(c in _DIGITS for c in token):
        return int("".join(str(_DIGITS[c]) for c in token))
    return None
