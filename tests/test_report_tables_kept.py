"""A slot's <td> is kept for values that recur (publish/report_tables.py `_slot_td`); a kept cell
must never stand for another that compares equal but prints otherwise."""

from __future__ import annotations

from nianbao.publish.report_tables import CellView, value_slot


def test_a_kept_cell_is_never_shown_for_an_equal_value_that_prints_otherwise():
    slot = value_slot(("table2", "fees_wan", ""))
    cells = [CellView(0), CellView(0.0), CellView(-0.0), CellView(1), CellView(True), CellView("0")]
    shown = [slot.fill({slot.key: view}) for view in cells]
    assert [td.split(">", 1)[1].split("<", 1)[0] for td in shown] == ["0", "0.0", "-0.0", "1", "True", "0"]
    assert shown == [slot.fill({slot.key: view}) for view in reversed(cells)][::-1]  # in any order
