"""What many tests use: the bundled samples (package data, never ../shared), distinct copies of
them, and an app mixin that records notifications. Imported as `tests.helpers` (pyproject.toml puts
the repository root on pytest's path), never from a conftest or another test module."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

SAMPLES = Path(str(files("nianbao.db") / "samples"))
SAMPLE_NAMES = sorted(p.stem for p in SAMPLES.glob("*.txt"))


def sample_path(name: str) -> Path:
    """Path of a bundled sample by its name or its 3-digit prefix ("003")."""
    matches = [p for p in SAMPLES.glob("*.txt") if p.stem == name or p.stem.startswith(f"{name}_")]
    assert len(matches) == 1, name
    return matches[0]


def sample_bytes(name: str) -> bytes:
    return sample_path(name).read_bytes()


def expected(name: str) -> dict:
    path = SAMPLES / "expected" / f"{sample_path(name).stem}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def distinct_copies(folder: Path, count: int, names: list[str] = SAMPLE_NAMES) -> list[Path]:
    """`count` distinct text reports written to `folder`, made from the samples in turn with the
    county renamed (夏县 → 夏7县), so each one takes the normal insert path of an import."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {name: (sample_path(name).read_text("utf-8"), expected(name)["region"]) for name in names}
    paths = []
    for i in range(count):
        name = names[i % len(names)]
        text, region = texts[name]
        path = folder / f"{name}-{i:05d}.txt"
        path.write_text(text.replace(region, f"{region[:-1]}{i}{region[-1]}"), "utf-8")
        paths.append(path)
    return paths


class NoticeRecorder:
    """Mixin for a Textual app under test: keeps every notification it shows as (severity, text)."""

    @property
    def shown(self) -> list[tuple[str, str]]:
        return self.__dict__.setdefault("_shown", [])

    def notify(self, message, *, severity="information", **kwargs):
        self.shown.append((severity, str(message)))
        return super().notify(message, severity=severity, **kwargs)
