"""Reading cell text: is it a label, a number, a not-applicable marker or blank; and which of the
format's labels does a label mean, despite widths, spacing, numbering and typos."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TypeVar

from nianbao.db.format import (
    FORMATS,
    NOT_APPLICABLE,
    SECTIONS,
    TABLE2_COLUMNS_2021,
    TABLE3_GROUP_LABELS,
    TABLE3_SUBTOTAL_COLUMN,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    UNITS,
)
from nianbao.db.parse.numerals import MAX_DIGITS, NUMERAL_CHARS, cell_numeral

T = TypeVar("T")

_DROP = re.compile(r"[\s\"'“”‘’「」『』*#]+")
_NUMBERING = re.compile(
    r"^(?:\(?[一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}[、.]|\(\d{1,2}\)|\d{1,2}[、.)])"
)
# At most MAX_DIGITS before the point: a longer run (a damaged cell, an ID number) is no count; it
# stays text where a number belongs, which the checks report.
_NUMBER = re.compile(rf"^[+-]?(?:\d{{1,3}}(?:,\d{{3}}){{1,4}}|\d{{1,{MAX_DIGITS}}})(?:\.\d+)?$")
_UNIT = re.compile(rf"^(.*?\d)\s*({'|'.join(UNITS)})$")
_NOT_APPLICABLE = {unicodedata.normalize("NFKC", m) for m in NOT_APPLICABLE}


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Compare-ready form of a label: NFKC (full-width digits and brackets to half-width), no
    spaces, no quotes, no leading numbering such as 一、 （三） 1."""
    text = _DROP.sub("", unicodedata.normalize("NFKC", text))
    while True:
        stripped = _NUMBERING.sub("", text)
        if stripped == text or not stripped:
            return text
        text = stripped


def is_numbering(text: str) -> bool:
    """A cell that holds nothing but a label's numbering (（一）, 1., 三、): the head of a label
    broken right after it."""
    text = _DROP.sub("", unicodedata.normalize("NFKC", text))
    return bool(text) and not _NUMBERING.sub("", text)


# The full-width forms Chinese text prints (，：（１２） and the ideographic space), each as NFKC
# gives it: a compatibility decomposition to one ASCII character, so mapping them first leaves
# NFKC's result the same.
_FULL_WIDTH = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}
_FULL_WIDTH_FORM = re.compile("[\uff01-\uff5e\u3000]")


def map_full_width(text: str) -> str:
    """The full-width forms of `text` as NFKC maps them, one character for one (a pattern and a
    dict: `str.translate` looks up every character, five times slower on Chinese text)."""
    return _FULL_WIDTH_FORM.sub(lambda m: _FULL_WIDTH[m.group()], text)


def nfkc(text: str) -> str:
    """NFKC. Most text is normalized once its full-width forms are mapped (a narrative's
    punctuation): checked, which is quicker than normalizing it again."""
    if text.isascii():
        return text
    mapped = map_full_width(text)
    return mapped if unicodedata.is_normalized("NFKC", mapped) else unicodedata.normalize("NFKC", mapped)


@dataclass(frozen=True)
class CellReading:
    """What a cell's text is: kind is 'blank', 'number', 'marker', 'label' or 'text' (no label and
    no number: something printed where a value belongs, 1.1e1, 11%, 约11, kept as printed).
    `numeral`: a number read from Chinese numerals (十一), which the parser notes."""

    kind: str
    value: int | float | str | None = None
    unit: str | None = None
    numeral: bool = False


BLANK_READING = CellReading("blank")


@lru_cache(maxsize=8192)
def read_cell(text: str) -> CellReading:
    if any(c.isdigit() and not c.isdecimal() for c in text):
        return CellReading("text", text.strip())  # 11¹, ①: a footnote mark is no digit of the count
    plain = nfkc(text).strip().replace(" ", "").replace("\u2212", "-")  # U+2212, the minus sign
    if not plain:
        return BLANK_READING
    if plain in _NOT_APPLICABLE:
        return CellReading("marker", text.strip())
    unit = None
    stuck = _UNIT.match(plain)
    if stuck:
        plain, unit = stuck.group(1), stuck.group(2)
    if _NUMBER.match(plain):
        digits = plain.replace(",", "")
        number: int | float = float(digits) if "." in digits else int(digits)
        return CellReading("number", number, unit)
    numeral = cell_numeral(plain)
    if numeral is not None:
        return CellReading("number", numeral, numeral=True)
    if not stuck and _is_value_text(plain):
        return CellReading("text", text.strip())
    return CellReading("label")


