"""Map the cells of sections 二/三/四 onto the canonical tables.

Rows are found by their labels, not by position: a label (or a label split over lines or a page
break) is matched against the format's row labels, and the values that follow it are the row's.
When a row has fewer or more values than columns, the parser does not guess: it records a note,
and the checks report it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from db.document import Block, Cell, Paragraph, Table
from db.format import (
    TABLE3_GROUP_LABELS,
    TABLE3_SUBTOTAL_COLUMN,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    Kind,
    ReportFormat,
)
from db.labels import best_match, normalize, read_cell
from db.model import BLANK, Note, Value

MATCH = 0.72  # a label at least this similar to a row label names that row
STRONG = 0.9  # similar enough to name a row even with no values after it


@dataclass
class Entry:
    """A run of label cells and the run of value cells (blanks included) that follows them."""

    labels: list[Cell] = field(default_factory=list)
    values: list[Cell] = field(default_factory=list)

    @property
    def has_number(self) -> bool:
        return any(read_cell(c.text).kind in ("number", "marker") for c in self.values)

    @property
    def one_line(self) -> bool:
        """True when the values were printed on one line (tab-separated), so a missing one could
        be anywhere; False when each sat on its own line (one cell per line, in order)."""
        return len({c.source.line for c in self.values}) <= 1


def entries(blocks: Sequence[Block]) -> list[Entry]:
    """Split the rows of a section's blocks into label-run / value-run entries."""
    out: list[Entry] = []
    for row in rows_of(blocks):
        entry, blanks = Entry(), []
        for cell in row:
            kind = read_cell(cell.text).kind
            if kind == "label":
                if entry.values:
                    entry.values.extend(blanks)
                    out.append(entry)
                    entry = Entry()
                blanks = []  # blanks between labels are the table's structure
                entry.labels.append(cell)
            elif kind == "blank":
                if entry.labels or entry.values:
                    blanks.append(cell)
            else:
                entry.values.extend(blanks)
                blanks = []
                entry.values.append(cell)
        if entry.labels or entry.values:
            entry.values.extend(blanks)
            out.append(entry)
    return out


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


def align(cells: list[Cell], width: int) -> tuple[list[Value] | None, str | None]:
    """Fit a run of value cells to `width` columns. Blank cells at the edges of a longer run are
    the table's structure (merged label columns, trailing tabs) and are dropped, trailing first.
    Returns (values, problem): values None when the run cannot be fitted without guessing."""
    run = list(cells)
    while len(run) > width and read_cell(run[-1].text).kind == "blank":
        run.pop()
    while len(run) > width and read_cell(run[0].text).kind == "blank":
        run.pop(0)
    if len(run) == width:
        return [to_value(c) for c in run], None
    if len(run) > width:
        return None, f"{len(run)} values for {width} columns"
    return [to_value(c) for c in run], f"{len(run)} of {width} values"


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

    def _candidates(self) -> list[tuple[str, tuple[str, ...]]]:
        open_rows = [(k, ls) for k, ls in self.rows if k not in self.filled]
        return open_rows + [(HEADING, self.headings)] if self.headings else open_rows

    def match(self, labels: list[Cell]) -> tuple[str | None, float, int]:
        """Best row for the tail of `labels`: returns (key, score, first label index used)."""
        best: tuple[str | None, float, int] = (None, 0.0, len(labels))
        candidates = self._candidates()
        for start in range(len(labels) - 1, max(-1, len(labels) - 5), -1):
            token = normalize("".join(c.text for c in labels[start:]))
            key, s = best_match(token, candidates)
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
        for cell in labels:
            key, s = best_match(normalize(cell.text), self._candidates())
            if key not in (None, HEADING) and s >= STRONG and self.last_index < self.order[key] < self.order[before]:
                out.append((key, cell))
        return out

    def fill(self, key: str) -> None:
        self.filled.add(key)
        self.last_index = max(self.last_index, self.order[key])


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
) -> TableResult:
    """Assign value runs to rows by label. `cell_path(row, i)` names cell i of a row for notes;
    `cell_path(row, None)` names the whole row."""
    matcher = _RowMatcher(rows, headings)
    values: dict[str, list[Value]] = {}
    notes: list[Note] = []
    pending: list[Cell] = []
    for entry in found_entries:
        pending = pending + entry.labels
        if not entry.values:
            continue
        key, s, start = matcher.match(pending)
        if key == HEADING and s >= STRONG:
            pending = []
            continue
        if not entry.has_number and (s < STRONG or not matcher.filled):
            continue  # header cells, or a label wrapped onto the next line: keep reading
        if key in (None, HEADING) or s < MATCH:
            notes.append(_unrecognised(table, pending, entry))
            pending = []
            continue
        for skipped_key, cell in matcher.skipped(pending[:start], key):
            values[skipped_key] = [BLANK] * widths[skipped_key]
            matcher.fill(skipped_key)
            notes.append(
                Note("row-incomplete", (cell_path(skipped_key, None),), f"row “{cell.text}” has no values", cell.source)
            )
        values[key] = _fit(entry, widths[key], key, pending[-1], cell_path, notes)
        matcher.fill(key)
        pending = []
    for key, _ in rows:
        if key not in values:
            values[key] = [BLANK] * widths[key]
            notes.append(Note("row-missing", (cell_path(key, None),), f"{table}: row {key} not found"))
    return TableResult(values, notes, bool(matcher.filled))


