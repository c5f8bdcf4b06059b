"""Tables read from running text: a report whose table borders were lost (a portal page saved as
text, Markdown from a converter), so a row is its label followed by a run of digits.

A table is found by its content: its row labels in order, each followed by numbers, wherever that
is in the text. What lies between one row's label and the next row's is the row's run (a trailing
item number such as the "2." of "…00000002.其他法律…" belongs to the next label). A run is split
into the row's cells by the table's arithmetic (`settle`); a row printed without digits is blank.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, partial

from nianbao.db.checks.arithmetic import (
    AMBIGUOUS,
    FORCED,
    SETTLED,
    UNCONFIRMED,
    RowReadings,
    Settled,
    equations,
    settle,
)
from nianbao.db.document import Block, Cell, Paragraph, Source, Table
from nianbao.db.format import (
    FORMAT_2019,
    FORMAT_2019_MARKERS,
    FORMAT_2021,
    ROW_WILDCARD,
    ReportFormat,
    cell_path,
    parse_cell_path,
)
from nianbao.db.model import BLANK, Note, Report, Value
from nianbao.db.parse.labels import is_known_label, label_heads, map_full_width, nfkc, normalize, read_cell
from nianbao.db.parse.numerals import NUMERAL_CHARS
from nianbao.db.parse.runs import Reading, readings, tokens
from nianbao.db.parse.tables import TableResult, row_missing, to_value, unit_notes

ROW_GAP = 400  # characters a row's label may sit after the previous row's (group headings between)
_GAP = r"[\s\"'“”‘’|]*"  # what may fall between the characters of a label: spaces, quotes, pipes
_RUN = re.compile(r"[\d\s.|]*")  # a run of cells: digits, spaces (hints), decimal points, pipes
_QUOTES = re.compile(r"[\"'“”‘’]*")
_YEAR_AFTER = re.compile(r"((?:19|20)\d{2})$")
_CN = "〇一二三四五六七八九"
_OTHER_HEADING = "其他处理"


@dataclass(frozen=True)
class Label:
    """A row label as the format prints it, cut into its item number and its words."""

    key: str
    numbering: str  # "2." / "(三)" / "一、" or ""
    words: str  # normalized, no numbering


@dataclass
class Found:
    key: str
    start: int  # the label's first character (its item number included)
    end: int  # just after the label: the row's run starts here


class RunningText:
    """The text of a document as one string, with the way back to each piece's source."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        pieces: list[tuple[str, Source]] = []
        for block in blocks:
            if isinstance(block, Paragraph):
                pieces.append((block.text, block.source))
            elif isinstance(block, Table):
                for row in block.rows:
                    if row:
                        pieces.append((" | ".join(c.text for c in row), row[0].source))  # a cell is a cell
        self.offsets: list[int] = []
        self.sources: list[Source] = [source for _, source in pieces]
        whole = "\n".join(text for text, _ in pieces)
        mapped = _mapped_whole(whole)
        if mapped is not None:  # each piece is its own text mapped: the same length
            pos = 0
            for text, _ in pieces:
                self.offsets.append(pos)
                pos += len(text) + 1
            self.text = mapped
            return
        parts, pos = [], 0
        for text, _ in pieces:
            clean = _comparable(text)
            self.offsets.append(pos)
            parts.append(clean)
            pos += len(clean) + 1
        self.text = "\n".join(parts)

    def column(self, pos: int) -> int:
        """The 1-based character of `pos` in its piece of text (its line, for a paragraph)."""
        i = bisect_right(self.offsets, pos) - 1
        return pos - self.offsets[max(i, 0)] + 1 if self.offsets else 0

    def source(self, pos: int) -> Source:
        i = bisect_right(self.offsets, pos) - 1
        return self.sources[max(i, 0)] if self.sources else Source()


# --- Finding labels -----------------------------------------------------------------------------


# ASCII and the CJK ideographs hold no digit that is not a decimal digit: only what else a text
# holds (most often nothing) is looked at character by character for a footnote mark.
_NO_MARKS = re.compile(r"[\x00-\x7f\u4e00-\u9fff]+")


def _mapped_whole(text: str) -> str | None:
    """`_comparable` of every line of `text` at once, when that is its full-width forms mapped
    (`labels.map_full_width`), and None when it may be more (a footnote mark, a character NFKC changes
    otherwise). A line break is a boundary of NFKC (nothing composes or reorders across it, and
    nothing normalizes to it): the whole normalized means each line is, so each line's
    `_comparable` is its mapped text, of the same length."""
    if _has_marks(text):
        return None
    mapped = map_full_width(text)
    return mapped if unicodedata.is_normalized("NFKC", mapped) else None


def _has_marks(text: str) -> bool:
    return any(c.isdigit() and not c.isdecimal() for c in _NO_MARKS.sub("", text))


def _comparable(text: str) -> str:
    """NFKC (full-width digits and brackets to half-width), but a footnote mark (¹, ①) stays a mark:
    NFKC would make 11¹ the digits 111."""
    if not _has_marks(text):
        return nfkc(text)
    return "".join(c if c.isdigit() and not c.isdecimal() else nfkc(c) for c in text)


