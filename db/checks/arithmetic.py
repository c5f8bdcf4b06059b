"""The arithmetic of tables 三 and 四 (勾稽关系): T3-BALANCE, T3-TOTAL, T3-ROWSUM, T4-SUM, and
SPLIT-DIGITS, which explains a broken row sum by a number split over two cells.

Each rule is a set of equations built from db/format.py: "these cells add up to those". The same
equations determine blank cells: an equation with one blank and every other cell known gives
that blank's value, offered as a suggestion (see `suggestions`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, partial
from itertools import product

from nianbao.db.checks.registry import ERROR, WARNING, Context, Finding, Suggestion, rule
from nianbao.db.format import (
    FORMAT_2021,
    FORMATS,
    ORG_COLUMN_KEYS,
    TABLE2_STOCK_ROWS,
    TABLE3_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    ReportFormat,
    cell_path,
    parse_cell_path,
    table4_key,
)
from nianbao.db.model import Number, Report, is_number
from nianbao.db.parse.labels import normalize, read_cell


@dataclass(frozen=True)
class Equation:
    """sum(inputs) == sum(outputs). `where` names the row or column, in English and Chinese."""

    rule: str
    where: str
    where_zh: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        return self.inputs + self.outputs


def _t3(row: str, column: str) -> str:
    return cell_path("table3", row, column)


def _t4(group: str, result: str) -> str:
    return cell_path("table4", table4_key(group, result))


@cache
def equations(version: str) -> tuple[Equation, ...]:
    """Every equation of the format, in rule order."""
    spec = FORMATS[version]
    return (*_balance(spec), *_total(spec), *_rowsum(spec), *_t4_sum())


def _balance(spec: ReportFormat) -> Iterator[Equation]:
    for column in TABLE3_COLUMNS:
        yield Equation(
            "T3-BALANCE",
            f"column {column.key}",
            f"{column.label}列",
            (_t3("new_received", column.key), _t3("carried_over", column.key)),
            (_t3("total", column.key), _t3("carried_forward", column.key)),
        )


_NOT_RESULTS = ("new_received", "carried_over", "total", "carried_forward")


def _total(spec: ReportFormat) -> Iterator[Equation]:
    results = [key for key in spec.table3_row_keys if key not in _NOT_RESULTS]
    for column in TABLE3_COLUMNS:
        yield Equation(
            "T3-TOTAL",
            f"column {column.key}",
            f"{column.label}列",
            tuple(_t3(row, column.key) for row in results),
            (_t3("total", column.key),),
        )


def _rowsum(spec: ReportFormat) -> Iterator[Equation]:
    for row in spec.table3_rows:
        yield Equation(
            "T3-ROWSUM",
            f"row {row.key}",
            f"“{normalize(row.label)}”行",
            tuple(_t3(row.key, c) for c in ("natural", *ORG_COLUMN_KEYS)),
            (_t3(row.key, "total"),),
        )


def _t4_sum() -> Iterator[Equation]:
    for group in TABLE4_GROUPS:
        parts = [r.key for r in TABLE4_RESULTS if r.key != "total"]
        yield Equation(
            "T4-SUM",
            f"group {group.key}",
            f"{group.label}",
            tuple(_t4(group.key, p) for p in parts),
            (_t4(group.key, "total"),),
        )


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


@cache
def _equations_of(version: str, rule_id: str) -> tuple[Equation, ...]:
    return tuple(eq for eq in equations(version) if eq.rule == rule_id)


def broken(
    numbers: Mapping[str, Number], version: str, rule_id: str
) -> Iterator[tuple[Equation, int | float, int | float]]:
    """Equations of one rule whose cells are all numbers and do not add up. `numbers`: the
    report's numbers by cell path (`Report.numbers`), read once for every equation."""
    for eq in _equations_of(version, rule_id):
        cells = [numbers.get(c) for c in eq.cells]
        values = [v for v in cells if v is not None]
        if len(values) < len(cells):
            continue  # a blank or marker: CELL-MISSING / CELL-TYPE report it
        expected = sum(values[: len(eq.inputs)])
        found = sum(values[len(eq.inputs) :])
        if expected != found:
            yield eq, expected, found


