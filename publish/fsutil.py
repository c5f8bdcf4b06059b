"""Atomic output: a publish is built aside and swapped in, so readers of the output directory
see the previous site whole or the new one whole, never half of each, even if the build is
interrupted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

BUILDS = ".builds"
LIVE = ".live"  # the link to the build being served


def new_build_dir(out: Path) -> Path:
    """A fresh directory beside the live output, on the same file system (so the swap is a rename)."""
    builds = out / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    n = 1 + max((int(p.name) for p in builds.iterdir() if p.name.isdigit()), default=0)
    path = builds / f"{n:06d}"
    path.mkdir()
    return path


def swap_in(out: Path, build: Path, names: tuple[str, ...]) -> None:
    """Make `build` the live output with one atomic rename: out/.live points at the build, and
    out/NAME are fixed links through it (.live/NAME), so Datasette and the site switch together.
    An old real directory at out/NAME (not ours) is refused rather than deleted."""
    for name in names:
        link = out / name
        if link.exists() and not link.is_symlink():
            raise FileExistsError(f"{link} exists and is not a nianbao publish link; move it away")
    _point(out / LIVE, build.relative_to(out))
    for name in names:  # once: the first publish here, or one made before .live
        if not (out / name).is_symlink() or Path(os.readlink(out / name)) != Path(LIVE, name):
            _point(out / name, Path(LIVE, name))


def _point(link: Path, target: Path) -> None:
    """Point `link` at `target`, atomically: a new link renamed over the old one."""
    temporary = link.with_name(f".{link.name.lstrip('.')}.new")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target, target_is_directory=True)
    os.replace(temporary, link)


def remove_old_builds(out: Path, keep: Path) -> None:
    """Delete builds no link points at any more (an interrupted build's leftovers too)."""
    for path in (out / BUILDS).iterdir():
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)
