"""The steps of a long job (a publish), a line each, wrapped at the widget's width.

Textual's `Log` cuts a line at the edge: a refusal naming the reports a publish would remove, or
a folder path, ran off an 80-column terminal. A `RichLog` wraps them; `written` keeps each step
as it was said, whole, for whoever reads the log back.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import RichLog


class StepLog(RichLog):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, **kwargs)
        self.written: list[str] = []

    def write_line(self, text: str) -> None:
        """One step, as plain text (a folder name is never markup)."""
        self.written.append(text)
        self.write(text)

    def clear(self) -> StepLog:
        self.written.clear()
        super().clear()
        return self

    def shown(self) -> list[str]:
        """The lines as the screen shows them now, wrapped."""
        return [strip.text.rstrip() for strip in self.lines]
