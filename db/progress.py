"""What an import says while it runs, for the app and the CLI to show: one callback of events.

`Started` once (how many files, how many processes parse them), `FileStarted` before each file
is stored, in file order. Nothing here prints: the front ends decide what to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Started:
    """The batch: `total` files found, parsed by `workers` processes (1: the importing one)."""

    total: int
    workers: int


@dataclass(frozen=True)
class FileStarted:
    """The file in hand: `done` files of `total` are done before it."""

    done: int
    total: int
    path: str


Event = Started | FileStarted
Progress = Callable[[Event], None]
