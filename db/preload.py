"""Imported by the parse workers' fork server (db/workers.py, `PRELOAD`) and by nothing else:
one bundled sample read and parsed, so that every worker forked from the server starts with
what a first parse loads (the division codes, label tables, compiled patterns, caches) already
in memory. Each worker paid that, ~0.3 s, on its first file."""

from __future__ import annotations

from importlib.resources import files

from nianbao.db.pipeline import parse_bytes


def _warm() -> None:
    sample = next(p for p in sorted((files("nianbao.db") / "samples").iterdir(), key=str) if p.name.endswith(".txt"))
    try:
        parse_bytes(sample.read_bytes(), sample.name)
    except Exception:  # noqa: BLE001, S110 - a cold worker is slower, never wrong: the server must start
        pass


_warm()