def _finding(eq: Equation, expected, found, what: str, what_zh: str) -> Finding:
    return Finding(
        eq.rule,
        ERROR,
        eq.cells,
        f"{eq.where}: {what} — parts add up to {_fmt(expected)}, the table says {_fmt(found)}",
        f"{eq.where_zh}：{what_zh}——分项合计{_fmt(expected)}，表中为{_fmt(found)}",
        _fmt(expected),
        _fmt(found),
    )


@rule(
    "T3-BALANCE",
    ERROR,
    "Applications balance",
    "申请数量平衡",
    "In every column of table 三, new applications plus those carried over from last year equal the "
    "applications handled (总计) plus those carried forward to next year — the relation printed above the table.",
)
def t3_balance(context: Context) -> Iterable[Finding]:
    for eq, expected, found in broken(context.numbers, context.report.format, "T3-BALANCE"):
        yield _finding(
            eq,
            expected,
            found,
            "new + carried over ≠ handled + carried forward",
            "新收加上年结转不等于办理总计加结转下年",
        )


@rule(
    "T3-TOTAL",
    ERROR,
    "Results add up to the total",
    "办理结果合计",
    "In every column of table 三, the total of results (（七）总计) equals the sum of every result row: granted, "
    "partly granted, each reason for refusal, unable to provide, not processed and other handling.",
)
def t3_total(context: Context) -> Iterable[Finding]:
    for eq, expected, found in broken(context.numbers, context.report.format, "T3-TOTAL"):
        yield _finding(eq, expected, found, "results ≠ total", "各项办理结果之和不等于总计")


@rule(
    "T3-ROWSUM",
    ERROR,
    "Applicants add up to the total",
    "申请人合计",
    "In every row of table 三, the 总计 column equals natural persons plus the five kinds of legal persons and "
    "other organisations.",
)
def t3_rowsum(context: Context) -> Iterable[Finding]:
    for eq, expected, found in broken(context.numbers, context.report.format, "T3-ROWSUM"):
        yield _finding(eq, expected, found, "applicants ≠ total", "各类申请人之和不等于总计")


@rule(
    "T4-SUM",
    ERROR,
    "Review and lawsuit results add up",
    "复议诉讼结果合计",
    "In table 四, each group (administrative review, lawsuits without review, lawsuits after review) has a total "
    "equal to upheld + corrected + other results + pending.",
)
def t4_sum(context: Context) -> Iterable[Finding]:
    for eq, expected, found in broken(context.numbers, context.report.format, "T4-SUM"):
        yield _finding(eq, expected, found, "results ≠ total", "各项结果之和不等于总计")


@rule(
    "SPLIT-DIGITS",
    WARNING,
    "A number split over two cells",
    "数字被拆分到两个单元格",
    "A row of table 三 that does not add up, or has one value too many, but would if two neighbouring cells were "
    "one number (1 and 2 printed for 12): a common fault of PDF text extraction. The joined reading is suggested.",
)
def split_digits(context: Context) -> Iterable[Finding]:
    report, numbers = context.report, context.numbers
    columns = [c.key for c in report.spec.table3_columns]
    for eq, _, _ in broken(numbers, report.format, "T3-ROWSUM"):
        row = parse_cell_path(eq.cells[0]).key
        values = [numbers.get(_t3(row, c)) for c in columns]
        readings = [(i, _joined_within(values, i)) for i in range(len(columns) - 2)]
        yield from _best_reading(context, row, columns, [(i, v) for i, v in readings if v], values)
    for note in report.notes:
        if note.code == "row-extra-values" and note.cells and parse_cell_path(note.cells[0]).table == "table3":
            raw = [read_cell(text) for text in note.raw]
            if len(raw) == len(columns) + 1 and all(r.kind == "number" for r in raw):
                values = [r.value for r in raw if is_number(r.value)]  # all of them: each is a number
                readings = [(i, _joined_extra(values, i)) for i in range(len(values) - 1)]
                yield from _best_reading(
                    context,
                    parse_cell_path(note.cells[0]).key,
                    columns,
                    [(i, v) for i, v in readings if v],
                    values,
                )


