"""Atomic output: a publish is built aside and swapped in, so readers of the output directory
see the previous site whole or the new one whole, never half of each, even if the build is
interrupted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

BUILDS = ".builds"


def new_build_dir(out: Path) -> Path:
    """A fresh directory beside the live output, on the same file system (so the swap is a rename)."""
    builds = out / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    n = 1 + max((int(p.name) for p in builds.iterdir() if p.name.isdigit()), default=0)
    path = builds / f"{n:06d}"
    path.mkdir()
    return path


def swap_in(out: Path, build: Path, names: tuple[str, ...]) -> None:
    """Point out/NAME at build/NAME for each name: a symlink replaced with os.replace is atomic.
    An old real directory at out/NAME (not ours) is refused rather than deleted."""
    for name in names:
        link = out / name
        if link.exists() and not link.is_symlink():
            raise FileExistsError(f"{link} exists and is not a nianbao publish link; move it away")
        temporary = out / f".{name}.new"
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        temporary.symlink_to(build.relative_to(out) / name, target_is_directory=True)
        os.replace(temporary, link)


def remove_old_builds(out: Path, keep: Path) -> None:
    """Delete builds no link points at any more (an interrupted build's leftovers too)."""
    for path in (out / BUILDS).iterdir():
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)
