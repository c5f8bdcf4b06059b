"""Help: the day's work in five steps and every screen's keys, read from the screens' own bindings
so that the help never disagrees with the footer."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

WORKFLOW = """\
# nianbao 年报 — 帮助 Help

1. **导入 Import** (`i` on the home screen): choose a folder of reports (PDF, Word, web pages, text);
   each file gets a line: imported, with warnings, or failed and why.
2. **核查 Review** (Enter on a report): flagged cells are red (error) or yellow (warning); `n` goes to
   the next one, the side panel shows the source lines or the PDF/Word/HTML cell it came from.
3. **更正 Correct** (`e`) with a reason, or **采纳 accept** a suggested value (`s`); the checks run
   again at once. Who, where and when the report is about: `i`.
4. **批准 Approve** (`a`): with open errors, give the reason they are accepted.
5. **发布 Publish** (`p` on the home screen): the site and the Datasette files, then start Datasette.

`Ctrl+P` lists every action of the screen you are on; `F1` opens this help; `Ctrl+Q` quits.
"""


def screens() -> list[tuple[str, type[Screen]]]:
    from nianbao.tui.screens.importing import ImportScreen
    from nianbao.tui.screens.publishing import PublishScreen
    from nianbao.tui.screens.queue import QueueScreen
    from nianbao.tui.screens.report import ReportScreen

    return [
        ("首页 Home and queue", QueueScreen),
        ("导入 Import", ImportScreen),
        ("报告 Report review", ReportScreen),
        ("发布 Publish", PublishScreen),
    ]


def keys_markdown() -> str:
    """One table per screen: key, what it does, and the longer tooltip."""
    parts = []
    for title, screen in screens():
        rows = [
            f"| `{_key(b.key)}` | {b.description} | {b.tooltip} |"
            for b in screen.BINDINGS
            if isinstance(b, Binding) and b.show
        ]
        parts.append(f"## {title}\n\n| key | action | |\n|---|---|---|\n" + "\n".join(rows))
    return "\n\n".join(parts)


def _key(key: str) -> str:
    return "+".join(part.capitalize() if len(part) > 1 else part for part in key.split("+"))


class HelpScreen(ModalScreen):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "关闭", tooltip="Close the help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(WORKFLOW + "\n" + keys_markdown())

    def on_mount(self) -> None:
        self.query_one("#help").focus()
