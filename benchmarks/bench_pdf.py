"""Speed of the PDF reader: the five bundled samples written as PDF (tests/forms/pdf.py), then
read and parsed again and again. `--rows-per-page 9` spreads table 三 over three pages (six-page
reports).

    python benchmarks/bench_pdf.py [--rounds 5] [--unruled] [--rows-per-page 9]
    python benchmarks/bench_pdf.py --engines [--rounds 5] [FILE.pdf ...]

Reports, per sample, milliseconds per report and per page for read_pdf alone and for
read_pdf + parse_document (the best of the rounds, so other load on the machine counts less).

`--engines` (issue 18) measures CPU time of read_pdf under each engine (NIANBAO_PDF_ENGINE
pdfminer = before, pdfium = after) beside the floor: pypdfium2 alone taking every character with
its box and text and every path's points, nothing else; the ratio is after / floor. The five
samples (and any FILE given, e.g. tests/data/real/raw/101.pdf), best of the rounds, in one run.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.forms is not installed

from nianbao.db.parse.report import parse_document
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


def cpu_best(rounds: int, run) -> float:
    """The least CPU time of `rounds` runs, in seconds (other processes' load counts less)."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def floor(data: bytes) -> None:
    """What PDFium's characters and ruling lines cost at the least: every character's text and
    box, every path segment's point, through pypdfium2's raw calls."""
    import pypdfium2
    import pypdfium2.raw as c

    pdf = pypdfium2.PdfDocument(data)
    l, r, b, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    x, y = ctypes.c_float(), ctypes.c_float()
    for page in pdf:
        text = page.get_textpage()
        for i in range(text.count_chars()):
            c.FPDFText_GetUnicode(text.raw, i)
            c.FPDFText_GetCharBox(text.raw, i, l, r, b, t)
        for n in range(c.FPDFPage_CountObjects(page.raw)):
            obj = c.FPDFPage_GetObject(page.raw, n)
            if c.FPDFPageObj_GetType(obj) == c.FPDF_PAGEOBJ_PATH:
                for s in range(c.FPDFPath_CountSegments(obj)):
                    c.FPDFPathSegment_GetPoint(c.FPDFPath_GetPathSegment(obj, s), x, y)
        text.close()
        page.close()
    pdf.close()


def read_with(engine: str, data: bytes) -> None:
    os.environ["NIANBAO_PDF_ENGINE"] = engine
    read_pdf(data)


def engines(rounds: int, files: list[Path]) -> None:
    """Before (pdfminer), after (pdfium) and the floor, CPU ms per file, and after / floor."""
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, CPU time, best of {rounds} rounds")
    print(f"{'file':24} {'pages':>5} {'before ms':>9} {'after ms':>9} {'floor ms':>9} {'after/floor':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [(name, render(parse_file(sample_path(name)), Path(tmp) / f"{name}.pdf")) for name in SAMPLE_NAMES]
        inputs += [(path.name, path) for path in files]
        totals = [0.0, 0.0, 0.0]
        read_with("pdfminer", inputs[0][1].read_bytes())  # pdfminer's CJK CMaps, loaded once
        for name, path in inputs:
            data = path.read_bytes()
            pages = int(read_pdf(data).details["pages"])
            row = [
                cpu_best(rounds, lambda data=data: read_with("pdfminer", data)),
                cpu_best(rounds, lambda data=data: read_with("pdfium", data)),
                cpu_best(rounds, lambda data=data: floor(data)),
            ]
            if name in SAMPLE_NAMES:
                totals = [a + b for a, b in zip(totals, row, strict=True)]
            before, after, least = (v * 1000 for v in row)
            print(f"{name[:24]:24} {pages:5d} {before:9.1f} {after:9.1f} {least:9.1f} {after / least:10.1f}×")
        before, after, least = (v * 1000 for v in totals)
        print(f"{'5 samples':24} {'':5} {before:9.1f} {after:9.1f} {least:9.1f} {after / least:10.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", action="store_true", help="pdfminer vs pdfium vs the pypdfium2 floor")
    parser.add_argument("files", nargs="*", type=Path, help="more PDFs for --engines")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--unruled", action="store_true", help="tables without ruling lines (the fallback)")
    parser.add_argument("--rows-per-page", type=int, default=None, help="page breaks inside table 三")
    args = parser.parse_args()
    if args.engines:
        engines(args.rounds, args.files)
        return
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
