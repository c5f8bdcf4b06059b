"""Splitting runs of digits into cells (db/parse/runs.py) and settling the splits by the table's
equations (db/checks/arithmetic.py: settle)."""

from __future__ import annotations

from nianbao.db.checks.arithmetic import AMBIGUOUS, FORCED, SETTLED, UNCONFIRMED, RowReadings, settle
from nianbao.db.parse.runs import MAX_READINGS, readings
from tests.real_scoring import REAL

COLUMNS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")


def values(run: str, width: int) -> list[tuple]:
    return [r.values for r in readings(run, width)]


def test_a_number_never_starts_with_zero():
    assert values("0012", 3) == [(0, 0, 12)]
    assert values("640020470", 7).count((64, 0, 0, 2, 0, 4, 70)) == 1
    assert all(len(str(v)) == len(t) for r in readings("640020470", 7) for v, t in zip(r.values, r.texts))


def test_spaces_are_hints_not_boundaries():
    first, *rest = readings("160 02 0 018", 7)
    assert (16, 0, 0, 2, 0, 0, 18) in [r.values for r in [first, *rest]]
    assert values("10 0 1 200 0 0 0 0 0 0 00", 15) == [(1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    assert readings("2 4 33", 3)[0].values == (2, 4, 33)  # the printed spaces first


def test_table_cells_are_never_split():
    assert values("0 | 0 | 12", 3) == [(0, 0, 12)]
    assert values("0 | 012", 3) == []
    assert values("5949.09", 1) == [(5949.09,)]


def test_a_run_with_too_many_readings_is_no_row():
    assert readings("1" * 40, 7) is None
    assert len(readings("1" * 14, 7)) <= MAX_READINGS


def _row(key: str, *options: tuple, literal: bool = False) -> RowReadings:
    return RowReadings(key, tuple(f"table3.{key}.{c}" for c in COLUMNS), tuple(options), literal)


def test_the_sums_settle_a_split():
    """11|0|0|0|0|0|11 or 1|10|0|0|0|0|11: both add up across, only one down the columns."""
    rows = [
        _row("new_received", (11, 0, 0, 0, 0, 0, 11), (1, 10, 0, 0, 0, 0, 11)),
        _row("carried_over", (0,) * 7),
        _row("granted", (11, 0, 0, 0, 0, 0, 11)),
        _row("total", (11, 0, 0, 0, 0, 0, 11)),
        _row("carried_forward", (0,) * 7),
    ]
    settled = settle("2019", rows, {})
    assert settled["new_received"].how == SETTLED and settled["new_received"].values == (11, 0, 0, 0, 0, 0, 11)
    assert settled["carried_over"].how == FORCED


def test_several_splits_that_all_add_up_are_ambiguous():
    rows = [_row("granted", (11, 0, 0, 0, 0, 0, 11), (1, 10, 0, 0, 0, 0, 11))]
    s = settle("2019", rows, {})["granted"]
    assert s.how == AMBIGUOUS and s.values == (11, 0, 0, 0, 0, 0, 11) and s.alternatives == ((1, 10, 0, 0, 0, 0, 11),)


def test_a_table_that_cannot_add_up_is_never_fixed_by_a_split():
    """No reading of 总计 balances the table: the row's own sum narrows it, and the reading is
    reported as unconfirmed, never chosen to hide the break."""
    rows = [
        _row("new_received", (16, 0, 0, 2, 0, 0, 18)),
        _row("carried_over", (0,) * 7),
        _row("total", (18, 0, 0, 0, 0, 0, 18), (1, 80, 0, 0, 0, 0, 18)),
        _row("carried_forward", (0,) * 7),
    ]
    s = settle("2019", rows, {})["total"]
    assert s.how == UNCONFIRMED and s.values == (18, 0, 0, 0, 0, 0, 18)


def test_a_row_printed_cell_by_cell_is_kept_as_printed():
    rows = [
        _row("new_received", (3, 0, 0, 0, 0, 0, 0), (3, 0, 0, 0, 0, 0, 0), literal=True),
        _row("total", (2, 0, 0, 0, 0, 0, 2)),
    ]
    assert settle("2019", rows, {})["new_received"].values == (3, 0, 0, 0, 0, 0, 0)


def test_the_corpus_is_present_for_these_tests():
    assert (REAL / "raw" / "104.txt").exists()