@lru_cache(maxsize=1024)
def label_of(key: str, label: str) -> Label:
    text = nfkc(label).replace(" ", "")
    m = re.match(r"^(\d{1,2}[.、]|\([一二三四五六七八九十]\)|[一二三四五六七八九十]、)", text)
    numbering = m.group(1) if m else ""
    return Label(key, numbering, normalize(text))


def _numbering_pattern(numbering: str) -> str:
    if not numbering:
        return ""
    if numbering[0].isdigit():
        return rf"{numbering[:-1]}\s*[.、]\s*"
    if numbering.startswith("("):
        return rf"[(]\s*{numbering[1]}\s*[)]\s*"
    return rf"(?:{numbering[0]}\s*)+[、.]\s*"  # "三三、" (a numbering printed twice) is still 三、


def _words_pattern(words: str) -> str:
    return _GAP.join(re.escape(c) for c in words if c not in "\"'“”‘’")


@dataclass(frozen=True)
class _Patterns:
    full: re.Pattern[str]
    halves: tuple[re.Pattern[str], re.Pattern[str]]  # the words' first and second half, for typos


@lru_cache(maxsize=256)
def _patterns(labels: tuple[Label, ...]) -> _Patterns:
    numbering = _numbering_pattern(labels[0].numbering)
    words = sorted({lab.words for lab in labels}, key=len, reverse=True)
    alternatives = "|".join(_words_pattern(w) for w in words)
    # A short label (其他) is only itself with its item number; a long one may have lost it.
    optional = "" if len(words[-1]) <= 3 else "?"
    full = re.compile(rf"(?:{numbering}){optional}(?:{alternatives})" if numbering else f"(?:{alternatives})")
    longest = words[0]
    half = max(3, (len(longest) + 1) // 2)
    head, tail = _words_pattern(longest[:half]), _words_pattern(longest[-half:])
    return _Patterns(full, (re.compile(head), re.compile(tail)))


_WORD = re.compile(r"\S{1,40}")
_MARKUP = "#*>"
_RUN_TAIL = re.compile(r"[\d.]+$")  # the digits a run ends in, when nothing parts them from what follows
_IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")
_NEXT_LABEL = re.compile(rf"[{NUMERAL_CHARS}]+、|[(（][{NUMERAL_CHARS}]+[)）]")


def no_number_at(text: str, at: int, stop: int | None = None) -> str | None:
    """The text where a row's run stops, when it is something printed in a cell's place rather
    than the next label or heading (十一, 1.1e1, 约11, 11%, −11): the run cannot be the row's cells.
    The token is read with the digits it is stuck to (11% is one cell), up to where words or a
    numbered label begin (十一0000011二、上年结转… is the token 十一0000011)."""
    stop = len(text) if stop is None else stop
    run = _run_at(text, at, stop)
    word = _WORD.match(text, at + len(run), stop)
    if word is None or word.group(0)[0] in _MARKUP:
        return None  # nothing, or a Markdown heading, list or quote: no cell
    tail = _RUN_TAIL.search(run)
    glued = tail.group(0) if tail else ""
    token = _before_words(glued + word.group(0))
    if len(token) <= len(glued):
        return None  # the run's own digits, then words: the run is the row's
    reading = read_cell(token)
    if not (reading.kind == "text" or reading.numeral or _negative(reading.value)):
        return None
    return token


def _negative(value: object) -> bool:
    return isinstance(value, int | float) and value < 0


def _before_words(word: str) -> str:
    """`word` up to a label's numbering (二、, (三)) or up to words (two characters of words in a
    row), when what comes before is no part of the words: numerals just before words are their
    own (0第二十条 …, 0二十条 …), and a token with words of its own is words."""
    for i in range(1, len(word)):
        if _NEXT_LABEL.match(word, i):
            return word[:i]
        if _is_word(word[i - 1]) and _is_word(word[i]):
            head = word[: i - 1].rstrip(NUMERAL_CHARS)
            return word if any(_is_word(c) for c in head) else head
    return word


def _is_word(char: str) -> bool:
    return bool(_IDEOGRAPH.match(char)) and char not in NUMERAL_CHARS


_SENTENCE = re.compile(r"[，。；！？,;!?]")  # a cell's text is no sentence
_STRAY = re.compile(r"[^\d\s|]{1,40}")  # what is printed between digits: no digit, no space, no border


def stray_words(text: str, at: int, stop: int | None = None) -> str | None:
    """Words at `at` that are no label of the format (不详, 见附注, 无此项), up to a digit, a space
    or the next label's numbering: text printed in a row's cells, not the next row or heading."""
    m = _STRAY.match(text, at, len(text) if stop is None else stop)
    if m is None or m.group(0)[0] in _MARKUP:
        return None
    words = _before_label(m.group(0))
    if not words or _is_sentence(m.group(0)) or is_known_label(words) or not _IDEOGRAPH.search(words):
        return None  # the next label, a sentence (the narrative after the table), or no words
    return words


def _is_sentence(chunk: str) -> bool:
    """Whether text printed without a space holds a sentence's punctuation before the next label's
    numbering: the narrative (我局严格规范…，), not a cell (件(含转办)第二十条…)."""
    cut = next((i for i in range(len(chunk)) if _NEXT_LABEL.match(chunk, i)), len(chunk))
    return bool(_SENTENCE.search(chunk, 0, cut))


def _before_label(chunk: str) -> str:
    """`chunk` up to where the next label or heading starts: its numbering (二、, (三)) or the
    first two characters of a label of the format (件(含转办)第二十条… is 件(含转办))."""
    heads = label_heads()
    return next(
        (chunk[:i] for i in range(len(chunk)) if _NEXT_LABEL.match(chunk, i) or chunk[i : i + 2] in heads), chunk
    )


def words_in_row(text: str, at: int, stop: int | None = None, last: bool = True) -> str | None:
    """Stray words in a row's place (see stray_words): right after its label, between its digits,
    or, in a row the table's next row follows (not `last`), after them: whatever lies between
    two rows' labels is theirs. After a table's last row, words are the text that follows it."""
    run = _run_at(text, at, stop)
    words = stray_words(text, at + len(run), stop)
    if words is None:
        return None
    after = at + len(run) + len(words)
    if last and run.strip() and not _run_at(text, after, stop).strip():
        return words if _then_next(text, after, stop) else None
    return words


def _then_next(text: str, at: int, stop: int | None) -> bool:
    """Whether the next label or heading (or the end) follows `at`, spaces apart: words between a
    table's last row and it are the row's, not the narrative's."""
    at += len(_run_at(text, at, stop))
    end = len(text) if stop is None else stop
    return at >= end or bool(_NEXT_LABEL.match(text, at)) or text[at : at + 2] in label_heads()


def one_cell(text: str, at: int, stop: int) -> str:
    """A one-cell row's cell as printed (table 二's 行政许可…): its digits with what is stuck to
    them (11 件(含转办), 11%, 十一), up to the next label or heading, a sentence or markup."""
    pos = at
    while pos < stop:
        pos += len(_run_at(text, pos, stop))
        m = _STRAY.match(text, pos, stop)
        if m is None or m.group(0)[0] in _MARKUP:
            break
        words = _before_label(m.group(0))
        if not words or _is_sentence(m.group(0)):
            break
        pos += len(words)
    return " ".join(text[at:pos].split()).strip(" |")


def _row_follows(text: str, end: int) -> bool:
    """Whether a label is followed by its row: digits, or a non-number printed in their place, or
    stray words that the row's digits (or the next row's numbered label) follow. Words then a
    number then more words (为11件，…) are a sentence, not a row."""
    if _run_at(text, end).strip() or no_number_at(text, end) is not None:
        return True
    spaces = len(_run_at(text, end))
    words = stray_words(text, end + spaces)
    if words is None:
        return False
    after = end + spaces + len(words)
    after += len(_run_at(text, after))
    return after >= len(text) or _NEXT_LABEL.match(text, after) is not None


def _run_at(text: str, at: int, stop: int | None = None) -> str:
    """The run of digits, spaces and pipes at `at` (empty when there is none)."""
    return _leading(_RUN, text, at, stop)


def find_label(text: str, labels: Sequence[Label], start: int, stop: int, halves: bool = True) -> Found | None:
    """The first place in text[start:stop] where one of a row's labels is printed: exactly, else
    (a typo: 行政止公开, 行政法复议; unless `halves` is False) by the first or the last half of its
    words. A remark in brackets after the label ((区分处理的，只计这一情形…)) is part of it."""
    p = _patterns(tuple(labels))
    m = p.full.search(text, start, stop)
    if m:
        return Found(labels[0].key, m.start(), _after_remark(text, m.end()))
    if not halves:
        return None
    longest = max(labels, key=lambda lab: len(lab.words)).words
    head = p.halves[0].search(text, start, stop)
    tail = p.halves[1].search(text, start, stop)
    if tail and (head is None or 0 <= tail.start() - head.start() <= len(longest) + 4):
        begin = head.start() if head else max(start, tail.end() - len(longest))
        return Found(labels[0].key, _with_numbering(text, begin, labels[0]), _after_remark(text, tail.end()))
    if head:
        digit = _DIGIT.search(text, head.end(), min(stop, head.end() + len(longest)))
        end = digit.start() if digit else head.start() + len(longest)
        return Found(labels[0].key, _with_numbering(text, head.start(), labels[0]), end)
    return None


def _leading(pattern: re.Pattern[str], text: str, pos: int, stop: int | None = None) -> str:
    """What `pattern` matches at `pos` (before `stop`); empty when nothing of it is there."""
    m = pattern.match(text, pos, len(text) if stop is None else stop)
    assert m is not None  # only patterns that match the empty string (_RUN, _QUOTES): they match anywhere
    return m.group(0)


def _with_numbering(text: str, begin: int, label: Label) -> int:
    if not label.numbering:
        return begin
    m = re.search(rf"{_numbering_pattern(label.numbering)}$", text[max(0, begin - 8) : begin])
    return begin - len(m.group(0)) if m else begin


_DIGIT = re.compile(r"\d")
_REMARK = re.compile(r"\s*\([^()\d]{4,40}\)")


def _after_remark(text: str, end: int) -> int:
    end += len(_leading(_QUOTES, text, end))
    m = _REMARK.match(text, end)  # (七) is the next row's number
    return m.end() if m else end


def find_rows(text: str, rows: Sequence[tuple[str, Sequence[str]]], start: int, first_gap: int | None) -> list[Found]:
    """The rows' labels in order from `start`: each within ROW_GAP of the previous one found
    (the first within `first_gap`, or anywhere if None). A row not found is left out."""
    out: list[Found] = []
    cursor = start
    row_labels = [[label_of(key, v) for v in variants] for key, variants in rows]
    wholes = [_patterns(tuple(labels)).full for labels in row_labels]
    for i, labels in enumerate(row_labels):
        others = wholes[:i] + wholes[i + 1 :]
        gap = first_gap if not out else ROW_GAP
        stop = len(text) if gap is None else min(len(text), cursor + gap)
        found = _find_own(text, labels, cursor, stop, others)
        if found is None:
            continue
        if not out and i == 0 and not _row_follows(text, found.end):
            # The first row must be followed by numbers: its words in a sentence are no table.
            whole = _printed_whole(text, labels, found)
            printed = found
            found = _first_with_run(text, labels, found.end, stop, others, not whole)
            if found is None and whole and _next_row_follows(text, rows, printed.end):
                found = printed  # the table's first row, with no number printed: named, not skipped
            if found is None and not whole:
                continue  # seen only in part, never with its row: not found (named), the rows after read
            if found is None:
                return []
        out.append(found)
        cursor = found.end
    return out


def _next_row_follows(text: str, rows: Sequence[tuple[str, Sequence[str]]], end: int) -> bool:
    """Whether the second row's label is printed whole right after the first row (within ROW_GAP)."""
    if len(rows) < 2:
        return False
    key, variants = rows[1]
    return find_label(text, [label_of(key, v) for v in variants], end, min(len(text), end + ROW_GAP), False) is not None


def _first_with_run(
    text: str,
    labels: Sequence[Label],
    start: int,
    stop: int,
    others: Sequence[re.Pattern[str]] = (),
    halves: bool = True,
) -> Found | None:
    """The first place the label is printed with its row after it. Once the label is seen printed
    whole, it is not looked for by halves: half of it may be in another row's label (信息公开申请数量
    ends both 本年新收… and 上年结转…)."""
    while True:
        found = _find_own(text, labels, start, stop, others, halves)
        if found is None or _row_follows(text, found.end):
            return found
        halves = halves and not _printed_whole(text, labels, found)
        start = found.end


def _find_own(
    text: str, labels: Sequence[Label], start: int, stop: int, others: Sequence[re.Pattern[str]], halves: bool = True
) -> Found | None:
    """`find_label`, never taking half of the label where it is part of another row's label printed
    whole: 本年新收政府3030006信息公开申请数量二、上年结转政府信息公开申请数量0000000 is no 本年新收 row
    at 上年结转's 信息公开申请数量, whose digits would then be read into the wrong row."""
    while True:
        found = find_label(text, labels, start, stop, halves)
        if found is None or _printed_whole(text, labels, found):
            return found
        if not any(_overlaps(pattern, text, found) for pattern in others):
            return found
        start = found.end


def _printed_whole(text: str, labels: Sequence[Label], found: Found) -> bool:
    """Whether the label `found` is one of `labels` printed whole, not found by half its words."""
    return _patterns(tuple(labels)).full.match(text, found.start) is not None


def _overlaps(pattern: re.Pattern[str], text: str, found: Found) -> bool:
    """Whether a label `pattern` matches is printed across any of text[found.start:found.end]."""
    for m in pattern.finditer(text, max(0, found.start - 80), min(len(text), found.end + 80)):
        if m.start() < found.end and found.start < m.end():
            return True
    return False


def run_between(text: str, found: Found, following: Found | None) -> str:
    """The digits of a row: from its label to the next row's label, as far as they are digits
    and spaces. A year that starts the next sentence (…0 2025年…) is not the row's."""
    stop = max(following.start if following else len(text), found.end)
    run = _run_at(text, found.end, stop)
    rest = text[found.end + len(run) : found.end + len(run) + 2]
    if rest[:1] == "\ufffd":
        return run + rest[:1]  # a cell with a byte that could not be decoded is no number
    if rest[:1] == "年" and (m := _YEAR_AFTER.search(run.rstrip())) and len(run.strip()) > 4:
        run = run.rstrip()[: m.start()]
    elif following is None and re.match(r"[、.][^\d]", rest) and run == run.rstrip():
        run = _without_numbering(run)  # "… 0 0 5、存在的主要问题": 5、 numbers the next heading
    return run.strip(" \t\n\u3000\xa0|")


def _without_numbering(run: str) -> str:
    """A run less the item number that ends it: its last token if spaced off, else its last digit."""
    head, space, last = run.rstrip().rpartition(" ")
    if space and len(last) <= 2:
        return head
    return run.rstrip()[:-1]


# --- Reading the tables ---------------------------------------------------------------------------


@dataclass
class RowRun:
    """A row found in the text: its run and its readings (None: blank; [] unreadable)."""

    key: str
    label: str
    run: str
    source: Source
    readings: list[Reading] | None
    at: int = 0  # the label's character in its line (1-based): a one-line report needs more than a line
    no_number: str | None = None  # a non-number printed among the row's cells (十一, 1.1e1): see no_number_at
    cell: str | None = None  # a one-cell row's cell as printed, when it holds more than digits: see one_cell

    @property
    def where(self) -> str:
        return f"{self.source.describe()}第{self.at}个字符" if self.at else self.source.describe()


def _row_runs(
    doc: RunningText, found: list[Found], widths: dict[str, int], labels: dict[str, str], stop: int | None = None
) -> list[RowRun]:
    out = []
    for i, f in enumerate(found):
        following = found[i + 1] if i + 1 < len(found) else (Found("", stop, stop) if stop is not None else None)
        run = run_between(doc.text, f, following)
        end = max(f.end, following.start if following is not None and following.start is not None else len(doc.text))
        last = following is None or not following.key
        stuck = no_number_at(doc.text, f.end, end) or words_in_row(doc.text, f.end, end, last)
        cell = one_cell(doc.text, f.end, end) if stuck and widths[f.key] == 1 else None
        if stuck is not None and cell is None:  # the row as printed, up to the next row's label, for the note
            run = " ".join(doc.text[f.end : end].split())[:80]
        out.append(
            RowRun(
                f.key,
                labels[f.key],
                cell or run,
                doc.source(f.start),
                [] if stuck else readings(run, widths[f.key]) if run else None,
                doc.column(f.start),
                stuck,
                cell,
            )
        )
    return out


def _settle_rows(
    version: str,
    runs: list[RowRun],
    paths: Callable[[str], tuple[str, ...]],
    plausible: Callable[[Reading], tuple],
) -> tuple[dict[str, list[Value]], list[Note]]:
    """Readings of each row, settled jointly by the table's equations, as values and notes."""
    values: dict[str, list[Value]] = {}
    notes: list[Note] = []
    options: dict[str, list[Reading]] = {}
    rows = []
    for r in runs:
        cells = paths(r.key)
        if r.readings is None:
            values[r.key] = [Value(None, "", r.source)] * len(cells)
            notes.append(Note("row-incomplete", _whole(cells), f"“{r.label}”一行没有数值", r.source))
            continue
        if r.cell is not None:  # one cell, read as the table forms read a cell (十一 → 11, noted)
            values[r.key] = [to_value(Cell(r.cell, r.source))]
            notes.extend(unit_notes(values[r.key], partial(_same, cells[0])))
            continue
        if not r.readings:
            values[r.key] = [Value(None, "", r.source)] * len(cells)
            notes.append(Note("row-incomplete", _whole(cells), _unreadable(r, len(cells)), r.source, (r.run,)))
            continue
        ordered = sorted(r.readings, key=plausible)
        options[r.key] = ordered
        literal = ordered[0].spaces_inside == 0 and len(ordered[0].texts) == len(tokens(r.run))
        rows.append(RowReadings(r.key, cells, tuple(o.values for o in ordered), literal))
    settled = settle(version, rows, {})
    for r in runs:
        if r.key not in settled:
            continue
        s = settled[r.key]
        reading = next(o for o in options[r.key] if o.values == s.values)
        values[r.key] = [Value(v, t, r.source) for v, t in zip(reading.values, reading.texts, strict=True)]
        if s.how == FORCED and not checked(paths(r.key)):
            if reading.unspaced_breaks:
                s = Settled(s.values, UNSPACED)
            elif reading.spaces_inside:
                s = Settled(s.values, SPACED)
        notes.extend(_split_notes(r, s, paths(r.key)))
    return values, notes


def _same(path: str, _index: int) -> str:
    return path


def _unreadable(r: RowRun, width: int) -> str:
    """Why a row's run gives no values, in Chinese: words with no number, or a non-number among
    digits whose cell cannot be told without the table's borders."""
    if r.no_number and not re.search(r"\d", r.run.replace(r.no_number, "", 1)):
        return f"“{r.label}”一行只印有“{r.no_number}”，不是数字：各格空缺"
    message = f"“{r.label}”一行“{r.run}”不能读成{width}个值"
    if r.no_number:
        message += f"（“{r.no_number}”不是数字；表格边框已失，分不清它在哪一格）"
    return message


READ_AS = "读作"  # how a note says what a run was read as (SPLIT-AMBIGUOUS quotes the reading after it)
UNSPACED = "unspaced"  # one split only, but the printed spaces suggest fewer cells and no sum checks it
# One split only, but the printed spaces suggest more cells than the row has, and no sum checks it: a
# number printed after the row (an item heading's, the narrative's) may have run into it (行政许可 11 20条).
SPACED = "spaced"


def checked(cells: tuple[str, ...]) -> bool:
    """Whether any equation of the format involves these cells (table 二 has none)."""
    return not _equation_cells(FORMAT_2021.version).isdisjoint(cells)


@cache
def _equation_cells(version: str) -> frozenset[str]:
    return frozenset(c for eq in equations(version) for c in eq.cells)


def _whole(cells: tuple[str, ...]) -> tuple[str, ...]:
    first = parse_cell_path(cells[0]) if cells else None
    if first is not None and first.table == "table3":
        return (cell_path("table3", first.key, ROW_WILDCARD),)
    return cells


def _bar(values: Iterable[object]) -> str:
    return "|".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def _split_notes(r: RowRun, s: Settled, cells: tuple[str, ...]) -> list[Note]:
    """Provenance of a split (the run it came from and how it was settled), and a note the
    SPLIT-AMBIGUOUS rule turns into a finding when the sums did not settle it."""
    if s.how == FORCED and len(r.run.split()) == len(cells):
        return []  # printed cell by cell: nothing was split
    taken = _bar(s.values)
    why = {
        FORCED: "唯一可能的拆分",
        SETTLED: "表内合计只容许这一种拆分",
        AMBIGUOUS: "多种拆分都满足各项合计，取最贴近原文的一种",
        UNCONFIRMED: "表格按原样不平衡，合计无法印证拆分",
        UNSPACED: "唯一的拆分，但印出的空格显示单元格更少（或有一格空白），且无合计可核对",
        SPACED: "唯一的拆分，但印出的空格显示单元格比本行多（其后的内容或已混入），且无合计可核对",
    }[s.how]
    note = Note(
        "split-read", cells, f"“{r.label}”一行（{r.where}）：“{r.run}”{READ_AS}{taken}（{why}）", r.source, (r.run,)
    )
    if s.how in (FORCED, SETTLED):
        return [note]
    differing = tuple(c for i, c in enumerate(cells) if any(alt[i] != s.values[i] for alt in s.alternatives)) or cells
    message = f"“{r.label}”一行（{r.where}）：连写数字“{r.run}”{READ_AS}{taken}（{why}）"
    ambiguous = Note("split-ambiguous", differing, message, r.source, (r.run, *(_bar(a) for a in s.alternatives)))
    return [note, ambiguous]


def _table3_plausible(reading: Reading) -> tuple:
    """Most literal first; then the reading with applicants in fewest columns (most are 自然人)."""
    return (reading.spaces_inside, reading.unspaced_breaks, sum(1 for v in reading.values[:-1] if v))


def _table2_plausible(reading: Reading) -> tuple:
    """Most literal first; then, for made | repealed | in force, a stock no smaller than what was
    made or repealed this year, and the stock holding the most digits."""
    v = reading.values
    shape = (v[-1] < max(v[0], v[1]), len(reading.texts[-1]) * -1) if len(v) == 3 else ()
    return (reading.spaces_inside, reading.unspaced_breaks, *shape)


@dataclass
class RunningTables:
    format: ReportFormat
    table2: TableResult
    table3: TableResult
    table4: TableResult


def read_running(blocks: Sequence[Block]) -> RunningTables | None:
    """Tables 二, 三 and 四 read from the running text of the blocks; None when no table 三 is
    found (no row label of it followed by numbers) or the text ends before its total or table 四."""
    found = find_running(blocks)
    return found.settle() if found is not None else None


def find_running(blocks: Sequence[Block]) -> RunningRows | None:
    """The rows of tables 二, 三 and 四 found in the running text, each with its run, before the
    tables' sums split the runs (`RunningRows.settle`); None as for `read_running`."""
    doc = RunningText(blocks)
    spec = FORMAT_2021
    rows3 = [(row.key, row.labels) for row in FORMAT_2021.table3_rows]
    found3 = find_rows(doc.text, rows3, 0, None)
    if len(found3) < 3:
        return None
    t2_start = _table2_start(doc.text, found3[0].start)
    if _is_2019(doc.text[t2_start : found3[0].start]):
        spec = FORMAT_2019
    t3 = _table3_rows(doc, spec, found3)
    t2 = _table2_rows(doc, spec, t2_start, found3[0].start)
    t4 = _table4_rows(doc, spec, t3.end)
    if t4 is None or t3.total_missing():
        return None  # cut short: a truncated report is refused, never kept in half
    return RunningRows(spec, t2, t3, t4)


def _is_2019(text: str) -> bool:
    flat = normalize(text)
    return sum(normalize(m) in flat for m in FORMAT_2019_MARKERS) >= 2


def _table2_start(text: str, before: int) -> int:
    """Where table 二 starts: its first item heading (第二十条第(一)项) before table 三."""
    at = text.rfind("第二十条", 0, before)
    while at > 0 and (prev := text.rfind("第二十条", max(0, at - 600), at)) >= 0:
        at = prev
    return max(at, 0)


def _no_values(run: RowRun) -> bool:
    """Whether `_settle_rows` leaves the row blank whatever the sums say: no run, or one that no
    reading splits into the row's cells (a one-cell row's printed cell is read, not counted)."""
    return run.readings is None or (run.cell is None and not run.readings)


@dataclass
class _Table3Rows:
    spec: ReportFormat
    rows: list[tuple[str, Sequence[str]]]  # the format's rows, or with (六)其他处理 as one row
    runs: list[RowRun]
    end: int  # where table 三's last row's run ends: table 四 follows

    @property
    def columns(self) -> list[str]:
        return [c.key for c in self.spec.table3_columns]

    def total_missing(self) -> bool:
        """Whether the total row is a row of the table no label of which was found (a report cut short)."""
        return any(key == "total" for key, _ in self.rows) and all(r.key != "total" for r in self.runs)

    def blank_cells(self) -> int:
        """Cells certain to be blank once settled: the rows not found or without values, and a
        single 其他处理 row's three sub-items."""
        read = {r.key for r in self.runs if not _no_values(r)}
        keys = {key for key, _ in self.rows}
        single = any(r.key == "other_single" for r in self.runs)
        blank_rows = sum(row.key not in read if row.key in keys else single for row in self.spec.table3_rows)
        return blank_rows * len(self.columns)

    def settle(self) -> TableResult:
        spec, rows, columns = self.spec, self.rows, self.columns

        def paths(key: str) -> tuple[str, ...]:
            return tuple(cell_path("table3", key, c) for c in columns)

        values, notes = _settle_rows(spec.version, self.runs, paths, _table3_plausible)
        if "other_single" in values:
            row = values.pop("other_single")
            printed = _bar(v.value for v in row)
            for key in ("other_overdue_correction", "other_overdue_fee", "other_other"):
                values[key] = [BLANK] * len(columns)
            cells = tuple(
                cell_path("table3", k, ROW_WILDCARD)
                for k in ("other_overdue_correction", "other_overdue_fee", "other_other")
            )
            message = f"表三只印有一行（六）其他处理（{printed}），没有分列其下三项"
            notes = [n for n in notes if not n.cells or parse_cell_path(n.cells[0]).key != "other_single"]
            notes.append(Note("other-single-row", cells, message, row[0].source if row else None))
        for key, variants in rows:
            if key not in values and key != "other_single":
                values[key] = [BLANK] * len(columns)
                notes.append(
                    Note("row-missing", (cell_path("table3", key, ROW_WILDCARD),), row_missing("table3", variants[0]))
                )
        ordered = {row.key: values[row.key] for row in spec.table3_rows}
        return TableResult(ordered, notes, True)


def _table3_rows(doc: RunningText, spec: ReportFormat, found21: list[Found]) -> _Table3Rows:
    columns = [c.key for c in spec.table3_columns]
    rows: list[tuple[str, Sequence[str]]] = [(row.key, row.labels) for row in spec.table3_rows]
    start = found21[0].start
    if spec is FORMAT_2021 and _single_other_row(doc.text, found21) is not None:
        rows = [r for r in rows if not r[0].startswith("other_")]
        rows.insert(len(rows) - 2, ("other_single", ("(六)其他处理",)))
    found = find_rows(doc.text, rows, start, ROW_GAP)
    labels = {key: variants[0] for key, variants in rows}
    widths = {key: len(columns) for key, _ in rows}
    runs = _row_runs(doc, found, widths, labels)
    end = found[-1].end + len(_run_at(doc.text, found[-1].end)) if found else start
    return _Table3Rows(spec, rows, runs, end)


def _single_other_row(text: str, found: list[Found]) -> int | None:
    """Where a 2021-format table prints (六)其他处理 as one row with numbers (no sub-items)."""
    after = next((f for f in found if f.key == "reject_confirm"), None)
    if after is None:
        return None
    m = re.compile(rf"\(\s*六\s*\){_GAP}其{_GAP}他{_GAP}处{_GAP}理").search(text, after.end, after.end + ROW_GAP)
    if m is None or not _run_at(text, m.end()).strip():
        return None
    first = next(row for row in FORMAT_2021.table3_rows if row.key.startswith("other_"))
    sub_item = find_label(text, [label_of(first.key, v) for v in first.labels], m.end(), m.end() + ROW_GAP)
    return m.start() if sub_item is None else None


@dataclass
class _Table2Rows:
    spec: ReportFormat
    found: bool  # any row of it
    runs: list[RowRun]

    @property
    def keys(self) -> dict[str, list[str]]:
        return {row.label: [f.key for f in row.fields] for row in self.spec.table2}

    def blank_cells(self) -> int:
        """Cells certain to be blank once settled: those of the rows not found or without values
        (a field of two rows is the later row's, as in `settle`)."""
        read = {r.key for r in self.runs if not _no_values(r)}
        keys = self.keys
        blank = {key: row.label not in read for row in self.spec.table2 for key in keys[row.label]}
        return sum(blank.values())

    def settle(self) -> TableResult:
        spec, keys = self.spec, self.keys

        def paths(key: str) -> tuple[str, ...]:
            return tuple(cell_path("table2", k) for k in keys[key])

        values, notes = _settle_rows(spec.version, self.runs, paths, _table2_plausible)
        flat: dict[str, list[Value]] = {}
        for row in spec.table2:
            vs = values.get(row.label)
            if vs is None:
                cells = paths(row.label)
                notes.append(Note("row-missing", cells, row_missing("table2", row.label)))
                vs = [BLANK] * len(cells)
            for key, v in zip(keys[row.label], vs, strict=True):
                flat[key] = [v]
        return TableResult(flat, notes, self.found)


def _table2_rows(doc: RunningText, spec: ReportFormat, start: int, stop: int) -> _Table2Rows:
    keys = {row.label: [f.key for f in row.fields] for row in spec.table2}
    rows = [(row.label, row.labels) for row in spec.table2]
    found = []
    cursor = start
    for key, variants in rows:  # each row must be followed by numbers, else it is not printed
        labels = [label_of(key, v) for v in variants]
        hit = _first_with_run(doc.text, labels, cursor, min(stop, cursor + ROW_GAP))
        if hit is not None:
            found.append(hit)
            cursor = hit.end
    widths = {key: len(fields) for key, fields in keys.items()}
    runs = _row_runs(doc, found, widths, {k: k for k in keys}, stop)
    return _Table2Rows(spec, bool(found), runs)


@dataclass
class _Table4Rows:
    spec: ReportFormat
    run: RowRun  # its one row

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.spec.table4]

    def blank_cells(self) -> int:
        return len(set(self.keys)) if _no_values(self.run) else 0

    def settle(self) -> TableResult:
        keys = self.keys
        values, notes = _settle_rows(
            self.spec.version, [self.run], lambda _: tuple(cell_path("table4", k) for k in keys), _table3_plausible
        )
        row = values["table4"]
        return TableResult({k: [v] for k, v in zip(keys, row, strict=True)}, notes, True)


