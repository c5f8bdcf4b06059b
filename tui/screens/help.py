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
# nianbao 年报 — 帮助

一天的工作分五步：

1. **导入**（首页按 `i`）：选择报告文件夹（PDF、Word、网页、文本）；每个文件一行：已导入、有待审核的问题，
   或失败及原因。
2. **审核**（在报告上按 Enter）：有问题的单元格标红（错误）或标黄（提示）；`n` 跳到下一个；右侧面板显示
   原文所在的行，或 PDF、Word、网页中的单元格。`1`–`6` 切换表二、表三、表四、正文、检查、记录。
3. **更正**（`e`，须写理由），或**采纳**建议值（`s`）；检查随即重新运行。批量：`S` 采纳全部建议值，
   `b` 将所有空白单元格记为“空白照录”。报告的机关、地区、年度：`i`；`x` 移除重复的报告。
4. **批准**（`a`）：仍有错误时，须说明为何接受。
5. **发布**（首页按 `p`）：生成网站和 Datasette 文件，然后启动 Datasette。

`Ctrl+P` 列出当前屏幕的所有操作（中文、英文均可搜索）；`F1` 打开本帮助；`Ctrl+Q` 退出。
"""


def screens() -> list[tuple[str, type[Screen]]]:
    from nianbao.tui.screens.importing import ImportScreen
    from nianbao.tui.screens.publishing import PublishScreen
    from nianbao.tui.screens.queue import QueueScreen
    from nianbao.tui.screens.report import ReportScreen

    return [
        ("首页与审核队列", QueueScreen),
        ("导入", ImportScreen),
        ("报告审核", ReportScreen),
        ("发布", PublishScreen),
    ]


def keys_markdown() -> str:
    """One table per screen: key, what it does, and the longer explanation (the tooltip's Chinese;
    its English is for the footer's hover and the palette). Keys the footer leaves out for room
    (the report's tab keys 1–6) are listed too."""
    parts = []
    for title, screen in screens():
        rows = [
            f"| `{_key(b.key)}` | {b.description} | {(b.tooltip or '').split(' · ')[0]} |"
            for b in screen.BINDINGS
            if isinstance(b, Binding) and b.description
        ]
        parts.append(f"## {title}\n\n| 键 | 操作 | 说明 |\n|---|---|---|\n" + "\n".join(rows))
    return "\n\n".join(parts)


def _key(key: str) -> str:
    return "+".join(part.capitalize() if len(part) > 1 else part for part in key.split("+"))


class HelpScreen(ModalScreen):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "关闭", tooltip="关闭帮助 · Close the help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(WORKFLOW + "\n" + keys_markdown())

    def on_mount(self) -> None:
        self.query_one("#help").focus()
