"""Read + parse time for the forms read through LibreOffice: the five bundled samples rendered as
.docx (tests/forms/docx.py), saved as .doc, .wps, .odt and .rtf by LibreOffice
(tests/forms/old_word.py), then read by nianbao, the twenty files of a batch two ways:

    one by one   each file its own soffice start in a private folder (a file read alone)
    one run      the import's way: the batch's files converted by one soffice run
                 (db/readers/office.py converted_together), then each read as .docx

    python benchmarks/bench_office.py [--rounds 1]

Prints a Markdown table: seconds per report and files per second, each way, the .docx reader
alone (no conversion) as the floor, and the ratio of the two ways.
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
from nianbao.db.readers.office import converted_together
from tests.forms import docx, old_word
from tests.helpers import SAMPLE_NAMES, sample_path

FORMS = ("doc", "wps", "odt", "rtf")


def seconds(paths: list[Path], together: bool) -> float:
    """Reading and parsing every file, in one batch (`together`) or each alone."""
    start = time.perf_counter()
    if together:
        with converted_together(paths):
            for path in paths:
                parse_bytes(path.read_bytes(), path.name)
    else:
        for path in paths:
            parse_bytes(path.read_bytes(), path.name)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = [docx.render(parse_file(sample_path(n)), folder / f"{n}.docx") for n in SAMPLE_NAMES]
        batch = [path for form in FORMS for path in old_word.convert(sources, form, folder / form)]
        rows = {
            "docx, no conversion (floor)": min(seconds(sources, False) for _ in range(rounds))
            * len(batch)
            / len(sources),
            "one by one (an soffice start per file)": min(seconds(batch, False) for _ in range(rounds)),
            "one run for the batch": min(seconds(batch, True) for _ in range(rounds)),
        }
    print(
        f"{platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, best of {rounds};"
        f" {len(batch)} files ({', '.join(FORMS)} × {len(SAMPLE_NAMES)} samples)\n"
    )
    print("| way | seconds per report | files per second |\n|---|---|---|")
    for way, total in rows.items():
        print(f"| {way} | {total / len(batch):.2f} | {len(batch) / total:.2f} |")
    alone, together = rows["one by one (an soffice start per file)"], rows["one run for the batch"]
    print(f"\none run for the batch: {alone / together:.1f}× the files per second of one by one")


if __name__ == "__main__":
    main()
