"""Faults planted in every process of a test, worker processes included.

Parse workers are not forked from the test's process: a monkeypatch of it never reaches them.
`plant()` writes a `sitecustomize` that Python imports at the start of every interpreter started
with the test's environment (the CLI's process; the fork server that the workers of the CLI and
the app are forked from, started again when the environment has changed: db/workers.py) and
plants the fault there too. The fault strikes only files whose name holds `boom`.
"""

from __future__ import annotations

import os
from pathlib import Path

KIND = "NIANBAO_TEST_FAULT"  # raise | allocate | die
TRIGGER = "boom"
PLANTED = "planted reader bug 植入的缺陷"
ROOT = Path(__file__).resolve().parent.parent


def faulty(real):
    """`read_document` with the fault of $NIANBAO_TEST_FAULT for the files named boom."""

    def read_document(data: bytes, name: str, folder=None):
        if TRIGGER in name:
            kind = os.environ.get(KIND, "raise")
            if kind == "allocate":
                hog = [bytearray(64 * 2**20) for _ in range(10_000)]  # until the memory cap stops it
                del hog
            elif kind == "die":
                os._exit(70)  # as the kernel's OOM killer would leave it: no exception, no result
            else:
                raise RuntimeError(PLANTED)
        return real(data, name, folder)

    return read_document


def install() -> None:
    """Called by the planted sitecustomize at each interpreter's start."""
    if os.environ.get(KIND):
        from nianbao.db import pipeline

        pipeline.read_document = faulty(pipeline.read_document)


def plant(monkeypatch, folder: Path, kind: str = "raise") -> None:
    """The fault in this process and in every process started from now on in the test."""
    from nianbao.db import pipeline

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text("from tests.worker_faults import install\ninstall()\n")
    path = [str(folder), str(ROOT), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in path if p))
    monkeypatch.setenv(KIND, kind)
    monkeypatch.setattr(pipeline, "read_document", faulty(pipeline.read_document))
