"""The side panel: everything about the selected cell, down to the line of the report it came from."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nianbao.db.review import CellSource
from nianbao.publish.untrusted import clean
from nianbao.tui.plain import BLANK


def describe_cell(source: CellSource, findings: list[dict], suggestion: dict | None) -> Text:
    """The panel's text. Built as `Text`, never markup: report text may contain brackets; and
    cleaned of control and invisible characters (tui/plain.py)."""
    text = Text()
    text.append(f"{source.cell}\n", style="bold")
    text.append(f"值 value: {BLANK if source.value is None else source.value}\n")
    text.append(f"原文 printed: {clean(source.raw) or BLANK}\n")
    for f in findings:
        style = "bold red" if f["severity"] == "error" else "yellow"
        text.append(f"{f['rule']} ", style=style)
        text.append(f"{clean(f['message_zh'])}\n")
    if suggestion:
        text.append(f"建议 suggestion: {suggestion['value']}", style="bold green")
        text.append(f" ({suggestion['derivation']}) [s]\n")
    for c in source.corrections:
        old, new = (BLANK if v is None else v for v in (c["old_value"], c["new_value"]))
        text.append(f"更正 {old} → {new}: {clean(c['reason'])} ({clean(c['who'])}, {c['at']})\n", style="cyan")
    where = source.source.describe() if source.source else "unknown"
    text.append(f"来源 source: {source.form}, {where}\n", style="bold")
    line = source.source.line if source.source else None
    for number, content in source.excerpt:
        mark = "▶" if number == line else " "
        text.append(f"{mark} line {number:>4} │ {clean(content)}\n", style="reverse" if number == line else "")
    return text


class SourcePanel(Static):
    """Shows `describe_cell` for the cell under the cursor."""

    def show(self, source: CellSource, findings: list[dict], suggestion: dict | None) -> None:
        self.update(describe_cell(source, findings, suggestion))

    def clear_cell(self, hint: str) -> None:
        self.update(Text(hint, style="dim"))
