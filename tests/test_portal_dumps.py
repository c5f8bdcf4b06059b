"""Generated reports (benchmarks/corpus.py, its defects injected) printed the way a portal dump
prints a report: on one line, the cells run together or spaced, the lines joined with or without
a space. Every cell is read as printed or named by a finding, never silently wrong. The real
dumps (tests/test_real.py) hold a few dozen value combinations; here the parser meets many more:
splits the sums must settle, blank cells that leave no trace in a run, labels cut by their digits.

One case no reader can decide is left out: a row that does not add up as printed (the corpus's
wrong_sum defect), run together, may split another way that does add up ("120000021", printed
12|0|0|0|0|0|21, reads 1|20|0|0|0|0|21), and nothing in the text tells the two apart.

Sized for CI: NIANBAO_DUMP_REPORTS reports (default 150, ~5 s) for each of the four printings.
Long runs, 6 Dec 2026: NIANBAO_DUMP_REPORTS=1500 (32 s), and the same check with SEED set to 7,
11, 21, 22 and 23 in turn, 400 reports each at defect rate 0.2: no silent cell but that one case, once the two
faults these tests found were mended (db/parse/running.py: a label found by a half that was part
of the next row's label; a 行政规范性文件 run whose only split without a blank the narrative denies).
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import cache
from pathlib import Path

import pytest

from benchmarks import corpus
from nianbao.db.checks import run_checks
from nianbao.db.parse.report import parse_document
from nianbao.db.readers.text import split_blocks
from tests.real_scoring import cells, flagged, same

REPORTS = int(os.environ.get("NIANBAO_DUMP_REPORTS", "150"))
SEED, DEFECT_RATE = 12, 0.2
PRINTINGS = {  # (what joins the lines, what parts the cells)
    "run-together": ("", ""),
    "spaced": (" ", " "),
    "cells-spaced": ("", " "),
    "lines-spaced": (" ", ""),
}


@cache
def generated() -> list[tuple[str, dict, set[str]]]:
    """(the report as a text file writes it, its values as printed, rows left out) per report."""
    out = []
    with tempfile.TemporaryDirectory() as folder:
        for i, entry in enumerate(corpus.entries(REPORTS, SEED, DEFECT_RATE, ("text",))):
            text = corpus.write(entry, Path(folder) / f"{i}.txt").read_text(encoding="utf-8")
            undecidable = {_row(c) for d in entry.defects if d["kind"] == "wrong_sum" for c in d["cells"]}
            out.append((text, {"format": "2021", **corpus.truth(entry)["values"]}, undecidable))
    return out


def _row(cell: str) -> str:
    return cell.rsplit(".", 1)[0] if cell.startswith("table3.") else cell


@pytest.mark.parametrize("printing", PRINTINGS)
def test_a_generated_report_printed_as_a_portal_dump_is_never_silently_wrong(printing):
    lines, cells_apart = PRINTINGS[printing]
    silent = []
    for i, (text, want, undecidable) in enumerate(generated()):
        flat = re.sub(r"[ \u3000]*\n\s*", lines, text).replace("\t", cells_apart)
        report = parse_document(split_blocks(flat))
        got = report.to_json() | {"checks": [f.as_json() for f in run_checks(report)]}
        have = cells(got, "2021")
        silent += [
            (i, path, have[path], value)
            for path, value in cells(want, "2021").items()
            if not same(have[path], value) and not flagged(path, got["checks"]) and _row(path) not in undecidable
        ]
    assert silent == []