def _join(a, b) -> int | None:
    if isinstance(a, int) and isinstance(b, int) and a > 0 and b >= 0:
        return int(f"{a}{b}")
    return None


def _joined_within(values: list, i: int) -> list | None:
    """Cells i and i+1 of a 7-value row read as one number in cell i (cell i+1 then 0), if that
    makes the row add up."""
    joined = _join(values[i], values[i + 1])
    if joined is None:
        return None
    merged = [*values[:i], joined, 0, *values[i + 2 :]]
    return merged if sum(merged[:-1]) == merged[-1] else None


def _joined_extra(values: list, i: int) -> list | None:
    """A row printed with one value too many: cells i and i+1 read as one number."""
    joined = _join(values[i], values[i + 1])
    if joined is None:
        return None
    merged = [*values[:i], joined, *values[i + 2 :]]
    return merged if sum(merged[:-1]) == merged[-1] else None


def _best_reading(context: Context, row: str, columns: list[str], readings: list, printed: list) -> Iterator[Finding]:
    """Of the readings that make the row add up, the one that leaves the fewest other equations
    broken (3 3 0 may be 33 0 or 3 30: the columns decide); none if still a tie."""
    if not readings:
        return
    scored = sorted((_broken_with(context, row, columns, merged), i, merged) for i, merged in readings)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return
    _, i, merged = scored[0]
    cells = tuple(_t3(row, c) for c in columns)
    pair = f"{printed[i]} 与 {printed[i + 1]}"
    derivation = f"该行印作 {' | '.join(map(_fmt, printed))}；{pair} 合读为 {merged[i]}"
    offered = tuple(
        Suggestion(cell, value, "SPLIT-DIGITS", derivation)
        for cell, value, before in zip(cells, merged, printed, strict=False)
        if value != before or len(printed) != len(merged)
    )
    yield Finding(
        "SPLIT-DIGITS",
        WARNING,
        tuple(s.cell for s in offered),
        f"row {row}: {pair} look like {merged[i]} split over two cells; read as {merged[i]}, the row adds up",
        f"{row}行：{pair}疑为数字{merged[i]}被拆分到两个单元格；按{merged[i]}计算则合计相符",
        str(merged[i]),
        pair,
        offered,
    )


def _broken_with(context: Context, row: str, columns: list[str], values: list) -> int:
    """How many equations break with the row read as `values`."""
    trial = dict(context.numbers)
    for i, column in enumerate(columns):
        value = values[i] if i < len(values) else None
        if is_number(value):
            trial[_t3(row, column)] = value
        else:
            trial.pop(_t3(row, column), None)
    return sum(_breaks(trial, eq) for eq in equations(context.report.format))


def _breaks(numbers: Mapping[str, Number], eq: Equation) -> bool:
    cells = [numbers.get(c) for c in eq.cells]
    values = [v for v in cells if v is not None]
    return len(values) == len(cells) and sum(values[: len(eq.inputs)]) != sum(values[len(eq.inputs) :])