_NOT_FINITE = {"nan", "inf", "infinity", "+inf", "-inf", "+infinity", "-infinity"}
_IDEOGRAPH = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _is_value_text(plain: str) -> bool:
    """Text that is no label: digits with at most one character of words (约11, 11(注), 10~12,
    1.1e1, 11%, a zero-width space inside), numerals with none (一一, E一), or NaN/Infinity. A label's numbering with its
    head (2.重, (一)予) is a label broken over lines, not a value."""
    if plain.lower() in _NOT_FINITE:
        return True
    words = [c for c in plain if _IDEOGRAPH.match(c) and c not in NUMERAL_CHARS]
    digits = any(c.isdecimal() for c in plain)
    if len(words) > (1 if digits else 0) or not (digits or any(c in NUMERAL_CHARS for c in plain)):
        return False  # 第一, 其一 and any two characters of words are a label's
    head = _NUMBERING.match(plain)
    return not (head and (is_numbering(plain) or any(c in words for c in plain[head.end() :])))


@lru_cache(maxsize=65536)
def score(token: str, label: str) -> float:
    """Similarity of two normalized labels in [0, 1]. A token that is the start of a label
    (the rest of the label wrapped onto the next line or page) counts as a strong match.
    Cached: the same labels recur in every report."""
    if token == label:
        return 1.0
    if not token or not label:
        return 0.0
    if len(token) >= 4 and label.startswith(token):
        return max(0.85, 2 * len(token) / (len(token) + len(label)))
    matcher = SequenceMatcher(None, token, label, autojunk=False)
    if matcher.real_quick_ratio() < 0.5:
        return 0.0
    return matcher.ratio()


@lru_cache(maxsize=4096)
def _normalized(labels: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalize(label) for label in labels)


def normalized_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """A candidate's labels, normalized once (cached: the same few tuples come back for every row)."""
    return _normalized(tuple(labels))


def best_match(token: str, candidates: Iterable[tuple[T, Iterable[str]]]) -> tuple[T | None, float]:
    """The candidate whose labels best match `token` (already normalized), and the score."""
    return best_normalized(token, [(item, normalized_labels(labels)) for item, labels in candidates])


def best_normalized(token: str, candidates: Sequence[tuple[T, tuple[str, ...]]]) -> tuple[T | None, float]:
    """`best_match` for candidates whose labels are normalized already: for a caller that
    matches many tokens against the same candidates."""
    for item, labels in candidates:  # the common case: a label printed as the format has it
        if token in labels:
            return item, 1.0
    best, best_score = None, 0.0
    for item, labels in candidates:
        for label in labels:
            s = score(token, label)
            if s > best_score:
                best, best_score = item, s
    return best, best_score


MATCH = 0.72  # a text at least this similar to a label of the format is that label (a misprint)


@lru_cache(maxsize=1)
def _format_labels() -> tuple[str, ...]:
    """Every label the format prints inside tables 二/三/四 (rows with their variants, items,
    group headings, column headers) and the sections' titles, normalized."""
    texts: set[str] = {*TABLE3_GROUP_LABELS, *TABLE3_SUBTOTAL_COLUMN.labels}
    for spec in FORMATS.values():
        for row2 in spec.table2:
            texts.update((*row2.labels, row2.item, *(f.column for f in row2.fields)))
        texts.update(label for row3 in spec.table3_rows for label in (*row3.labels, row3.group or ""))
        texts.update(label for column in spec.table3_columns for label in column.labels)
    texts.update(label for column in (*TABLE2_COLUMNS_2021, *TABLE4_GROUPS, *TABLE4_RESULTS) for label in column.labels)
    texts.update(label for section in SECTIONS for label in section.labels)
    return tuple(sorted({normalize(t) for t in texts} - {""}))


@lru_cache(maxsize=1)
def label_heads() -> frozenset[str]:
    """The first two characters of every label of the format (normalized): where, in running text,
    the next label or heading may start (第二十条…, 行政处罚…, 本年…)."""
    return frozenset(label[:2] for label in _format_labels() if len(label) >= 2)


@lru_cache(maxsize=4096)
def is_known_label(text: str) -> bool:
    """Whether `text` is a label of the format or a piece of one (a label wrapped over lines or
    cells, its numbering alone, a misprint of it). What is not (不详, 见附注, 约十一) is no row's
    label: printed in a value's place, it is that value."""
    token = normalize(text)
    if not token:
        return True
    labels = _format_labels()
    if any(token in label for label in labels):
        return True
    return max((score(token, label) for label in labels), default=0.0) >= MATCH
