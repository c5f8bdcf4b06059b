"""The operator's app: wiring and global bindings. Screens live in tui/screens/; each turns its
own workers' failures and the library's refusals into a notification (never a traceback)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import Screen

from nianbao.tui.screens.queue import QueueScreen

# Textual's own palette commands, in Chinese (their English follows in the palette).
TEXTUAL_COMMANDS_ZH = {
    "Theme": ("主题", "更换配色"),
    "Quit": ("退出", "立即退出 nianbao"),
    "Keys": ("按键", "显示或隐藏当前部件的说明和可用的键"),
    "Maximize": ("最大化", "放大当前部件"),
    "Minimize": ("还原", "把放大的部件还原"),
    "Screenshot": ("截图", "把当前屏幕保存为 SVG"),
}


class NianbaoApp(App):
    TITLE = "nianbao 年报"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f1", "help", "帮助", tooltip="帮助：一天的工作和每个屏幕的键 · Help: the workflow and every screen's keys"
        ),
        Binding(
            "ctrl+p",
            "command_palette",
            "命令",
            show=False,
            priority=True,
            tooltip="打开命令面板 · Open the command palette",
        ),
    ]

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.sub_title = db_path

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(self.db_path))

    def action_help(self) -> None:
        from nianbao.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette (Ctrl+P) lists every action of the screen in hand, then the app's.
        Titles carry the English tooltip too, so typing "publish" finds 发布."""
        for node in (screen, self):
            for binding in node.BINDINGS:
                if isinstance(binding, Binding) and binding.description:
                    title = f"{binding.description} ({binding.key}) · {binding.tooltip}"
                    yield SystemCommand(title, "", partial(node.run_action, binding.action))  # all in the title
        for command in super().get_system_commands(screen):  # Textual's own: theme, quit, keys …
            title, help_text = TEXTUAL_COMMANDS_ZH.get(command.title, (command.title, command.help))
            yield command._replace(title=f"{title} · {command.title}", help=help_text)

    def action_command_palette(self) -> None:
        """Textual's palette, with a Chinese prompt."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder="搜索命令（中文或英文）…"))

    def open_report(self, report_id: int) -> None:
        from nianbao.tui.screens.report import ReportScreen

        self.push_screen(ReportScreen(self.db_path, report_id))

    def open_publish(self) -> None:
        """The publish screen is made once and kept: a Datasette started there outlives a visit."""
        from nianbao.tui.screens.publishing import PublishScreen

        if not self.is_screen_installed("publish"):
            self.install_screen(PublishScreen(self.db_path), "publish")
        self.push_screen("publish")
