"""Home: the database at a glance and the review queue, most errors first, filterable by status,
year, province and rule. Enter opens a report for review."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Select, Static

from nianbao.db.checks import RULES
from nianbao.db.overview import STATUSES, Overview, QueueFilter, overview, queue
from nianbao.db.schema import connect
from nianbao.db.vocabulary import Status, status_zh
from nianbao.tui.plain import plain
from nianbao.tui.timefmt import local_time

if TYPE_CHECKING:
    from nianbao.tui.app import NianbaoApp


class QueueTable(DataTable):
    """The queue; Enter opens the report under the cursor (shown in the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter", "select_cursor", "打开", tooltip="打开：审核所选报告 · Open: review the selected report", show=True
        )
    ]


class QueueScreen(Screen):
    CSS_PATH = "queue.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "import_files", "导入", tooltip="导入报告文件或文件夹 · Import report files or a folder"),
        Binding(
            "p",
            "publish",
            "发布",
            tooltip="发布已批准的报告：网站和 Datasette · Publish the approved reports: the site and Datasette",
        ),
        Binding("r", "refresh", "刷新", tooltip="刷新：重新读取数据库 · Refresh: read the database again"),
        Binding(
            "f",
            "focus_filters",
            "筛选",
            tooltip="按状态、年度、省份或规则筛选队列 · Filter the queue by status, year, province or rule",
        ),
        Binding("q", "app.quit", "退出", tooltip="退出 nianbao · Quit nianbao"),
    ]

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.filter = QueueFilter()
        self._choices: dict[str, list[tuple[str, int | str]]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="glance")
        with Horizontal(id="filters"):
            yield Select([(s.zh, str(s)) for s in (*STATUSES, Status.REMOVED)], prompt="状态", id="status")
            yield Select([], prompt="年度", id="year")
            yield Select([], prompt="省份", id="province")
            yield Select([(f"{r.title_zh} {r.id}", r.id) for r in RULES.values()], prompt="规则", id="rule")
        yield QueueTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#queue", DataTable).add_columns(
            "编号", "地区", "年度", "状态", "错误", "提示", "机关", "省份", "规则"
        )
        self.action_refresh()
        self.query_one("#queue", DataTable).focus()

    def action_refresh(self) -> None:
        with connect(self.db_path) as db:
            glance = overview(db)
            rows = queue(db, self.filter)
        self._show_glance(glance)
        self._fill_choices(glance)
        table = self.query_one("#queue", DataTable)
        table.clear()
        for row in rows:
            table.add_row(
                str(row.id), plain(row.region), plain(row.year), status_zh(row.status),
                str(row.errors), str(row.warnings), plain(row.organ), plain(row.province), plain(" ".join(row.rules)),
                key=str(row.id),
            )  # fmt: skip

    def _show_glance(self, glance: Overview) -> None:
        if not glance.reports:
            self.query_one("#glance", Static).update("尚无报告。按 i 导入一个报告文件夹（F1 帮助）")
            return
        statuses = " · ".join(f"{status_zh(s)} {n}" for s, n in glance.by_status.items())
        years = " ".join(f"{y}:{n}" for y, n in list(glance.by_year.items())[:5])
        removed = f" · 已移除 {glance.removed}" if glance.removed else ""
        self.query_one("#glance", Static).update(
            f"报告 {glance.reports} 份 · {statuses}{removed} · 错误 {glance.errors} · 提示 {glance.warnings}\n"
            f"年度 {years} · 省份 {len(glance.by_province)} 个 · 上次导入 {local_time(glance.last_import)}"
            f" · 上次发布 {local_time(glance.last_publish)}"
        )

    def _fill_choices(self, glance: Overview) -> None:
        """Year and province choices follow the database; a choice in use is kept."""
        for widget_id, values in (("year", glance.by_year), ("province", glance.by_province)):
            choices = [(str(v), v) for v in values if v != "—"]
            if self._choices.get(widget_id) != choices:
                self._choices[widget_id] = choices
                select = self.query_one(f"#{widget_id}", Select)
                current = select.value
                with select.prevent(Select.Changed):
                    select.set_options(choices)
                    if current in values:
                        select.value = current

    def on_select_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.BLANK else event.value
        self.filter = QueueFilter(**{**self.filter.__dict__, str(event.select.id): value})
        self.action_refresh()

    def action_import_files(self) -> None:
        from nianbao.tui.screens.importing import ImportScreen

        self.app.push_screen(ImportScreen(self.db_path))

    def action_publish(self) -> None:
        cast("NianbaoApp", self.app).open_publish()

    def action_focus_filters(self) -> None:
        self.query_one("#status", Select).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        cast("NianbaoApp", self.app).open_report(int(str(event.row_key.value)))

    def on_screen_resume(self) -> None:
        self.action_refresh()  # back from a report: its findings and status may have changed
