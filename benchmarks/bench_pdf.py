"""Speed of the PDF reader: the five bundled samples written as PDF (tests/forms/pdf.py), then
read and parsed again and again. `--rows-per-page 9` spreads table 三 over three pages (six-page
reports).

    python benchmarks/bench_pdf.py [--rounds 5] [--unruled] [--rows-per-page 9]

Reports, per sample, milliseconds per report and per page for read_pdf alone and for
read_pdf + parse_document (the best of the rounds, so other load on the machine counts less).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.forms is not installed

from nianbao.db.parse import parse_document
from nianbao.db.pipeline import parse_file
from nianbao.db.readers.pdf import read_pdf
from tests.forms.pdf import render
from tests.helpers import SAMPLE_NAMES, sample_path


def best(rounds: int, run) -> float:
    """The fastest of `rounds` runs, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--unruled", action="store_true", help="tables without ruling lines (the fallback)")
    parser.add_argument("--rows-per-page", type=int, default=None, help="page breaks inside table 三")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:  # the first PDF loads pdfminer's CJK CMaps (~0.1 s)
        read_pdf(render(parse_file(sample_path(SAMPLE_NAMES[0])), Path(tmp) / "warm.pdf").read_bytes())
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, best of {args.rounds} rounds")
    print(f"{'sample':24} {'pages':>5} {'read ms':>8} {'read+parse ms':>14} {'ms/page':>8}")
    total_ms = total_pages = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name in SAMPLE_NAMES:
            report = parse_file(sample_path(name))
            path = render(report, Path(tmp) / f"{name}.pdf", ruled=not args.unruled, rows_per_page=args.rows_per_page)
            data = path.read_bytes()
            document = read_pdf(data)
            pages = int(document.details["pages"])
            read_s = best(args.rounds, lambda data=data: read_pdf(data))
            both_s = best(args.rounds, lambda data=data: parse_document(read_pdf(data)))
            total_ms += both_s * 1000
            total_pages += pages
            print(f"{name:24} {pages:5d} {read_s * 1000:8.0f} {both_s * 1000:14.0f} {both_s * 1000 / pages:8.1f}")
    print(f"{'all':24} {total_pages:5.0f} {'':8} {total_ms:14.0f} {total_ms / total_pages:8.1f}")


if __name__ == "__main__":
    main()