def _table4_rows(doc: RunningText, spec: ReportFormat, start: int) -> _Table4Rows | None:
    """Table 四: after its header (…结果维持…总计), one run of 15 cells; None when there is none."""
    header = re.compile(rf"维{_GAP}持").search(doc.text, start)
    digit = re.compile(r"\d").search(doc.text, header.end()) if header else None
    if digit is None:
        return None
    found = Found("table4", digit.start(), digit.start())
    (run,) = _row_runs(doc, [found], {"table4": len(spec.table4)}, {"table4": "表四"})
    return _Table4Rows(spec, run)


@dataclass
class RunningRows:
    """Tables 二, 三 and 四 found in the running text, their runs not yet split into cells."""

    format: ReportFormat
    table2: _Table2Rows
    table3: _Table3Rows
    table4: _Table4Rows

    def blank_cells(self) -> int:
        """Cells the settled tables will hold blank, at least (what the sums decide is never blank):
        a reading with as many blanks as another cannot win over it (report.parse_document)."""
        return self.table2.blank_cells() + self.table3.blank_cells() + self.table4.blank_cells()

    def settle(self) -> RunningTables:
        """The runs split into cells by the tables' sums: the tables as read."""
        return RunningTables(self.format, self.table2.settle(), self.table3.settle(), self.table4.settle())


