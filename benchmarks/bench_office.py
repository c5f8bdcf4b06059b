"""Read + parse time per report for the forms read through LibreOffice: the five bundled samples
rendered as .docx (tests/forms/docx.py), saved as .doc, .wps, .odt and .rtf by LibreOffice
(tests/forms/old_word.py), then read by nianbao (each file: one soffice start in a private folder,
conversion to .docx, the .docx reader, the parser).

    python benchmarks/bench_office.py [--rounds 2]

Prints a Markdown table: seconds per report (best of the rounds, averaged over the five samples)
and the .docx figure beside it for comparison.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.forms is not installed

from nianbao.db.pipeline import parse_bytes, parse_file
from tests.forms import docx, old_word
from tests.helpers import SAMPLE_NAMES, sample_path

FORMS = ("doc", "wps", "odt", "rtf")


def best_s(rounds: int, path: Path) -> float:
    data, times = path.read_bytes(), []
    for _ in range(rounds):
        start = time.perf_counter()
        parse_bytes(data, path.name)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = [docx.render(parse_file(sample_path(n)), folder / f"{n}.docx") for n in SAMPLE_NAMES]
        rows = {"docx (no conversion)": [best_s(rounds, p) for p in sources]}
        for form in FORMS:
            made = old_word.convert(sources, form, folder / form)
            rows[form] = [best_s(rounds, p) for p in made]
    print(
        f"{platform.python_version()}, {os.cpu_count()} cores, best of {rounds}, mean of {len(SAMPLE_NAMES)} samples\n"
    )
    print("| form | seconds per report |\n|---|---|")
    for form, times in rows.items():
        print(f"| {form} | {sum(times) / len(times):.2f} |")


if __name__ == "__main__":
    main()
