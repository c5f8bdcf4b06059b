"""The side panel: everything about the selected cell, down to the line of the report it came from."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nianbao.db.review import CellSource
from nianbao.db.vocabulary import FORMS_ZH, Severity, cell_name, message_zh, rule_zh, source_zh
from nianbao.publish.untrusted import clean
from nianbao.tui.plain import BLANK
from nianbao.tui.timefmt import local_time


def describe_cell(
    source: CellSource, findings: list[dict], suggestion: dict | None, version: str | None = None
) -> Text:
    """The panel's text. Built as `Text`, never markup: report text may contain brackets; and
    cleaned of control and invisible characters (tui/plain.py)."""
    text = Text()
    text.append(f"{cell_name(source.cell, version)}\n", style="bold")
    text.append(f"{source.cell}\n", style="dim")
    text.append(f"值：{BLANK if source.value is None else source.value}\n")
    text.append(f"原文：{clean(source.raw) or BLANK}\n")
    for f in findings:
        style = "bold red" if f["severity"] == Severity.ERROR else "yellow"
        text.append(f"{rule_zh(f['rule'])} ", style=style)
        text.append(f"{clean(message_zh(f, version))}\n")
    if suggestion:
        text.append(f"建议值：{suggestion['value']}", style="bold green")
        text.append(f"（{suggestion['derivation']}）按 s 采纳\n")
    for c in source.corrections:
        old, new = (BLANK if v is None else v for v in (c["old_value"], c["new_value"]))
        when = local_time(c["at"])
        text.append(f"更正 {old} → {new}：{clean(c['reason'])}（{clean(c['who'])}，{when}）\n", style="cyan")
    text.append(f"来源：{FORMS_ZH.get(source.form, source.form)} {source_zh(source.source)}\n", style="bold")
    line = source.source.line if source.source else None
    for number, content in source.excerpt:
        mark = "▶" if number == line else " "
        text.append(f"{mark} {number:>4} │ {clean(content)}\n", style="reverse" if number == line else "")
    return text


class SourcePanel(Static):
    """Shows `describe_cell` for the cell under the cursor."""

    def show(
        self, source: CellSource, findings: list[dict], suggestion: dict | None, version: str | None = None
    ) -> None:
        self.update(describe_cell(source, findings, suggestion, version))

    def clear_cell(self, hint: str) -> None:
        self.update(Text(hint, style="dim"))
