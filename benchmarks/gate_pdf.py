"""Gate for the PDF engines (issue 18): every PDF the project has, read by pdfminer and by PDFium,
must give the same Document (blocks, texts, sources with page and box, details) or the same
refusal. Scans are left out (OCR reads them, not these engines).

    python benchmarks/gate_pdf.py collect DIR   # the PDFs the tests hand to the reader, kept in DIR
    python benchmarks/gate_pdf.py compare DIR [FILE.pdf ...] [--show N]
    python benchmarks/gate_pdf.py fonts DIR [FILE.pdf ...]

`collect` runs the test files that read PDFs (tests/forms/pdf.py fixtures, portal.py prints in
Chromium, office.py exports from LibreOffice, tests/data/real/raw/*.pdf) with the plugin
benchmarks/gate_pdf_collect.py, which keeps each PDF once. `compare` reads each file of DIR (and
tests/data/real/raw/*.pdf) with both engines and prints one line per file that differs, with its
first differing blocks; the last line counts identical files. Exit 1 when any differs. `fonts`
checks each font the PDFium reader reads light (db/readers/pdf_fonts.py) against pdfminer's own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nianbao.db.document import Document
from nianbao.db.errors import ReadError
from nianbao.db.readers.pdf import read_pdf
from nianbao.db.readers.pdf_pdfium import ENGINE_VARIABLE

TEST_FILES = (
    "tests/test_reader_pdf.py",
    "tests/test_pdf_real.py",
    "tests/test_reader_office.py",
    "tests/test_provenance.py",
    "tests/test_cell_text.py",
    "tests/test_ideographs.py",
    "tests/test_checks_narrative.py",
    "tests/test_real.py",
    "tests/test_bad_input.py",
)


def collect(folder: Path) -> int:
    env = {**os.environ, "NIANBAO_GATE_PDFS": str(folder), "PYTHONPATH": str(ROOT / "benchmarks")}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "gate_pdf_collect", *TEST_FILES]
    return subprocess.call(command, cwd=ROOT, env=env)


def read(data: bytes, engine: str) -> Document | str:
    os.environ[ENGINE_VARIABLE] = engine
    try:
        return read_pdf(data)
    except ReadError as exc:
        return f"ReadError: {exc}"


def blocks(result: Document | str) -> list[str]:
    if isinstance(result, str):
        return [result]
    return [repr(block) for block in result.blocks] + [f"details {sorted(result.details.items())}"]


def compare(files: list[Path], show: int) -> int:
    same = 0
    for path in files:
        data = path.read_bytes()
        old, new = blocks(read(data, "pdfminer")), blocks(read(data, "pdfium"))
        if old == new:
            same += 1
            continue
        print(f"DIFF {path.name}: {len(old)} blocks (pdfminer) / {len(new)} (pdfium)")
        shown = 0
        for a, b in zip(old, new, strict=False):
            if a != b and shown < show:
                print(f"  pdfminer: {a[:300]}\n  pdfium:   {b[:300]}")
                shown += 1
    print(f"identical: {same}/{len(files)}")
    return 0 if same == len(files) else 1


def fonts(files: list[Path]) -> int:
    """Every font the PDFium reader reads light (db/readers/pdf_fonts.py) says what pdfminer's own
    font says (name, base font, flags, descent, italic angle), and one not made by pdfminer lists
    no width with a fraction and leaves no code out."""
    import pdfplumber

    from tests.font_check import font_checks

    light = made = wrong = 0
    for path in files:
        try:
            with pdfplumber.open(path) as pdf:
                checks = list(font_checks(pdf))
        except Exception:  # noqa: BLE001, S112 (a damaged file: the reader refuses it before any font)
            continue
        made += sum(not c.light for c in checks)
        for check in (c for c in checks if c.light):
            light += 1
            if not (check.agrees and check.unneeded):
                wrong += 1
                print(f"DIFF {path.name} page {check.page}: {check.values} / {check.pdfminer}")
    print(f"fonts read light: {light} ({wrong} differing from pdfminer's); made by pdfminer: {made}")
    return 1 if wrong else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=("collect", "compare", "fonts"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--show", type=int, default=2, help="differing blocks shown per file")
    args = parser.parse_args()
    if args.step == "collect":
        return collect(args.folder)
    files = args.files or sorted({*args.folder.glob("*.pdf"), *(ROOT / "tests/data/real/raw").glob("*.pdf")})
    return fonts(files) if args.step == "fonts" else compare(files, args.show)


if __name__ == "__main__":
    sys.exit(main())