def suggestions(report: Report, numbers: Mapping[str, Number] | None = None) -> dict[str, Suggestion]:
    """Values for blank cells that the equations determine. An equation with exactly one blank
    cell, all others numbers, gives it; values found are used to solve further equations. A cell
    whose equations disagree, or that would be negative or fractional, gets no suggestion."""
    if all(v.value is not None for values in report.table3.values() for v in values) and all(
        v.value is not None for v in report.table4.values()
    ):
        return {}  # nothing blank: the common case
    numbers = report.numbers() if numbers is None else numbers
    known: dict[str, int | float] = {}
    blank: set[str] = set()
    for eq in equations(report.format):
        for cell in eq.cells:
            if cell in numbers:
                known[cell] = numbers[cell]
            elif report.get(cell).value is None:
                blank.add(cell)
    found: dict[str, Suggestion] = {}
    rejected: set[str] = set()
    progress = True
    while progress:
        progress = False
        proposals = _proposals(report.format, known, blank - found.keys() - rejected)
        for cell, options in proposals.items():
            values = {s.value for s in options}
            if len(values) != 1 or (v := next(iter(values))) < 0 or v != int(v):
                rejected.add(cell)
                continue
            found[cell] = options[0]
            known[cell] = options[0].value
            progress = True
    return found


def _proposals(version: str, known: dict, open_cells: set[str]) -> dict[str, list[Suggestion]]:
    out: dict[str, list[Suggestion]] = {}
    for eq in equations(version):
        unknown = [c for c in eq.cells if c not in known]
        if len(unknown) != 1 or unknown[0] not in open_cells:
            continue
        cell = unknown[0]
        inputs = sum(known[c] for c in eq.inputs if c != cell)
        outputs = sum(known[c] for c in eq.outputs if c != cell)
        value = outputs - inputs if cell in eq.inputs else inputs - outputs
        same_side = eq.inputs if cell in eq.inputs else eq.outputs
        other_side = eq.outputs if cell in eq.inputs else eq.inputs
        derivation = f"{eq.rule}（{eq.where_zh}）：{_sum_text(other_side, known)} − ({_sum_text(same_side, known, cell)}) = {_fmt(value)}"
        out.setdefault(cell, []).append(
            Suggestion(cell, int(value) if value == int(value) else value, eq.rule, derivation)
        )
    return out


def _sum_text(cells: tuple[str, ...], known: dict, skip: str | None = None) -> str:
    """ "12 + 3" for the non-zero terms of a sum, "0" when all are zero."""
    terms = [_fmt(known[c]) for c in cells if c != skip and known[c] != 0]
    return " + ".join(terms) or "0"


# --- Splitting runs of digits: the same equations choose between the readings -------------------

MAX_COMBINATIONS = 20000  # readings of the undecided rows tried together; past this, row by row
FORCED, SETTLED, AMBIGUOUS, UNCONFIRMED = "forced", "settled", "ambiguous", "unconfirmed"


@dataclass(frozen=True)
class RowReadings:
    """A row read from a run of digits: its cell paths and the possible readings, most plausible
    first (see db/parse/runs.py)."""

    key: str
    cells: tuple[str, ...]
    options: tuple[tuple[Number, ...], ...]
    literal: bool = False  # the first option is the row as printed, cell by cell (spaces between)


@dataclass(frozen=True)
class Settled:
    """The reading taken for a row and why: forced (one reading), settled (the only reading the
    table's equations allow), ambiguous (several satisfy every equation: the most plausible is
    taken) or unconfirmed (the table does not add up as printed, so its equations cannot confirm
    the reading). `alternatives`: the other readings an operator should see."""

    values: tuple[Number, ...]
    how: str
    alternatives: tuple[tuple[Number, ...], ...] = ()


