"""Read + parse time per report for every form: the five bundled samples as text, and written
out as DOCX, PDF and HTML (three portal styles) by the test fixture makers (tests/forms/).

    python benchmarks/bench_forms.py [--rounds 5]

Prints a Markdown table (best of the rounds, per report, averaged over the five samples).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.forms is not installed

from nianbao.db.pipeline import parse_bytes, parse_file
from tests.forms import docx, html, pdf
from tests.helpers import SAMPLE_NAMES, sample_path

FORMS: dict[str, tuple[str, Callable]] = {
    "docx": (".docx", docx.render),
    "pdf": (".pdf", pdf.render),
    "html (modern portal)": (".html", lambda r, p: html.render(r, p, style="modern")),
    "html (legacy, GB2312)": (".html", lambda r, p: html.render(r, p, style="legacy")),
    "html (Word export)": (".html", lambda r, p: html.render(r, p, style="word")),
}


def best_ms(rounds: int, data: bytes, name: str) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        parse_bytes(data, name)
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    files = {name: sample_path(name).read_bytes() for name in SAMPLE_NAMES}
    rows = {"text": [best_ms(rounds, data, "x.txt") for data in files.values()]}
    with tempfile.TemporaryDirectory() as tmp:
        for form, (suffix, render) in FORMS.items():
            rows[form] = []
            for name in SAMPLE_NAMES:
                path = render(parse_file(sample_path(name)), Path(tmp) / f"{name}{suffix}")
                parse_bytes(path.read_bytes(), path.name)  # warm: imports, character maps
                rows[form].append(best_ms(rounds, path.read_bytes(), path.name))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; best of {rounds}")
    print("| form | ms per report (mean of 5 samples) | slowest sample | reports/s, one process |")
    print("|---|---|---|---|")
    for form, times in rows.items():
        mean = sum(times) / len(times)
        print(f"| {form} | {mean:.1f} | {max(times):.1f} | {1000 / mean:.0f} |")


if __name__ == "__main__":
    main()
