"""Many distinct reports from the five bundled samples, for batch, crash and concurrency tests and
the import benchmark: each copy renames the sample's county (夏县 -> 夏7县), so organ and region
differ and every copy is a report of its own that takes the normal insert path."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SAMPLE_NAMES, SAMPLES, sample_path


def renamed(name: str, i: int) -> str:
    """Sample `name`'s text with its county renamed by the number `i`."""
    region = json.loads((SAMPLES / "expected" / f"{sample_path(name).stem}.json").read_text("utf-8"))["region"]
    return sample_path(name).read_text("utf-8").replace(region, f"{region[:-1]}{i}{region[-1]}")


def make_corpus(folder: Path, count: int) -> list[Path]:
    """`count` distinct report files in `folder` (created), the samples taken in turn."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n in range(count):
        name = SAMPLE_NAMES[n % len(SAMPLE_NAMES)]
        path = folder / f"{sample_path(name).stem}-{n // len(SAMPLE_NAMES):04d}.txt"
        path.write_text(renamed(name, n // len(SAMPLE_NAMES)), "utf-8")
        out.append(path)
    return out
