"""The operator's app. For now one screen: the reports in the database, with what the checks found.
The import, review, correction and publish screens come with the app's own issue."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from db.schema import connect


class NianbaoApp(App):
    TITLE = "nianbao 年报"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("r", "refresh", "Refresh", tooltip="Read the database again"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.sub_title = db_path

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield DataTable(id="reports", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#reports", DataTable)
        table.add_columns("id", "organ 机关", "year 年度", "status 状态", "errors 错误", "warnings 提示")
        self.action_refresh()

    def action_refresh(self) -> None:
        with connect(self.db_path) as db:
            rows = list(
                db.query(
                    "SELECT r.id, r.organ, r.year, r.status,"
                    " (SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.severity = 'error') AS errors,"
                    " (SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.severity = 'warning') AS warnings"
                    " FROM reports r ORDER BY errors DESC, warnings DESC, r.year DESC, r.organ"
                )
            )
        table = self.query_one("#reports", DataTable)
        table.clear()
        for row in rows:
            table.add_row(*(str(row[k]) if row[k] is not None else "—" for k in row), key=str(row["id"]))
        need = sum(1 for row in rows if row["errors"])
        self.query_one("#summary", Static).update(
            f"{len(rows)} reports · {need} with errors to review" if rows else "No reports yet: nianbao import PATH…"
        )