# --- The narrative decides what the sums cannot ---------------------------------------------------

_NORMATIVE_INDEX = {"normative_made": (0,), "normative_repealed": (1,), "normative_in_force": (2,), "normative": (0, 2)}


def settle_by_narrative(report: Report) -> None:
    """A 行政规范性文件 run no sum can settle (2433: 2|4|33, 24|3|3 or 2|43|3), settled by the
    figures the narrative states (制发规范性文件2件): when exactly one reading agrees with every
    figure, it is taken, its provenance says so, and no SPLIT-AMBIGUOUS is raised."""
    from nianbao.db.checks.narrative import figures  # the narrative's reader: loaded only when needed

    keys = tuple(cell_path("table2", k) for k in ("normative_made", "normative_repealed", "normative_in_force"))
    if not any(n.code in ("split-read", "split-ambiguous") and set(n.cells) <= set(keys) for n in report.notes):
        return  # no 行政规范性文件 run was split: nothing for the narrative to decide
    stated = [f for f in figures(report) if f.topic in _NORMATIVE_INDEX]
    if not stated:
        return
    ambiguous = [n for n in report.notes if n.code == "split-ambiguous" and set(n.cells) <= set(keys)]
    if not ambiguous:
        _doubt_the_only_split(report, keys, stated)
    for note in ambiguous:
        taken = tuple(report.table2[parse_cell_path(k).key].value for k in keys)
        options = [taken, *(tuple(int(x) for x in alt.split("|")) for alt in note.raw[1:])]
        agreeing = [o for o in options if _agrees(o, stated)]
        if len(agreeing) != 1:
            continue
        (chosen,) = agreeing
        source = report.table2["normative_made"].source
        for key, value in zip(keys, chosen, strict=True):
            report.table2[parse_cell_path(key).key] = Value(value, str(value), source)
        phrases = "；".join(f.phrase for f in stated)
        why = f"正文写明{phrases}"
        report.notes = [n for n in report.notes if n is not note and not (n.code == "split-read" and n.cells == keys)]
        message = f"“行政规范性文件”一行：“{note.raw[0]}”{READ_AS}{_bar(chosen)}（{why}）"
        report.notes.append(Note("split-read", keys, message, note.source, (note.raw[0],)))