def settle(version: str, rows: list[RowReadings], fixed: Mapping[str, Number]) -> dict[str, Settled]:
    """Choose a reading for every row so that the table's equations (those of `equations`) hold,
    trying the rows' readings jointly. Each row's own equations (its row sum) narrow its readings
    first; a table that cannot add up keeps, for each row, the reading that breaks the fewest
    equations, most literal first, and says so (`UNCONFIRMED`): a government's error is never
    hidden by choosing a split for it. A row printed cell by cell (`literal`) is taken as printed
    whenever the equations allow it or the table cannot add up anyway."""
    cells = {c for row in rows for c in row.cells}
    eqs = [eq for eq in equations(version) if any(c in cells for c in eq.cells)]
    pools = {row.key: _narrowed(row, eqs) for row in rows if row.options}
    live = [row for row in rows if row.options]
    base = dict(fixed)
    for row in live:
        if len(pools[row.key]) == 1:
            base.update(zip(row.cells, pools[row.key][0], strict=True))
    free = [row for row in live if len(pools[row.key]) > 1]
    best, optimal = _search(base, free, pools, eqs)
    out: dict[str, Settled] = {}
    for row in live:
        if len(row.options) == 1:
            out[row.key] = Settled(row.options[0], FORCED)
            continue
        chosen = optimal[0].get(row.key, pools[row.key][0])
        seen = list(dict.fromkeys(combo.get(row.key, chosen) for combo in optimal))
        if row.literal and (best > 0 or row.options[0] in seen):
            # Printed cell by cell: taken as printed; a break is the checks' to name.
            out[row.key] = Settled(row.options[0], SETTLED)
        elif best == 0 and len(seen) == 1:
            out[row.key] = Settled(chosen, SETTLED)
        elif best == 0:
            out[row.key] = Settled(chosen, AMBIGUOUS, tuple(seen[1:]))
        else:
            others = tuple(o for o in pools[row.key] if o != chosen)[:4]
            out[row.key] = Settled(chosen, UNCONFIRMED, others)
    return out


def _narrowed(row: RowReadings, eqs: list[Equation]) -> list[tuple[Number, ...]]:
    """The row's readings that satisfy its own equations, or all of them if none does."""
    row_cells = set(row.cells)
    own = [eq for eq in eqs if row_cells.issuperset(eq.cells)]
    passing = [o for o in row.options if not any(_breaks(dict(zip(row.cells, o, strict=True)), eq) for eq in own)]
    return passing or list(row.options)


def _search(
    base: dict[str, Number], free: list[RowReadings], pools: dict, eqs: list[Equation]
) -> tuple[int, list[dict[str, tuple[Number, ...]]]]:
    """The fewest broken equations over the free rows' readings, and the combinations reaching it
    (most plausible first). Exhaustive when small, else improved row by row from the most
    plausible readings."""
    size = 1
    for row in free:
        size *= len(pools[row.key])
    if size <= MAX_COMBINATIONS:
        best, optimal = None, []
        for combo in product(*(pools[row.key] for row in free)):
            trial = dict(base)
            for row, option in zip(free, combo, strict=True):
                trial.update(zip(row.cells, option, strict=True))
            broken_count = sum(_breaks(trial, eq) for eq in eqs)
            choice = {row.key: option for row, option in zip(free, combo, strict=True)}
            if best is None or broken_count < best:
                best, optimal = broken_count, [choice]
            elif broken_count == best and len(optimal) < 100:
                optimal.append(choice)
        return best or 0, optimal
    choice = {row.key: pools[row.key][0] for row in free}
    current = dict(base)
    for row in free:
        current.update(zip(row.cells, choice[row.key], strict=True))
    for _ in range(2):
        for row in free:
            touching = [eq for eq in eqs if any(c in row.cells for c in eq.cells)]
            choice[row.key] = min(pools[row.key][:MAX_ROW_OPTIONS], key=partial(_score, current, row, eqs=touching))
            current.update(zip(row.cells, choice[row.key], strict=True))
    # Row by row cannot prove a reading unique: every free row is reported as undecided.
    return max(sum(_breaks(current, eq) for eq in eqs), 1), [choice]


MAX_ROW_OPTIONS = 200  # readings of one row tried when the rows are improved one by one


def _score(current: dict, row: RowReadings, option: tuple, eqs: list[Equation]) -> int:
    """Equations broken with `row` read as `option`, the other rows as they stand."""
    current.update(zip(row.cells, option, strict=True))
    return sum(_breaks(current, eq) for eq in eqs)


