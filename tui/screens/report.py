"""Reviewing one report: its tables as on the form, what the checks found, where each value came
from; correct a cell, accept a suggestion, approve. Every action opens its own short-lived
database connection (a few ms each), so nothing is shared between threads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from nianbao.db import queries, review
from nianbao.db.format import SECTION_BY_KEY
from nianbao.db.model import Report
from nianbao.db.review import ReviewError
from nianbao.db.schema import Database, connect
from nianbao.db.vocabulary import (
    TRAIL_KINDS,
    Severity,
    Status,
    cell_name,
    message_zh,
    rule_zh,
    severity_zh,
    status_zh,
    trail_reason_zh,
)
from nianbao.publish.untrusted import clean
from nianbao.tui.plain import BLANK, plain
from nianbao.tui.screens.dialogs import ActionDialog, ClashDialog, CorrectionDialog, IdentityDialog, OverrideDialog
from nianbao.tui.timefmt import local_time
from nianbao.tui.widgets.report_table import Marks, ReportTable
from nianbao.tui.widgets.source_panel import SourcePanel

WIDE = 140  # terminal columns from which table labels are shown whole
TABLE_TABS = {"table2": "表二", "table3": "表三", "table4": "表四"}
TABS = {
    **TABLE_TABS,
    "text": "正文",
    "checks": "检查",
    "log": "记录",
}
TAB_EN = {
    "table2": "table 2 (proactive disclosure)",
    "table3": "table 3 (applications)",
    "table4": "table 4 (reviews and lawsuits)",
    "text": "the report's text",
    "checks": "what the checks found",
    "log": "the audit trail",
}


@contextmanager
def opened(path: str) -> Iterator[Database]:
    """A connection for one action, closed after it."""
    db = connect(path)
    try:
        yield db
    finally:
        db.close()


class ReportScreen(Screen):
    """The review of one report; the app pushes it with the database path and the report id."""

    CSS_PATH = "report.tcss"
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 - Textual types it so
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e",
            "edit",
            "修改",
            tooltip="更正所选单元格（须写理由） · Edit: correct the selected cell (a reason is required)",
        ),
        Binding(
            "s", "accept", "采纳", tooltip="采纳所选单元格的建议值 · Accept the suggested value of the selected cell"
        ),
        Binding(
            "S",
            "accept_all",
            "全部采纳",
            show=False,
            tooltip="采纳本报告的全部建议值 · Accept every suggested value of the report",
        ),
        Binding(
            "b",
            "blank_all",
            "空白照录",
            show=False,
            tooltip="把所有空白单元格记为“空白照录”（须写理由） · Record every blank cell as blank as printed (a reason)",
        ),
        Binding(
            "x",
            "remove",
            "移除",
            show=False,
            tooltip="移除本报告（重复的副本）：保留记录，不发布 · Remove the report (a stray copy): kept, not published",
        ),
        Binding("n", "next_issue", "下一个", tooltip="跳到下一个有问题的单元格 · Next: go to the next flagged cell"),
        Binding(
            "i",
            "identity",
            "身份",
            tooltip="设置机关、地区、年度或发布日期 · Identity: set the organ, region, year or publication date",
        ),
        Binding(
            "a",
            "approve",
            "批准",
            tooltip="批准本报告（仍有错误时须说明理由） · Approve the report (open errors need an override reason)",
        ),
        Binding("p", "toggle_panel", "面板", tooltip="显示或隐藏原文面板 · Panel: show or hide the source panel"),
        Binding(
            "c",
            "cell_image",
            "图像",
            show=False,
            tooltip="把所选单元格在原文中的图像写成 PNG 文件 · Write the selected cell's picture as printed to a PNG file",
        ),
        Binding("escape", "back", "返回", tooltip="返回上一个屏幕 · Back to the previous screen"),
        *(
            Binding(str(i), f"tab('{tab}')", f"{title}页", show=False, tooltip=f"显示{title} · Show {TAB_EN[tab]}")
            for i, (tab, title) in enumerate(TABS.items(), start=1)
        ),
    ]

    def __init__(self, db_path: str, report_id: int) -> None:
        super().__init__()
        self.db_path = db_path
        self.report_id = report_id
        self.marks = Marks()
        self.findings: list[dict] = []
        self.suggestions: dict[str, dict] = {}
        self.selected: str | None = None
        self.row: dict = {}
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="identity")
        with Horizontal(id="body"):
            with TabbedContent(id="tabs", initial="table2"):
                for table, title in TABLE_TABS.items():
                    with TabPane(title, id=table):
                        yield ReportTable(table, id=f"grid-{table}")
                with TabPane(TABS["text"], id="text"), VerticalScroll():
                    yield Static(id="narratives")
                with TabPane(TABS["checks"], id="checks"):
                    yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
                with TabPane(TABS["log"], id="log"):
                    yield DataTable(id="audit", cursor_type="row", zebra_stripes=True)
            yield SourcePanel(id="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#findings", DataTable).add_columns("级别", "规则", "单元格", "说明")
        self.query_one("#audit", DataTable).add_columns("时间", "谁", "类别", "对象", "旧", "新", "理由")
        self.reload()
        self.action_next_issue()

    # --- Loading ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the report, its findings, suggestions and trail again and redraw everything."""
        try:
            with opened(self.db_path) as db:
                row = review.report_row(db, self.report_id)
                report = review.load_report(db, self.report_id)
                self.findings = review.findings(db, self.report_id)
                self.suggestions = {s["cell"]: s for s in queries.suggestions(db, self.report_id)}
                trail = review.audit_trail(db, self.report_id)
        except ReviewError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.marks = Marks(
            [(cell, f["severity"]) for f in self.findings for cell in json.loads(f["cells"])],
            {cell: s["value"] for cell, s in self.suggestions.items()},
        )
        self.sub_title = f"报告 {self.report_id}"
        self.row = row
        self.query_one("#identity", Static).update(self._identity(row))
        self.report = report
        self._show_tables()
        self._show_narratives(report.sections)
        self._show_findings()
        self._show_trail(trail)
        self._show_source()

    def _wide(self) -> bool:
        """Whole labels from 140 columns on (the side panel takes its third)."""
        return self.app.size.width >= WIDE

    def _show_tables(self) -> None:
        if self.report is None:
            return
        for table in TABLE_TABS:
            self._grid(table).show(self.report, self.marks, wide=self._wide())

    def on_resize(self) -> None:
        if self.report is not None and self._grid("table3").wide != self._wide():
            self._show_tables()

    def _identity(self, row: dict) -> Text:
        errors = sum(f["severity"] == Severity.ERROR for f in self.findings)
        warnings = len(self.findings) - errors
        region = " ".join(str(row[k]) for k in ("region_code", "province", "prefecture") if row[k]) or BLANK
        text = Text(f"{clean(row['organ'] or BLANK)} · {row['year'] or BLANK} · ")
        good = row["status"] in (Status.READY, Status.APPROVED, Status.PUBLISHED)
        text.append(status_zh(row["status"]), style="bold green" if good else "bold yellow")
        text.append(f" · {region} · ")
        text.append(f"错误 {errors}", style="bold red" if errors else "")
        text.append(f" · 提示 {warnings}", style="yellow" if warnings else "")
        if any(f["rule"] == "IDENTITY" for f in self.findings):
            text.append(" · 按 i 设置机关、地区、年度", style="bold")
        return text

    def _show_narratives(self, sections: dict[str, str]) -> None:
        text = Text()
        order = {key: section.number for key, section in SECTION_BY_KEY.items()}
        for key, body in sorted(sections.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])):
            section = SECTION_BY_KEY.get(key)
            text.append(f"{section.number}. {section.title}\n" if section else f"{key}\n", style="bold")
            text.append(f"{clean(body.strip()) or BLANK}\n\n")
        self.query_one("#narratives", Static).update(text or Text("（无正文）", style="dim"))

    def _show_findings(self) -> None:
        table = self.query_one("#findings", DataTable)
        table.clear()
        for i, f in enumerate(self.findings):
            style = "bold red" if f["severity"] == Severity.ERROR else "yellow"
            version = self.row.get("format")
            cells = "，".join(cell_name(c, version) for c in json.loads(f["cells"]))
            table.add_row(
                Text(severity_zh(f["severity"]), style=style),
                plain(rule_zh(f["rule"])),
                plain(cells),
                plain(message_zh(f, version)),
                key=str(i),
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a finding goes to its first cell (or opens the identity dialog for its fields)."""
        if event.data_table.id != "findings":
            return
        patterns = json.loads(self.findings[int(str(event.row_key.value))]["cells"])
        if any(p in review.IDENTITY_FIELDS for p in patterns):
            self.action_identity()
            return
        marks = Marks([(p, "") for p in patterns])
        for table in TABLE_TABS:
            path = next((p for p in self._grid(table).ordered_paths() if marks.severity(p) is not None), None)
            if path is not None:
                self._go_to(table, path)
                return
        self.notify("这条发现针对正文，没有对应的单元格")

    def _show_trail(self, trail: list[dict]) -> None:
        table = self.query_one("#audit", DataTable)
        table.clear()
        for t in trail:
            kind = TRAIL_KINDS.get(t["kind"], t["kind"])
            what = status_zh(t["what"]) if t["kind"] == "status" else cell_name(t["what"], self.row.get("format"))
            values = (
                local_time(t["at"]),
                t["who"],
                kind,
                what,
                t["old_value"],
                t["new_value"],
                trail_reason_zh(t["reason"]),
            )
            table.add_row(*map(plain, values))

    # --- The selected cell -----------------------------------------------------------------------

    def _active_table(self) -> ReportTable | None:
        active = self.query_one("#tabs", TabbedContent).active
        return self.query_one(f"#grid-{active}", ReportTable) if active in TABLE_TABS else None

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if event.data_table is self._active_table():  # other tables post events when refilled
            self.selected = event.data_table.path_at(event.coordinate)
            self._show_source()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        table = self._active_table()
        if table is not None:
            table.focus()
            self.selected = table.path_at()
            self._show_source()

    def _show_source(self) -> None:
        panel = self.query_one(SourcePanel)
        if self.selected is None:
            panel.clear_cell("在表二、表三或表四中选择一个单元格")
            return
        try:
            with opened(self.db_path) as db:
                source = review.cell_source(db, self.report_id, self.selected)
        except ReviewError as error:
            panel.clear_cell(str(error))
            return
        on_cell = [f for f in self.findings if self._on(f, self.selected)]
        panel.show(source, on_cell, self.suggestions.get(self.selected), self.row.get("format"))

    @staticmethod
    def _on(finding: dict, path: str) -> bool:
        return Marks([(c, "") for c in json.loads(finding["cells"])]).severity(path) is not None

    def _selected_cell(self) -> str | None:
        if self._active_table() is None or self.selected is None:
            self.notify("请先在表二、表三或表四中选择单元格", severity="warning")
            return None
        return self.selected

    # --- Actions ---------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def action_next_issue(self) -> None:
        """Jump to the next flagged cell after the selected one, across tables."""
        order = [(t, p) for t in TABLE_TABS for p in self._grid(t).ordered_paths()]
        flagged = [(t, p) for t, p in order if self.marks.severity(p) or p in self.suggestions]
        if not flagged:
            return
        after = [i for i, (_, p) in enumerate(order) if p == self.selected]
        start = after[0] if after and self._active_table() is not None else -1
        self._go_to(*next(((t, p) for t, p in flagged if order.index((t, p)) > start), flagged[0]))

    def _grid(self, table: str) -> ReportTable:
        return self.query_one(f"#grid-{table}", ReportTable)

    def _go_to(self, table: str, path: str) -> None:
        """Show `table`, put the cursor on `path` and its source in the panel."""
        self.action_tab(table)
        grid = self._grid(table)
        coordinate = grid.coordinate_of(path)
        if coordinate is not None:
            grid.move_cursor(row=coordinate.row, column=coordinate.column, animate=False)
            # again once the tab is shown and laid out, so that the cell scrolls into view
            self.call_after_refresh(grid.move_cursor, row=coordinate.row, column=coordinate.column, animate=False)
        self.selected = path
        self._show_source()

    def action_edit(self) -> None:
        cell = self._selected_cell()
        if cell is None:
            return
        with opened(self.db_path) as db:
            value = review.load_report(db, self.report_id).get(cell).value
        current = BLANK if value is None else str(value)

        def done(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self._change(lambda db: [review.correct(db, self.report_id, cell, answer[0], answer[1])])

        self.app.push_screen(CorrectionDialog(cell_name(cell, self.row.get("format")), current), done)

    def action_cell_image(self) -> None:
        """The selected cell's picture as printed, cut from the PDF page or scan, written to a
        temporary PNG whose path is said (the terminal cannot show pictures)."""
        cell = self._selected_cell()
        if cell is None:
            return
        import os
        import tempfile

        from nianbao.db.crop import cell_png
        from nianbao.db.errors import NianbaoError

        try:
            with opened(self.db_path) as db:
                png = cell_png(db, self.report_id, cell)
            fd, path = tempfile.mkstemp(prefix=f"nianbao-{self.report_id}-{cell}-", suffix=".png")
            with os.fdopen(fd, "wb") as out:
                out.write(png)
        except (NianbaoError, OSError) as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self.notify(f"{cell} 的图像已写入 {path}", markup=False, timeout=30)

    def action_accept(self) -> None:
        cell = self._selected_cell()
        if cell is None:
            return
        if cell not in self.suggestions:
            self.notify(f"{cell}：没有建议值", severity="warning", markup=False)
            return
        self._change(lambda db: review.accept_suggestions(db, self.report_id, cells=[cell]))

    def action_accept_all(self) -> None:
        if not self.suggestions:
            self.notify("这份报告没有建议值", severity="warning")
            return
        self._change(lambda db: review.accept_suggestions(db, self.report_id))

    def action_blank_all(self) -> None:
        if self.report is None:
            return
        blank = [p for t in TABLE_TABS for p in self._grid(t).ordered_paths() if self.report.get(p).value is None]
        if not blank:
            self.notify("这份报告没有空白单元格", severity="warning")
            return

        def done(reason: str | None) -> None:
            if reason:
                self._change(lambda db: review.record_blanks(db, self.report_id, (), reason))

        title = f"将全部 {len(blank)} 个空白单元格记为“空白照录”（保持空白，不作 0）"
        self.app.push_screen(ActionDialog(title, "空白照录"), done)

    def action_remove(self) -> None:
        def done(reason: str | None) -> None:
            if reason:
                self._act(lambda db: review.remove(db, self.report_id, reason), "已移除：不再出现在队列和发布中")

        title = f"移除报告 {self.report_id}：不再出现在队列和发布中，文件和记录保留"
        self.app.push_screen(ActionDialog(title, "移除", "warning"), done)

    def _act(self, do, done: str) -> None:
        """Run a report-level action (remove, merge), reload and say it is done."""
        try:
            with opened(self.db_path) as db:
                do(db)
        except ReviewError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.reload()
        self.notify(done, markup=False)

    def _change(self, do) -> None:
        """Run a correction, reload and say how the error count moved."""
        try:
            with opened(self.db_path) as db:
                changes = do(db)
        except review.IdentityClash as clash:
            self.reload()
            self._offer_merge(clash)
            return
        except ReviewError as error:  # names what the operator typed: literal, never markup
            self.notify(str(error), severity="error", markup=False)
            self.reload()  # a batch (identity fields) may have applied some before the refusal
            return
        self.reload()
        if len(changes) > 1:
            first, last = changes[0], changes[-1]
            self.notify(f"{len(changes)} 个单元格已更改 · 错误 {first.errors_before} → {last.errors_after}")
        elif changes:
            first, last = changes[0], changes[-1]
            old, new = (BLANK if v is None else v for v in (first.old, first.new))
            name = cell_name(first.cell, self.row.get("format"))
            self.notify(f"{name}：{old} → {new} · 错误 {first.errors_before} → {last.errors_after}", markup=False)

    def _offer_merge(self, clash: review.IdentityClash) -> None:
        """The identity given is another report's: merge this copy into it, or remove it."""

        def done(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            action, reason = answer
            if action == "merge":
                self._act(
                    lambda db: review.merge(db, self.report_id, clash.other, reason),
                    f"已并入报告 {clash.other}，本报告已移除",
                )
            else:
                self._act(lambda db: review.remove(db, self.report_id, reason), "已移除：不再出现在队列和发布中")

        self.app.push_screen(ClashDialog(str(clash), self.report_id, clash.other), done)

    def action_identity(self) -> None:
        current = {field: self.row.get(field) for field in review.IDENTITY_FIELDS}

        def done(answer: tuple[dict[str, str], str] | None) -> None:
            if answer is not None:
                changed, reason = answer
                self._change(
                    lambda db: [review.correct(db, self.report_id, f, text, reason) for f, text in changed.items()]
                )

        self.app.push_screen(IdentityDialog(current, self.row.get("region")), done)

    def action_approve(self) -> None:
        errors = sum(f["severity"] == Severity.ERROR for f in self.findings)
        if errors:
            self.app.push_screen(OverrideDialog(errors), self._approve_with_override)
        else:
            self._approve(None)

    def _approve_with_override(self, reason: str | None) -> None:
        """The override dialog's answer: a reason approves, a cancel (None or blank) does nothing."""
        if reason:
            self._approve(reason)

    def _approve(self, override: str | None) -> None:
        try:
            with opened(self.db_path) as db:
                review.approve(db, self.report_id, override)
        except ReviewError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.reload()
        self.notify("已批准")

    def action_toggle_panel(self) -> None:
        self.query_one(SourcePanel).toggle_class("-hidden")

    def action_back(self) -> None:
        self.app.pop_screen()
