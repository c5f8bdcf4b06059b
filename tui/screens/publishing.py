"""Publish: build the site and the Datasette files in a thread, watch the steps, then see where
they went and start Datasette on them.

The app installs this screen once, so a Datasette started here keeps running while the operator
goes back to review; it stops with the app.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from nianbao.db.overview import overview
from nianbao.db.schema import connect
from nianbao.publish.guard import WouldRemove
from nianbao.publish.run import Published, publish
from nianbao.publish.serving import Server
from nianbao.tui.screens.dialogs import ConfirmDialog
from nianbao.tui.widgets.step_log import StepLog

DEFAULT_OUT = "published"


class PublishStep(Message):
    """A step of the publish in hand, as publish() says it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class PublishDone(Message):
    def __init__(self, done: Published) -> None:
        super().__init__()
        self.done = done


class ServerReady(Message):
    def __init__(self, server: Server) -> None:
        super().__init__()
        self.server = server


class PublishScreen(Screen):
    CSS_PATH = "publishing.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "发布", tooltip="发布到框里的文件夹 · Publish to the folder in the box"),
        Binding(
            "ctrl+r",
            "serve",
            "Datasette",
            tooltip="启动或停止 Datasette，浏览发布的内容 · Serve: start or stop Datasette on what was published",
        ),
        Binding(
            "ctrl+t",
            "toggle_unapproved",
            "含未批准",
            tooltip="包含未批准的报告（标注为未审核） · Include unapproved reports (marked as not reviewed)",
        ),
        Binding("escape", "back", "返回", tooltip="返回上一个屏幕 · Back to the previous screen"),
    ]

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.publishing = False
        self.published: Published | None = None
        self.server: Server | None = None
        self._started_at = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="about")
        with Horizontal(id="options"):
            yield Input(placeholder="输出文件夹", id="out", compact=True)
            yield Checkbox("含未批准的报告（标注为未审核）", id="unapproved", compact=True)
        with Horizontal(id="buttons"):
            yield Button("发布", id="start", variant="primary", compact=True)
            yield Button("启动 Datasette", id="serve", compact=True, disabled=True)
        yield ProgressBar(id="progress", show_eta=False, classes="idle")
        yield Static("", id="timing")
        yield StepLog(id="steps")
        yield Static("", id="where", markup=False)  # folder names are not markup
        yield Footer()

    def on_mount(self) -> None:
        self._read_database(first=True)
        self.query_one("#start", Button).focus()
        self.set_interval(0.5, self._tick)

    def on_screen_resume(self) -> None:
        self._read_database()

    def on_unmount(self) -> None:
        if self.server is not None:
            self.server.stop()

    def _read_database(self, first: bool = False) -> None:
        """What can be published, and where the last publish went (offered as the folder)."""
        with connect(self.db_path) as db:
            glance = overview(db)
        if first:
            self.query_one("#out", Input).value = glance.last_publish_out or DEFAULT_OUT
        others = glance.reports - glance.publishable
        self.query_one("#about", Static).update(
            f"可发布（已批准）{glance.publishable} 份 · 未批准 {others} 份（勾选“含未批准”才发布，并标注为未审核）"
        )

    # publishing

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "#out")
    def _start_pressed(self) -> None:
        self.action_start()

    def action_toggle_unapproved(self) -> None:
        box = self.query_one("#unapproved", Checkbox)
        box.value = not box.value

    def action_start(self, allow_removals: bool = False) -> None:
        if self.publishing:
            self.notify("正在发布，请稍候", severity="warning")
            return
        raw = self.query_one("#out", Input).value.strip()
        if not raw:
            self.notify("请先填写输出文件夹", severity="warning")
            return
        self.publishing = True
        self._started_at = time.monotonic()
        self.query_one("#start", Button).disabled = True
        self.query_one("#progress", ProgressBar).remove_class("idle")
        self.query_one("#progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#steps", StepLog).clear()
        self.query_one("#where", Static).update("")
        self.query_one("#steps", StepLog).focus()
        self.run_publish(Path(raw).expanduser(), self.query_one("#unapproved", Checkbox).value, allow_removals)

    @work(thread=True, exclusive=True, exit_on_error=False, group="publish")
    def run_publish(self, out: Path, include_unapproved: bool, allow_removals: bool = False) -> None:
        """publish() with this thread's own connection; its steps come back as messages."""
        db = connect(self.db_path)
        try:
            done = publish(
                db,
                out,
                include_unapproved=include_unapproved,
                progress=lambda t: self.post_message(PublishStep(t)),
                allow_removals=allow_removals,
            )
        finally:
            db.close()
        self.post_message(PublishDone(done))

    def on_publish_step(self, message: PublishStep) -> None:
        self.query_one("#steps", StepLog).write_line(message.text)

    def on_publish_done(self, message: PublishDone) -> None:
        done = self.published = message.done
        self._stop()
        self.query_one("#progress", ProgressBar).update(total=1, progress=1)
        self.query_one("#steps", StepLog).write_line(done.summary())
        self._show_where()
        self._read_database()
        self.notify(f"已发布 {done.reports} 份报告")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failing publish becomes one notification; the previous site stays as it was."""
        if event.worker.group == "publish" and event.state == WorkerState.ERROR:
            self._stop()
            if isinstance(event.worker.error, WouldRemove):
                self._confirm_removals(event.worker.error)
                return
            self.query_one("#progress", ProgressBar).update(total=1, progress=0)
            self.query_one("#steps", StepLog).write_line(f"失败：{event.worker.error}")
            self.notify(str(event.worker.error), title="发布失败", severity="error", markup=False)
        elif event.worker.group == "serve" and event.state == WorkerState.ERROR:
            self.server = None
            self.query_one("#serve", Button).disabled = self.published is None
            self.notify(str(event.worker.error), title="Datasette 未启动", severity="error", markup=False)

    def _confirm_removals(self, refused: WouldRemove) -> None:
        """The publish would take reports or counties off the live site: say which, and go on
        only if the operator confirms."""
        self.query_one("#progress", ProgressBar).update(total=1, progress=0)
        self.query_one("#steps", StepLog).write_line(f"未发布：{refused.removals.describe()}")
        question = f"{refused.removals.describe()}。\n仍要发布吗？网站上将不再有这些报告。"

        def answered(go: bool | None) -> None:
            if go:
                self.action_start(allow_removals=True)
            else:
                self.notify("未发布：网站保持原样")

        self.app.push_screen(ConfirmDialog(question, "仍然发布"), answered)

    def _stop(self) -> None:
        self.publishing = False
        self.query_one("#start", Button).disabled = False

    def _tick(self) -> None:
        if self.publishing:
            self.query_one("#timing", Static).update(f"用时 {time.monotonic() - self._started_at:.0f} 秒")

    def _show_where(self) -> None:
        done = self.published
        if done is None:
            return
        lines = [f"网站：      {done.site.absolute()}/index.html", f"Datasette： {done.datasette.absolute()}"]
        if self.server is not None and self.server.running:
            lines.append(f"正在服务：  {self.server.datasette_url}  ·  网站 {self.server.site_url}")
        else:
            lines.append("按 Ctrl+R 在 127.0.0.1 上启动 Datasette，浏览数据和网站")
        self.query_one("#where", Static).update("\n".join(lines))
        self.query_one("#serve", Button).disabled = False
        self.query_one("#serve", Button).label = "停止 Datasette" if self.server else "启动 Datasette"

    # Datasette

    @on(Button.Pressed, "#serve")
    def _serve_pressed(self) -> None:
        self.action_serve()

    def action_serve(self) -> None:
        """Start Datasette on the last publish, or stop it when it runs."""
        if self.server is not None:
            self.server.stop()
            self.server = None
            self.notify("Datasette 已停止")
            self._show_where()
            return
        if self.published is None:
            self.notify("请先发布", severity="warning")
            return
        self.server = Server(self.published.out)
        self.query_one("#serve", Button).disabled = True
        self.start_server(self.server)

    @work(thread=True, exclusive=True, exit_on_error=False, group="serve")
    def start_server(self, server: Server) -> None:
        server.start()
        self.post_message(ServerReady(server))

    def on_server_ready(self, message: ServerReady) -> None:
        self._show_where()
        self.notify(f"Datasette: {message.server.datasette_url}")

    def action_back(self) -> None:
        self.app.pop_screen()