def _agrees(reading: tuple[object, ...], stated: list) -> bool:
    """Whether a 行政规范性文件 reading has every figure the narrative states, where it says it."""
    return all(any(reading[i] == f.value for i in _NORMATIVE_INDEX[f.topic]) for f in stated)


def _doubt_the_only_split(report: Report, keys: tuple[str, ...], stated: list) -> None:
    """A 行政规范性文件 run split the only way that leaves no cell blank (927: 9|2|7), which the
    narrative contradicts (现行有效27件): a blank cell leaves no trace in run-together digits
    (9||27), so the split is uncertain. The values stay as read; a split-ambiguous note names the
    row's cells (SPLIT-AMBIGUOUS), which no check would otherwise all name. `stated`: the
    narrative's 行政规范性文件 figures; called only where no split-ambiguous note names the row."""
    read = next((n for n in report.notes if n.code == "split-read" and n.cells == keys), None)
    if read is None:
        return
    taken = tuple(report.table2[parse_cell_path(k).key].value for k in keys)
    if _agrees(taken, stated):
        return
    phrases = "；".join(f.phrase for f in stated)
    message = f"“行政规范性文件”一行：连写数字“{read.raw[0]}”{READ_AS}{_bar(taken)}（不留空白单元格的唯一拆分，但正文写明{phrases}）"
    report.notes.append(Note("split-ambiguous", keys, message, read.source, (read.raw[0],)))
