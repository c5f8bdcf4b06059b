"""Atomic output: a publish is built aside and swapped in, so readers of the output directory
see the previous site whole or the new one whole, never half of each, even if the build is
interrupted.

Two builds stay on disk: the live one and the one before it, which the next publish brings up to
date (`mirror`: hard links to the live build's files, for what differs) and changes where the data
changed, instead of writing 50,000 files again. Builds therefore share files: a file in a build is
never written into, only replaced (`write_file`), or the live site would change under its readers.
"""

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


def live_build(out: Path) -> Path | None:
    """The build out/.live points at, if it is one of out/.builds."""
    link = out / LIVE
    if not link.is_symlink():
        return None
    build = (out / os.readlink(link)).resolve()
    return build if build.parent == (out / BUILDS).resolve() and build.is_dir() else None


def spare_build_dir(out: Path, live: Path) -> Path:
    """A build to reuse for the next publish: the newest one that is not live (the previous
    publish, or a leftover of an interrupted one; `mirror` repairs either), else a new one."""
    return _spare(out, live) or new_build_dir(out)


def _spare(out: Path, live: Path | None) -> Path | None:
    live_path = live.resolve() if live else None
    builds = sorted(p for p in (out / BUILDS).iterdir() if p.name.isdigit() and p.resolve() != live_path)
    return builds[-1] if builds else None


def mirror(source: Path, target: Path) -> int:
    """Make `target` hold exactly the files of `source`, as hard links to them, touching only
    what differs (an entry is the same file when it has the same inode, which `os.scandir`
    reads without a stat). Returns how many files were linked."""
    target.mkdir(parents=True, exist_ok=True)
    wanted = {e.name: e for e in os.scandir(source)}
    linked = 0
    for entry in os.scandir(target):
        have = wanted.get(entry.name)
        if have is None or _is_dir(have) != _is_dir(entry) or (not _is_dir(entry) and have.inode() != entry.inode()):
            _remove(Path(entry.path))
    present = {e.name for e in os.scandir(target)}
    for name, entry in wanted.items():
        if _is_dir(entry):
            linked += mirror(Path(entry.path), target / name)
        elif name not in present:
            os.link(entry.path, target / name, follow_symlinks=False)
            linked += 1
    return linked


def mirror_paths(source: Path, target: Path, paths: list[str]) -> int:
    """`mirror` for just these paths (files or folders, relative to both); a path missing from
    `source` is removed from `target`."""
    linked = 0
    for relative in paths:
        have, want = target / relative, source / relative
        if want.is_dir() and not want.is_symlink():
            if have.is_symlink() or have.is_file():
                have.unlink()
            linked += mirror(want, have)
            continue
        if have.is_symlink() or have.exists():
            if want.exists() and os.lstat(want).st_ino == os.lstat(have).st_ino:
                continue
            _remove(have)
        if want.is_symlink() or want.exists():
            have.parent.mkdir(parents=True, exist_ok=True)
            os.link(want, have, follow_symlinks=False)
            linked += 1
    return linked


def write_file(path: Path, data: bytes) -> None:
    """Write `path` as a new file: an existing one (maybe shared with the live build) is
    unlinked first, never written into."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_bytes(data)


def _is_dir(entry: os.DirEntry) -> bool:
    return entry.is_dir(follow_symlinks=False)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def swap_in(out: Path, build: Path, names: tuple[str, ...]) -> None:
    """Make `build` the live output with one atomic rename: out/.live points at the build, and
    out/NAME are fixed links through it (.live/NAME), so Datasette and the site switch together.
    An old real directory at out/NAME (not ours) is refused rather than deleted."""
    for name in names:
        link = out / name
        if link.exists() and not link.is_symlink():
            raise FileExistsError(f"{link} 已存在，且不是 nianbao 发布的链接：请把它移走")
    _point(out / LIVE, build.relative_to(out))
    for name in names:  # once: the first publish here, or one made before .live
        if not (out / name).is_symlink() or Path(os.readlink(out / name)) != Path(LIVE, name):
            _point(out / name, Path(LIVE, name))


def point_live(out: Path, build: Path | None) -> None:
    """Make `build` the live one again (None: nothing live), as a failed publish undoes its swap.
    out/NAME link through out/.live, so that one link is all there is to point back."""
    if build is None:
        (out / LIVE).unlink(missing_ok=True)
        return
    _point(out / LIVE, Path(os.path.relpath(build, out.resolve())))


def _point(link: Path, target: Path) -> None:
    """Point `link` at `target`, atomically: a new link renamed over the old one."""
    temporary = link.with_name(f".{link.name.lstrip('.')}.new")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target, target_is_directory=True)
    os.replace(temporary, link)


def remove_old_builds(out: Path, live: Path | None) -> None:
    """Keep the live build and the newest other one (the next publish's starting point); delete
    the rest: older builds and interrupted builds' leftovers."""
    kept = {p.resolve() for p in (live, _spare(out, live)) if p is not None}
    for path in (out / BUILDS).iterdir():
        if path.resolve() not in kept:
            shutil.rmtree(path, ignore_errors=True)