def _fit(entry: Entry, width: int, key: str, label: Cell, cell_path, notes: list[Note]) -> list[Value]:
    row, problem = align(entry.values, width)
    if not problem:
        return row
    raw = " | ".join(c.text for c in entry.values)
    code = "row-incomplete" if row is not None else "row-extra-values"
    if row is not None and not entry.one_line:
        # Each cell on its own line (Word export): the cells present are in order and the
        # missing ones are the last.
        missing = tuple(cell_path(key, i) for i in range(len(row), width))
        row = row + [BLANK] * (width - len(row))
    else:
        missing = (cell_path(key, None),)
        row = [BLANK] * width
    notes.append(Note(code, missing, f"row “{label.text}”: {problem} ({raw})", entry.values[0].source))
    return row


def _unrecognised(table: str, labels: list[Cell], entry: Entry) -> Note:
    text = "".join(c.text for c in labels[-2:])
    raw = " | ".join(c.text for c in entry.values)
    return Note(
        "row-unrecognised",
        (),
        f"{table}: values under an unknown label “{text}” ignored ({raw})",
        entry.values[0].source,
    )


# --- The three tables -------------------------------------------------------------------------


def parse_table2(blocks: Sequence[Block], spec: ReportFormat) -> TableResult:
    rows = [(row.label, row.labels) for row in spec.table2]
    widths = {row.label: len(row.fields) for row in spec.table2}
    keys = {row.label: [f.key for f in row.fields] for row in spec.table2}

    def path(row: str, i: int | None) -> str:
        return f"table2.{keys[row][i]}" if i is not None else ",".join(f"table2.{k}" for k in keys[row])

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
            return f"table3.{row}.*"
        return f"table3.{row}.{(columns + ['org_subtotal'])[_column_index(i, subtotal, len(columns))]}"

    result = parse_rows(found, rows, widths, path, "table3", TABLE3_GROUP_LABELS)
    values, notes = result.values, result.notes
    if subtotal:
        values = {key: _drop_subtotal(vs, len(columns)) for key, vs in values.items()}
        notes.append(Note("subtotal-column", (), "table 三 has a 法人或其他组织 subtotal column; kept aside"))
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
    found = entries(blocks)
    by_group = _table4_by_group(found)
    if by_group is not None:
        return TableResult({k: [v] for k, v in zip(keys, by_group)}, [], True)
    cells = [c for entry in found if entry.has_number for c in entry.values]
    if not cells:
        notes = [Note("row-missing", tuple(f"table4.{k}" for k in keys), "table 四 has no values")]
        return TableResult({k: [BLANK] for k in keys}, notes, False)
    row, problem = align(cells, len(keys))
    notes = []
    if problem:
        raw = " | ".join(c.text for c in cells)
        notes.append(
            Note("row-incomplete", tuple(f"table4.{k}" for k in keys), f"table 四: {problem} ({raw})", cells[0].source)
        )
        row = [BLANK] * len(keys)
    return TableResult({k: [v] for k, v in zip(keys, row)}, notes, True)


def _table4_by_group(found: list[Entry]) -> list[Value] | None:
    """Table 四 printed one group per row (行政复议 0 0 0 0 0 …) instead of one row of 15."""
    width = len(TABLE4_RESULTS)
    out: dict[str, list[Value]] = {}
    for entry in found:
        if not entry.labels or not entry.has_number:
            continue
        key, s = best_match(normalize(entry.labels[-1].text), [(g.key, g.labels) for g in TABLE4_GROUPS])
        row, problem = align(entry.values, width)
        if key is None or s < STRONG or problem or row is None:
            return None
        out[key] = row
    if len(out) != len(TABLE4_GROUPS):
        return None
    return [v for g in TABLE4_GROUPS for v in out[g.key]]


def value_kinds(spec: ReportFormat) -> dict[str, Kind]:
    """The kind of every single-valued cell (tables 二 and 四), by key."""
    return {f.key: f.kind for f in (*spec.table2_fields, *spec.table4)}
