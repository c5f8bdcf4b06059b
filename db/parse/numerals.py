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


# The financial forms (大写) accounts and some tables print: 壹拾壹 is 一十一.
_FINANCIAL = str.maketrans("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟", "一二二三三四五六六七八九十百千")
NUMERAL_CHARS = DIGIT_CHARS + "十百千" + "壹贰貳叁參肆伍陆陸柒捌玖拾佰仟"


def cell_numeral(token: str) -> int | None:
    """A table cell's count written in Chinese numerals, when it can mean one number only: 十一,
    一十一, 壹拾壹, 三百零五, 一千二百, 零. None for a bare digit (一 may number an item), for digits
    without units (一一, 二〇二五: a year, or digits spelled out) and for the spoken short forms
    (三百五 is 350 to a speaker, 305 to a parser; 一千二 likewise)."""
    plain = token.translate(_FINANCIAL)
    if plain == "零":
        return 0
    if not any(c in "十百千" for c in plain):
        return None
    head, sep, tail = plain.partition("千")
    if not sep:
        return _below_thousand(plain)
    thousands = _DIGITS.get(head)
    if not thousands:
        return None
    if not tail:
        return thousands * 1000
    zero = tail[0] in "零〇"
    below = _below_thousand(tail[1:] if zero else tail)
    if below is None or (below >= 100) == zero:
        return None  # 一千零二十 and 一千二百, not 一千二十 or 一千零二百
    return thousands * 1000 + below


def _below_thousand(token: str) -> int | None:
    """A count under 1000 in its written form: 零 only between 百 and a digit (三百零五)."""
    if not token or "千" in token:
        return None
    hundreds, sep, rest = token.partition("百")
    if sep and not hundreds:
        return None  # 百 alone
    zero_digit = sep and len(rest) == 2 and rest[0] in "零〇" and rest[1] in DIGIT_CHARS and rest[1] not in "零〇○"
    if sep and rest and "十" not in rest and not zero_digit:
        return None  # 三百五 (spoken 350), 三百零
    if any(c in "零〇○" for c in (hundreds + rest[1:] if zero_digit else token)):
        return None  # 二十零, 零十, 一百零十
    return chinese_number(token)
