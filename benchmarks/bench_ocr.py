"""OCR accuracy and speed on scans made from the project's own PDF fixtures.

Each bundled sample is printed as a PDF (tests/forms/pdf.py), rendered to page images at each
resolution with pypdfium2 (nianbao renders every scanned page at 300 dpi to read it, so a 150 dpi
scan is read from its pixels enlarged), optionally made to look scanned (turned 0.6°, specks, a red seal over
the tables: tests/forms/scan.py), and put back into an image-only PDF. nianbao then reads it by
OCR and parses it; every cell is compared with the text form's value:

    right   the value the text form gives
    wrong   another value, or blank
    silent  wrong and named by no finding (the worst outcome; must be 0)

    python benchmarks/bench_ocr.py [--dpi 300 150] [--samples 000 003] [--plain] [--pictures]

Prints a Markdown table per resolution, the OCR seconds per page and pages per second, and the
recognition confidence of the values OCR read, right against wrong (where OCR-LOW-CONFIDENCE's
threshold comes from). `--pictures`: instead of scans, each sample as a saved portal page with
table 三 as a picture beside it (tests/forms/saved_page.py, rendered at each --dpi).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.forms is not installed

from nianbao.db.checks import run_checks
from nianbao.db.errors import NianbaoError
from nianbao.db.pipeline import parse_bytes, parse_file
from tests.forms import pdf, saved_page, scan
from tests.helpers import SAMPLE_NAMES, sample_path


def cells(report) -> dict[str, object]:
    return {".".join(p for p in (t, r, c) if p): v.value for t, r, c, v in report.cells()}


def named(findings) -> set[str]:
    return {cell.removesuffix(".*") for finding in findings for cell in finding.cells}


def measure(name: str, dpi: int, scanned: bool, folder: Path, pictures: bool = False) -> dict:
    text = parse_file(sample_path(name))
    if pictures:
        page = saved_page.render(text, folder / name, dpi=dpi)
        data, file_name, beside, count = page.read_bytes(), page.name, page.parent, 1
    else:
        pages = scan.page_images(pdf.render(text, folder / f"{name}.pdf"), dpi)
        if scanned:
            pages = [scan.scanned(page, seed=i) for i, page in enumerate(pages)]
        data = scan.image_pdf(pages, folder / f"{name}-{dpi}.pdf", dpi).read_bytes()
        file_name, beside, count = "scan.pdf", None, len(pages)
    start = time.perf_counter()
    try:
        report, _ = parse_bytes(data, file_name, beside)
    except NianbaoError as exc:  # a refusal is a result too: every cell counts as wrong, none silent
        return {
            "name": name,
            "pages": count,
            "seconds": time.perf_counter() - start,
            "cells": 0,
            "failed": str(exc),
        }
    seconds = time.perf_counter() - start
    want, got = cells(text), cells(report)
    findings = run_checks(report)
    names = named(findings)
    wrong = [p for p in want if got.get(p) != want[p]]
    silent = [p for p in wrong if p not in names and p.rsplit(".", 1)[0] not in names]
    return {
        "name": name,
        "pages": count,
        "seconds": seconds,
        "cells": len(want),
        "right": len(want) - len(wrong),
        "wrong": len(wrong),
        "silent": len(silent),
        "silent_cells": silent,
        "identity": (report.organ, report.year) == (text.organ, text.year),
        "low_confidence": sum(f.rule == "OCR-LOW-CONFIDENCE" for f in findings),
        "confidence": read_confidences(report, want),
    }


def read_confidences(report, want: dict[str, object]) -> list[tuple[float, bool]]:
    """(confidence, right) of every value OCR read (blank cells have none)."""
    out = []
    for t, r, c, value in report.cells():
        path = ".".join(p for p in (t, r, c) if p)
        if value.value is not None and value.source is not None and value.source.confidence is not None:
            out.append((value.source.confidence, value.value == want.get(path)))
    return out


_BUCKETS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 1.01)


def confidence_table(read: list[tuple[float, bool]]) -> str:
    """How many right and wrong values OCR read at each confidence."""
    lines = ["| confidence | right | wrong |", "|---|---|---|"]
    for low, high in pairwise(_BUCKETS):
        inside = [right for confidence, right in read if low <= confidence < high]
        lines.append(f"| {low:.2f}–{min(high, 1):.2f} | {sum(inside)} | {len(inside) - sum(inside)} |")
    wrong = sorted(confidence for confidence, right in read if not right)
    right = sorted(confidence for confidence, right in read if right)
    lines.append(f"\nlowest right: {right[:5]}; wrong: {wrong}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dpi", type=int, nargs="+", default=[300, 150])
    parser.add_argument("--samples", nargs="+", default=SAMPLE_NAMES)
    parser.add_argument("--plain", action="store_true", help="clean renders: no turn, specks or seal")
    parser.add_argument("--pictures", action="store_true", help="saved pages with table 三 as a picture")
    args = parser.parse_args()
    names = [n for n in SAMPLE_NAMES if any(n == s or n.startswith(f"{s}_") for s in args.samples)]
    kind = "clean render" if args.plain else "turned 0.6°, specks, red seal"
    kind = "saved page, table 三 as a picture" if args.pictures else kind
    print(f"{platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {kind}\n")
    for dpi in args.dpi:
        with tempfile.TemporaryDirectory() as tmp:
            rows = [measure(name, dpi, not args.plain, Path(tmp), args.pictures) for name in names]
        print(
            f"### {dpi} dpi\n\n| sample | pages | cells | right | wrong | silent | low-confidence findings | s/page |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            if "failed" in r:
                print(f"| {r['name'][:3]} | {r['pages']} | refused: {r['failed']} | | | | | |")
                continue
            print(
                f"| {r['name'][:3]} | {r['pages']} | {r['cells']} | {r['right']} | {r['wrong']} | {r['silent']}"
                f"{' ' + ','.join(r['silent_cells']) if r['silent_cells'] else ''} | {r['low_confidence']}"
                f" | {r['seconds'] / r['pages']:.1f} |"
            )
        done = [r for r in rows if "failed" not in r]
        total, right = sum(r["cells"] for r in done), sum(r["right"] for r in done)
        pages, seconds = sum(r["pages"] for r in rows), sum(r["seconds"] for r in rows)
        print(
            f"\nall: {right}/{total} right ({100 * right / max(total, 1):.1f} %), "
            f"{sum(r['silent'] for r in done)} silent, {seconds / pages:.1f} s per page"
            f" ({pages / seconds:.3f} pages/s)\n",
            flush=True,
        )
        print(confidence_table([c for r in done for c in r["confidence"]]) + "\n", flush=True)


if __name__ == "__main__":
    main()