@rule(
    "SPLIT-AMBIGUOUS",
    WARNING,
    "Cells read from a run of digits the sums cannot settle",
    "连写数字的拆分无法确定",
    "Where a text dump lost the table's borders, a row prints as one run of digits (640020470 for 64 | 0 | 0 | 2 "
    "| 0 | 4 | 70). The parser splits a run the one way the table's sums allow. When several splits satisfy every "
    "sum, or the table does not add up as printed so the sums cannot confirm a split, or the narrative contradicts "
    "a table 二 run's only split without a blank cell (a blank leaves no trace in a run), the most literal reading "
    "is kept and these cells are named with the other readings.",
)
def split_ambiguous(context: Context) -> Iterable[Finding]:
    for note in context.report.notes:
        if note.code != "split-ambiguous":
            continue
        others = "; ".join(note.raw[1:])
        stock = _by_last_years_stock(context, note)
        en, zh, offered = ("", "", ()) if stock is None else stock
        yield Finding(
            "SPLIT-AMBIGUOUS",
            WARNING,
            note.cells,
            f"{note.message}; other readings: {others or 'none that satisfies the row’s sums'}{en}",
            f"连写数字“{note.raw[0]}”的拆分无法由表内合计确定；按{_zh_reading(note.message)}读取，"
            f"其他可能：{others or '无其他满足本行合计的拆分（也可能有单元格空缺）'}{zh}",
            found=note.raw[0],
            suggestions=offered,
        )


def _by_last_years_stock(context: Context, note) -> tuple[str, str, tuple[Suggestion, ...]] | None:
    """For a 规章/行政规范性文件 run (made | repealed | in force), the one reading that agrees with
    last year's stock (T2-STOCK: in force = last year's + made − repealed): said in the finding,
    and offered as suggested values when it is not the reading taken."""
    previous, report = context.previous, context.report
    rows = {_TABLE2_ROW.get(cell.key) for cell in map(parse_cell_path, note.cells) if cell.table == "table2"}
    if previous is None or report.format != "2021" or previous.format != "2021" or len(rows) != 1:
        return None
    row = rows.pop()
    if row is None or row not in TABLE2_STOCK_ROWS:
        return None
    cells = tuple(cell_path("table2", f.key) for f in row.fields)  # made, repealed, in force
    if (before := previous.number(cells[2])) is None:
        return None
    taken = tuple(report.number(c) for c in cells)
    readings = [taken, *(tuple(int(x) for x in alt.split("|")) for alt in note.raw[1:] if alt.count("|") == 2)]
    agreeing = [
        (made, repealed, in_force)
        for made, repealed, in_force in readings
        if made is not None and repealed is not None and in_force is not None and before + made - repealed == in_force
    ]
    if len(agreeing) != 1:
        return None
    (chosen,) = agreeing
    said = _bar_text(chosen)
    if chosen == taken:
        return (
            f"; last year's stock ({before}) agrees with {said}",
            f"；上年现行有效件数{before}与{said}相符",
            (),
        )
    why = f"T2-STOCK: {previous.year} in force {before} + made {chosen[0]} − repealed {chosen[1]} = {chosen[2]}"
    offered = tuple(
        Suggestion(c, v, "SPLIT-AMBIGUOUS", why) for c, v, t in zip(cells, chosen, taken, strict=True) if v != t
    )
    return (
        f"; last year's stock ({before}) agrees with {said}, suggested",
        f"；按上年现行有效件数{before}应为{said}",
        offered,
    )


_TABLE2_ROW = {f.key: row for row in FORMAT_2021.table2 for f in row.fields}


def _bar_text(values: tuple) -> str:
    return "|".join(_fmt(v) for v in values)


def _zh_reading(message: str) -> str:
    """The reading taken, as the note states it after 读作 (db/parse/running.py's READ_AS)."""
    return message.rsplit("读作", 1)[-1].split("（", 1)[0] if "读作" in message else "最可能的拆分"
