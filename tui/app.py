"""The operator's app: wiring, global bindings and error routing. Screens live in tui/screens/."""

from __future__ import annotations

from textual.app import App

from tui.screens.queue import QueueScreen


class NianbaoApp(App):
    TITLE = "nianbao 年报"

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.sub_title = db_path

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(self.db_path))

    def open_report(self, report_id: int) -> None:
        from tui.screens.report import ReportScreen

        self.push_screen(ReportScreen(self.db_path, report_id))
