"""Map the cells of sections 二/三/四 onto the canonical tables.

Rows are found by their labels, not by position: a label (or a label split over lines or a page
break) is matched against the format's row labels, and the values that follow it are the row's.
When a row has fewer or more values than columns, the parser does not guess: it records a note,
and the checks report it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nianbao.db.document import Block, Cell, Paragraph, Table
from nianbao.db.format import (
    ROW_WILDCARD,
    TABLE3_GROUP_LABELS,
    TABLE3_SUBTOTAL_COLUMN,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    ReportFormat,
    cell_path,
)
from nianbao.db.model import BLANK, Note, Value
from nianbao.db.parse.labels import (
    MATCH,
    best_match,
    best_normalized,
    is_known_label,
    is_numbering,
    normalize,
    normalized_labels,
    read_cell,
)
from nianbao.db.vocabulary import TABLE_NAMES

# MATCH (db/parse/labels.py): a label at least this similar to a row label names that row
STRONG = 0.9  # similar enough to name a row printed with no values at all
EXACT = 0.95  # similar enough to take a row of blank cells as the row (not a wrapped label)


@dataclass
class Entry:
    """A run of label cells and the run of value cells (blanks included) that follows them."""

    labels: list[Cell] = field(default_factory=list)
    values: list[Cell] = field(default_factory=list)
    # For a tab-separated line holding both label and values: (width of the line, position of
    # the label), positions as the reader numbered them (a PDF row numbers its cells by the
    # table's columns, so the first row of a page, which prints the merged cells before its
    # label again, empty, has the shape of the rows after it). Lines of one shape put their
    # values in the same cells.
    shape: tuple[int, int] | None = None

    @property
    def has_number(self) -> bool:
        """Whether anything is printed among the values (a number, a marker, text in a value's place)."""
        return any(not _is_blank(c) for c in self.values)

    @property
    def one_line(self) -> bool:
        """True when the values were printed on one line (tab-separated), so a missing one could
        be anywhere; False when each sat on its own line (one cell per line, in order)."""
        return len({c.source.line for c in self.values}) <= 1


def entries(blocks: Sequence[Block]) -> list[Entry]:
    """Split the rows of a section's blocks into label-run / value-run entries."""
    out: list[Entry] = []
    for row in rows_of(blocks):
        first = len(out)
        entry = Entry()
        blanks: list[Cell] = []
        kinds = _kinds(row)
        # A row of values alone (table 四's) keeps its leading blanks: they are its first values.
        values_only = "label" not in kinds
        for cell, kind in zip(row, kinds, strict=True):
            if kind == "label":
                if entry.values:
                    entry.values.extend(blanks)
                    out.append(entry)
                    entry = Entry()
                blanks = []  # blanks between labels are the table's structure
                entry.labels.append(cell)
            elif kind == "blank":
                if entry.labels or entry.values or values_only:
                    blanks.append(cell)
            else:
                entry.values.extend(blanks)
                blanks = []
                entry.values.append(cell)
        if entry.labels or entry.values:
            entry.values.extend(blanks)
            out.append(entry)
        _with_shapes(out[first:], row)
    return out


def _kinds(row: list[Cell]) -> list[str]:
    """What each cell of a row is. Text in a value's place (after a value, after the row's label
    with no label after it, or among values alone) that is no label of the format (不详, 见附注, 约十一, 11（见附注）)
    is that cell's value, kept as printed: read as a label, it would move the values after it."""
    kinds = [read_cell(cell.text).kind for cell in row]
    for i, cell in enumerate(row):
        if kinds[i] != "label" or is_known_label(cell.text):
            continue
        before, after = kinds[:i], kinds[i + 1 :]
        label_before, label_after = "label" in before, "label" in after
        if any(_is_value(k) for k in before) or (label_before and not label_after):
            kinds[i] = "text"
        elif not label_before and not label_after and any(_is_value(k) for k in after):
            kinds[i] = "text"  # in a row of values alone (table 四's)
    return kinds


def _is_value(kind: str) -> bool:
    return kind in ("number", "marker", "text")


def _with_shapes(found: list[Entry], row: list[Cell]) -> None:
    """Record the shape of the entries made from one tab-separated line."""
    if len(row) < 2 or len({c.source.line for c in row}) != 1:
        return
    for entry in found:
        if entry.labels and entry.values:
            entry.shape = (_width(row), entry.labels[-1].source.col or 0)


def _width(row: list[Cell]) -> int:
    last = row[-1].source.col
    return len(row) if last is None else last + 1


def rows_of(blocks: Sequence[Block]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for block in blocks:
        if isinstance(block, Table):
            rows.extend(block.rows)
        elif isinstance(block, Paragraph):
            rows.append([Cell(block.text, block.source)])
    return rows


def to_value(cell: Cell) -> Value:
    reading = read_cell(cell.text)
    if reading.kind == "blank":
        return Value(None, cell.text, cell.source)
    if reading.kind in ("number", "marker"):
        return Value(reading.value, cell.text, cell.source)
    return Value(cell.text, cell.text, cell.source)  # text where a number belongs: CELL-TYPE


def _is_blank(cell: Cell) -> bool:
    return read_cell(cell.text).kind == "blank"


def _edges(cells: list[Cell]) -> tuple[int, int]:
    """Blank cells before the first and after the last non-blank cell."""
    kinds = [_is_blank(c) for c in cells]
    lead = next((i for i, blank in enumerate(kinds) if not blank), len(kinds))
    trail = next((i for i, blank in enumerate(reversed(kinds)) if not blank), len(kinds))
    return lead, trail


Edges = dict[tuple[int, int], tuple[int, int]]


def learn_edges(found: list[Entry], width: int) -> Edges:
    """For each line shape, how many blank cells frame the values of its complete rows (rows
    with `width` values and no blank among them). Tab-separated exports frame values with empty
    cells (merged label columns, a trailing tab); these counts tell structure from a blank value."""
    seen: dict[tuple[int, int], dict[tuple[int, int], int]] = {}
    for entry in found:
        if entry.shape is None:
            continue
        lead, trail = _edges(entry.values)
        core = entry.values[lead : len(entry.values) - trail]
        if len(core) == width and not any(_is_blank(c) for c in core):
            counts = seen.setdefault(entry.shape, {})
            counts[(lead, trail)] = counts.get((lead, trail), 0) + 1
    return {shape: max(counts, key=counts.__getitem__) for shape, counts in seen.items()}


@dataclass(frozen=True)
class Fit:
    """A run of value cells fitted to a row: values (None if they cannot be placed without
    guessing) and, when the run does not fit, the note code and what is wrong."""

    values: list[Value] | None
    code: str | None = None
    problem: str = ""
    cells: tuple[str, ...] = ()  # the run as fitted (structural blanks dropped), for notes

    @property
    def placed(self) -> list[Value]:
        """The values of a run that fits (no note code): `align` places every value it does not note."""
        assert self.code is None and self.values is not None, "only a run that fits has placed values"
        return self.values


def align(entry: Entry, width: int, edges: Edges | None = None) -> Fit:
    """Fit a run of value cells to `width` columns.

    Blank cells at the edges of the run may be the table's structure. Where complete rows of the
    same shape show how many there are, exactly those are dropped. A tab-separated line shaped
    unlike every complete row is trusted only if its non-blank cells fill the row exactly.
    Otherwise (one cell per line) blanks beyond the width are dropped, trailing first."""
    run = list(entry.values)
    if edges and entry.shape in edges:
        lead, trail = edges[entry.shape]
        run = run[_count_blank(run, lead) :]
        run = run[: len(run) - _count_blank(run[::-1], trail)]
    elif edges and entry.shape is not None:
        lead, trail = _edges(run)
        run = run[lead : len(run) - trail]
        if len(run) < width:
            return Fit(None, "row-incomplete", f"只印有{width}个值中的{len(run)}个，排列与前后各行不同")
    else:
        while len(run) > width and _is_blank(run[-1]):
            run.pop()
        while len(run) > width and _is_blank(run[0]):
            run.pop(0)
    values = [to_value(c) for c in run]
    texts = tuple(c.text for c in run)
    if len(run) > width:
        return Fit(None, "row-extra-values", f"印有{len(run)}个值，多于{width}列", texts)
    if len(run) < width:
        return Fit(values, "row-incomplete", f"只印有{width}个值中的{len(run)}个", texts)
    return Fit(values)


def _count_blank(cells: list[Cell], at_most: int) -> int:
    """How many of the first `at_most` cells are blank, counting from the start."""
    n = 0
    while n < min(at_most, len(cells)) and _is_blank(cells[n]):
        n += 1
    return n


NO_TABLE4 = "表四没有数值"


def row_missing(table: str, label: str) -> str:
    """The note on a row not found, in Chinese: 表三：未找到“2.重复申请”一行."""
    return f"{TABLE_NAMES[table]}：未找到“{label}”一行"


HEADING = "<heading>"  # a matcher key for headings that group rows and hold no values


@dataclass
class _RowMatcher:
    """Finds which row of a table a (possibly split) label names, preferring rows in order."""

    rows: Sequence[tuple[str, tuple[str, ...]]]  # (key, labels)
    headings: tuple[str, ...] = ()
    filled: set[str] = field(default_factory=set)
    last_index: int = -1

    def __post_init__(self) -> None:
        self.order = {key: i for i, (key, _) in enumerate(self.rows)}
        self._open = self._open_rows()

    def _open_rows(self) -> list[tuple[str, tuple[str, ...]]]:
        """The rows not filled yet (and the headings), labels normalized: every label of the
        table is matched against them, so they are made again only when a row is filled."""
        open_rows = [(k, normalized_labels(ls)) for k, ls in self.rows if k not in self.filled]
        return open_rows + [(HEADING, normalized_labels(self.headings))] if self.headings else open_rows

    def _candidates(self) -> list[tuple[str, tuple[str, ...]]]:
        return self._open

    def match(self, labels: list[Cell]) -> tuple[str | None, float, int]:
        """Best row for the tail of `labels`: returns (key, score, first label index used)."""
        best: tuple[str | None, float, int] = (None, 0.0, len(labels))
        candidates = self._candidates()
        for start in range(len(labels) - 1, max(-1, len(labels) - 5), -1):
            token = normalize("".join(c.text for c in labels[start:]))
            key, s = best_normalized(token, candidates)
            if key not in (None, HEADING) and self.order[key] < self.last_index:
                s -= 0.05  # rows come in order; an earlier row is less likely
            if s > best[1] + 1e-9:
                best = (key, s, start)
            if s == 1.0:
                break
        return best

    def skipped(self, labels: list[Cell], before: str) -> list[tuple[str, Cell]]:
        """Labels among `labels` that by themselves name a row between the last filled row and
        `before`: rows printed with no values at all."""
        out = []
        candidates = self._candidates()
        for cell in labels:
            key, s = best_normalized(normalize(cell.text), candidates)
            if key not in (None, HEADING) and s >= STRONG and self.last_index < self.order[key] < self.order[before]:
                out.append((key, cell))
        return out

    def fill(self, key: str) -> None:
        self.filled.add(key)
        self.last_index = max(self.last_index, self.order[key])
        self._open = self._open_rows()


@dataclass
class TableResult:
    values: dict[str, list[Value]]
    notes: list[Note]
    found: bool  # any row of the table was recognised


def parse_rows(
    found_entries: list[Entry],
    rows: Sequence[tuple[str, tuple[str, ...]]],
    widths: dict[str, int],
    cell_path: Callable[[str, int | None], str],
    table: str,
    headings: tuple[str, ...] = (),
    edges: Edges | None = None,
) -> TableResult:
    """Assign value runs to rows by label. `cell_path(row, i)` names cell i of a row for notes;
    `cell_path(row, None)` names the whole row. `edges`: see `learn_edges`."""
    matcher = _RowMatcher(rows, headings)
    values: dict[str, list[Value]] = {}
    notes: list[Note] = []
    pending: list[Cell] = []
    tail_taken = False
    for i, entry in enumerate(found_entries):
        if tail_taken:  # the labels of this entry ended the previous row's label
            tail_taken = False
            continue
        pending = pending + entry.labels
        if not entry.values:
            continue
        key, s, start = matcher.match(pending)
        if key == HEADING and s >= STRONG:
            pending = []
            continue
        if not entry.has_number and (s < EXACT or not matcher.filled):
            continue  # header cells, or a label wrapped onto the next line: keep reading
        following = found_entries[i + 1] if i + 1 < len(found_entries) else None
        if (key in (None, HEADING) or s < MATCH) and (joined := _with_tail(matcher, pending, following)):
            pending, (key, s, start), tail_taken = joined[0], joined[1], True
        if key in (None, HEADING) or s < MATCH:
            notes.append(_unrecognised(table, pending, entry))
            pending = []
            continue
        for skipped_key, cell in matcher.skipped(pending[:start], key):
            values[skipped_key] = [BLANK] * widths[skipped_key]
            matcher.fill(skipped_key)
            notes.append(
                Note("row-incomplete", (cell_path(skipped_key, None),), f"“{cell.text}”一行没有数值", cell.source)
            )
        values[key] = _fit(entry, widths[key], key, pending[-1], cell_path, notes, edges)
        matcher.fill(key)
        pending = []
    for key, labels in rows:
        if key not in values:
            values[key] = [BLANK] * widths[key]
            notes.append(Note("row-missing", (cell_path(key, None),), row_missing(table, labels[0])))
    return TableResult(values, notes, bool(matcher.filled))


def _with_tail(
    matcher: _RowMatcher, pending: list[Cell], following: Entry | None
) -> tuple[list[Cell], tuple[str | None, float, int]] | None:
    """A label broken by a line or page, its head printed with the values and its tail on the
    next line with none (2.重 | 1 0 0 …, then 复申请): head and tail read together, when together
    they name a row, and better than the tail does alone."""
    if not pending or following is None or not following.labels or following.has_number:
        return None  # no head (values before any label: a converter's stray line)
    joined = pending + following.labels
    key, s, start = matcher.match(joined)
    alone = matcher.match(following.labels)[1]
    # A head that is only numbering (（一） | 予以公开) adds nothing to the score but is no row.
    if key in (None, HEADING) or s < MATCH or (s <= alone and not is_numbering(pending[-1].text)):
        return None
    return joined, (key, s, start)


def _fit(
    entry: Entry, width: int, key: str, label: Cell, cell_path, notes: list[Note], edges: Edges | None
) -> list[Value]:
    fit = align(entry, width, edges)
    if fit.code is None:
        notes.extend(unit_notes(fit.placed, lambda i: cell_path(key, i)))
        return fit.placed
    raw = " | ".join(c.text for c in entry.values)
    if fit.values is not None and not entry.one_line:
        # Each cell on its own line (Word export): the cells present are in order and the
        # missing ones are the last.
        missing = tuple(cell_path(key, i) for i in range(len(fit.values), width))
        row = fit.values + [BLANK] * (width - len(fit.values))
        notes.extend(unit_notes(fit.values, lambda i: cell_path(key, i)))
    else:
        missing = (cell_path(key, None),)
        row = [BLANK] * width
    message = f"“{label.text}”一行{fit.problem}：{raw}"
    notes.append(Note(fit.code, missing, message, entry.values[0].source, tuple(fit.cells)))
    return row


def unit_notes(values: list[Value], path: Callable[[int], str]) -> list[Note]:
    """A number printed with its unit (12件) or in Chinese numerals (十一) is read as the number,
    and noted."""
    out = []
    for i, value in enumerate(values):
        reading = read_cell(value.raw) if value.raw else None
        if reading and reading.unit:
            out.append(Note("unit-stripped", (path(i),), f"“{value.raw}”读作{value.value}（去掉单位）", value.source))
        elif reading and reading.numeral:
            out.append(Note("numeral-read", (path(i),), f"“{value.raw}”读作{value.value}（中文数字）", value.source))
    return out


def _unrecognised(table: str, labels: list[Cell], entry: Entry) -> Note:
    text = "".join(c.text for c in labels[-2:])
    raw = " | ".join(c.text for c in entry.values)
    return Note(
        "row-unrecognised",
        (),
        f"{TABLE_NAMES[table]}：标签“{text}”不是本表的行，其下数值未读取（{raw}）",
        entry.values[0].source,
    )


# --- The three tables -------------------------------------------------------------------------


def parse_table2(blocks: Sequence[Block], spec: ReportFormat) -> TableResult:
    rows = [(row.label, row.labels) for row in spec.table2]
    widths = {row.label: len(row.fields) for row in spec.table2}
    keys = {row.label: [f.key for f in row.fields] for row in spec.table2}

    def path(row: str, i: int | None) -> str:
        return (
            cell_path("table2", keys[row][i]) if i is not None else ",".join(cell_path("table2", k) for k in keys[row])
        )

    result = parse_rows(entries(blocks), rows, widths, path, "table2")
    flat = {keys[row][i]: v for row, vs in result.values.items() for i, v in enumerate(vs)}
    notes = [_expand(n) for n in result.notes]
    return TableResult({k: [flat[k]] for k in (f.key for f in spec.table2_fields)}, notes, result.found)


def _expand(note: Note) -> Note:
    """Table 二 rows are groups of single cells: name each cell of a whole-row note."""
    cells = tuple(c for path in note.cells for c in path.split(","))
    return Note(note.code, cells, note.message, note.source)


def parse_table3(blocks: Sequence[Block], spec: ReportFormat) -> TableResult:
    found = entries(blocks)
    columns = [c.key for c in spec.table3_columns]
    subtotal = _has_subtotal_column(found)
    width = len(columns) + (1 if subtotal else 0)
    rows = [(row.key, row.labels) for row in spec.table3_rows]
    widths = {key: width for key, _ in rows}

    def path(row: str, i: int | None) -> str:
        if i is None:
            return cell_path("table3", row, ROW_WILDCARD)
        return cell_path(
            "table3", row, (*columns, TABLE3_SUBTOTAL_COLUMN.key)[_column_index(i, subtotal, len(columns))]
        )

    result = parse_rows(found, rows, widths, path, "table3", TABLE3_GROUP_LABELS, learn_edges(found, width))
    values, notes = result.values, result.notes
    if subtotal:
        values = {key: _drop_subtotal(vs, len(columns)) for key, vs in values.items()}
        notes.append(Note("subtotal-column", (), "表三另有“法人或其他组织”小计列，已另行保留，不计入各列"))
    return TableResult(values, notes, result.found)


def _column_index(i: int, subtotal: bool, n: int) -> int:
    if not subtotal or i < n - 1:
        return i
    return n if i == n - 1 else n - 1  # the subtotal sits before 总计


def _drop_subtotal(values: list[Value], n: int) -> list[Value]:
    return values[: n - 1] + values[n:]


def _has_subtotal_column(found: list[Entry]) -> bool:
    for entry in found:
        if entry.has_number:
            return False  # only the header, before the first row of numbers
        if any(normalize(c.text) in {normalize(l) for l in TABLE3_SUBTOTAL_COLUMN.labels} for c in entry.labels):
            return True
    return False


def parse_table4(blocks: Sequence[Block], spec: ReportFormat) -> TableResult:
    keys = [f.key for f in spec.table4]
    all_cells = tuple(cell_path("table4", k) for k in keys)
    found = entries(blocks)
    row = _table4_by_group(found)
    notes: list[Note] = []
    if row is None:
        cells = [c for entry in found if entry.has_number for c in entry.values]
        if not cells:
            notes = [Note("row-missing", all_cells, NO_TABLE4)]
            return TableResult({k: [BLANK] for k in keys}, notes, False)
        fit = align(Entry(values=cells), len(keys))
        if fit.code:
            raw = " | ".join(c.text for c in cells)
            notes.append(Note(fit.code, all_cells, f"表四{fit.problem}：{raw}", cells[0].source))
            row = [BLANK] * len(keys)
        else:
            row = fit.placed
    notes.extend(unit_notes(row, lambda i: all_cells[i]))
    return TableResult({k: [v] for k, v in zip(keys, row, strict=True)}, notes, True)


def _table4_by_group(found: list[Entry]) -> list[Value] | None:
    """Table 四 printed one group per row (行政复议 0 0 0 0 0 …) instead of one row of 15."""
    width = len(TABLE4_RESULTS)
    out: dict[str, list[Value]] = {}
    for entry in found:
        if not entry.labels or not entry.has_number:
            continue
        key, s = best_match(normalize(entry.labels[-1].text), [(g.key, g.labels) for g in TABLE4_GROUPS])
        fit = align(entry, width)
        if key is None or s < STRONG or fit.code:
            return None
        out[key] = fit.placed
    if len(out) != len(TABLE4_GROUPS):
        return None
    return [v for g in TABLE4_GROUPS for v in out[g.key]]
