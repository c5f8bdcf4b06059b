"""Import: choose files or a folder, import them in a thread, watch and cancel.

The thread runs the pipeline's own import loop (`import_paths`, the CLI's: worker processes
parse PDFs side by side, a bug on one file fails that file alone), with its own database
connection, and talks to the screen only through messages; each file is its own transaction,
so a cancelled import keeps what it had done.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, DirectoryTree, Footer, Header, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from nianbao.db import progress
from nianbao.db.pipeline import FileResult, import_paths
from nianbao.db.readers import REPORT_SUFFIXES
from nianbao.db.schema import connect
from nianbao.db.vocabulary import ImportStatus, import_status_zh
from nianbao.db.vocabulary import import_summary_zh as summarize_zh
from nianbao.tui.plain import plain

if TYPE_CHECKING:
    from nianbao.tui.app import NianbaoApp


class ReportTree(DirectoryTree):
    """Folders and report files only; hidden ones stay out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in REPORT_SUFFIXES)]


class ResultTable(DataTable):
    """One row per imported file; Enter opens its report."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            "打开",
            tooltip="打开：审核所选文件的报告 · Open: review the report of the selected file",
        )
    ]


class ImportStarted(Message):
    """The worker found `total` files to import, parsed by `workers` processes."""

    def __init__(self, total: int, workers: int) -> None:
        super().__init__()
        self.total, self.workers = total, workers


class FileInHand(Message):
    """The file being imported now; a newer one supersedes a pending one."""

    def __init__(self, done: int, total: int, path: str) -> None:
        super().__init__()
        self.done, self.total, self.path = done, total, path

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FileInHand)


class PageProgress(Message):
    """A page of a file is read (workers may be ahead of the file in hand); a newer one
    supersedes a pending one."""

    def __init__(self, path: str, page: int, pages: int) -> None:
        super().__init__()
        self.path, self.page, self.pages = path, page, pages

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PageProgress) and message.path == self.path


class FileImported(Message):
    """One file is done (`done` of `total`), with what became of it."""

    def __init__(self, done: int, total: int, result: FileResult) -> None:
        super().__init__()
        self.done, self.total, self.result = done, total, result


class ImportFinished(Message):
    """The worker stopped: all files done, or cancelled after `done`."""

    def __init__(self, done: int, total: int, cancelled: bool) -> None:
        super().__init__()
        self.done, self.total, self.cancelled = done, total, cancelled


class ImportScreen(Screen):
    CSS_PATH = "importing.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "start", "导入", tooltip="导入路径框里的文件或文件夹 · Import the file or folder in the path box"
        ),
        Binding(
            "c",
            "cancel",
            "取消",
            tooltip="取消：做完手头的文件后停止（已导入的保留） · Cancel: stop after the file in hand (imported files stay)",
        ),
        Binding("p", "focus_path", "路径", tooltip="路径：手动输入路径 · Path: type a path by hand"),
        Binding("escape", "back", "返回", tooltip="返回上一个屏幕 · Back to the previous screen"),
    ]

    def __init__(self, db_path: str, start: str = ".", processes: int | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.start = start
        self.processes = processes  # parse processes; None: the pipeline's default (one per core for PDFs)
        self.importing = False
        self.results: list[FileResult] = []
        self._started_at = 0.0
        self._total = 0
        self._done = 0
        self.parse_workers = 0  # processes parsing the batch in hand, as the pipeline reported
        self._in_hand: tuple[int, int, str] | None = None  # (done before it, total, path)
        self._pages: dict[str, tuple[int, int]] = {}  # the last page read of each file, and its pages
        self._root = Path(start)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="choose"):
            yield ReportTree(Path(self.start).resolve(), id="tree")
            with Vertical(id="controls"):
                yield Input(placeholder="文件或文件夹的路径", id="path", compact=True)
                with Horizontal(id="buttons"):
                    yield Button("导入", id="start", variant="primary", compact=True)
                    yield Button("取消", id="cancel", variant="error", compact=True, disabled=True)
                yield ProgressBar(id="progress", show_eta=False, classes="idle")
                yield Static("", id="in-hand", markup=False)  # file names are not markup
                yield Static("", id="timing")
        yield ResultTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Static("选择文件或文件夹，然后按 Enter", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#results", DataTable).add_columns("状态", "文件", "说明", "编号", "年度", "机关")
        self.query_one("#path", Input).focus()

    # choosing

    @on(DirectoryTree.FileSelected)
    @on(DirectoryTree.DirectorySelected)
    def _fill_path(self, event: DirectoryTree.FileSelected | DirectoryTree.DirectorySelected) -> None:
        self.query_one("#path", Input).value = str(event.path)

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_focus_path(self) -> None:
        self.query_one("#path", Input).focus()

    def action_start(self) -> None:
        """Import what the path box names, unless an import is running."""
        if self.importing:
            self.notify("正在导入，请等待或取消", severity="warning")
            return
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.notify("请先选择文件或文件夹", severity="warning")
            return
        path = Path(raw).expanduser()
        if not path.exists():
            self.notify(f"没有这个文件或文件夹：{raw}", title="找不到", severity="error", markup=False)
            return
        self._begin()
        self._root = path if path.is_dir() else path.parent
        self.import_files(path)

    def _begin(self) -> None:
        self.importing = True
        self.results = []
        self._done = self._total = 0
        self._started_at = time.monotonic()
        self.query_one("#results", DataTable).clear()
        self.query_one("#progress", ProgressBar).remove_class("idle")
        self.query_one("#progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#summary", Static).update("正在导入…")
        self._set_running(True)
        self.query_one("#results", DataTable).focus()  # so that `c` cancels instead of typing

    def _set_running(self, running: bool) -> None:
        self.query_one("#start", Button).disabled = running
        self.query_one("#cancel", Button).disabled = not running

    def action_cancel(self) -> None:
        if not self.importing:
            return
        self.workers.cancel_group(self, "import")
        self.query_one("#summary", Static).update("正在取消：当前文件完成后停止…")

    def action_back(self) -> None:
        self.workers.cancel_group(self, "import")
        self.app.pop_screen()

    # the worker

    @work(thread=True, exclusive=True, exit_on_error=False, group="import")
    def import_files(self, path: Path) -> None:
        """Import the files under `path` through the pipeline's loop, with this thread's own
        connection; a cancel stops it between files (closing the loop ends its workers)."""
        worker = get_current_worker()
        total = done = 0

        def on_progress(event: progress.Event) -> None:
            nonlocal total
            if isinstance(event, progress.Started):
                total = event.total
                self.post_message(ImportStarted(event.total, event.workers))
            elif isinstance(event, progress.FileStarted):
                self.post_message(FileInHand(event.done, event.total, event.path))
            elif isinstance(event, progress.PageRead):
                self.post_message(PageProgress(event.path, event.page, event.pages))

        db = connect(self.db_path)
        try:
            with closing(import_paths(db, [path], progress=on_progress, workers=self.processes)) as results:
                for result in results:
                    done += 1
                    self.post_message(FileImported(done, total, result))
                    if worker.is_cancelled:
                        break
        finally:
            db.close()
        self.post_message(ImportFinished(done, total, cancelled=done < total))

    def on_import_started(self, message: ImportStarted) -> None:
        self._total = message.total
        self.parse_workers = message.workers
        self.query_one("#progress", ProgressBar).update(total=message.total, progress=0)
        self.query_one("#timing", Static).update(_workers(message.workers))
        if not message.total:
            self.notify("那里没有可导入的报告文件", severity="warning")

    def on_file_in_hand(self, message: FileInHand) -> None:
        self._in_hand = (message.done, message.total, message.path)
        self._show_in_hand()

    def on_page_progress(self, message: PageProgress) -> None:
        """Pages of a long file (a PDF, a scan), shown while it is the file in hand: "第 37/199 页".
        Workers read ahead, so a file's pages may come before it is in hand: they are kept."""
        self._pages[message.path] = (message.page, message.pages)
        if self._in_hand and message.path == self._in_hand[2]:
            self._show_in_hand()

    def _show_in_hand(self) -> None:
        done, total, path = self._in_hand or (0, 0, "")
        page = self._pages.get(path)
        pages = f" · 第 {page[0]}/{page[1]} 页" if page else ""
        self.query_one("#in-hand", Static).update(f"{done + 1}/{total} {self._shown(path)}{pages}")

    def on_file_imported(self, message: FileImported) -> None:
        self._done = message.done
        self._pages.pop(message.result.path, None)
        self.results.append(message.result)
        self.query_one("#progress", ProgressBar).update(total=message.total, progress=message.done)
        self.query_one("#timing", Static).update(
            " · ".join(
                filter(None, [_timing(time.monotonic() - self._started_at, message.done, message.total),
                              _workers(self.parse_workers)])
            )
        )  # fmt: skip
        self._add_row(message.result)

    def on_import_finished(self, message: ImportFinished) -> None:
        self._stop()
        summary = summarize_zh(self.results)
        if message.cancelled:
            summary = f"已取消：完成 {message.done}/{message.total} 个文件 · {summary}"
        self.query_one("#summary", Static).update(summary)
        self.query_one("#in-hand", Static).update("")
        self._in_hand = None
        self._pages.clear()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failing worker becomes a notification; the screen stays usable."""
        if event.worker.group == "import" and event.state == WorkerState.ERROR:
            self._stop()
            self.query_one("#summary", Static).update(f"导入中断 · {summarize_zh(self.results)}")
            self.notify(str(event.worker.error), title="导入失败", severity="error", markup=False)

    def _stop(self) -> None:
        self.importing = False
        self._set_running(False)

    # results

    def _add_row(self, result: FileResult) -> None:
        table = self.query_one("#results", DataTable)
        table.add_row(
            _status(result), plain(self._shown(result.path)), plain(_detail(result)), str(result.report_id or "—"),
            plain(result.year), plain(result.organ), key=f"{len(self.results)}",
        )  # fmt: skip
        table.move_cursor(row=table.row_count - 1)

    def _shown(self, path: str) -> str:
        """The file as found under the chosen folder (`sub/404.html`, not `404.html`)."""
        try:
            return str(Path(path).resolve().relative_to(self._root.resolve()))
        except ValueError:
            return Path(path).name

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        result = self.results[int(str(event.row_key.value)) - 1]
        if result.report_id is None:
            self.notify(
                result.message or "这个文件没有导入报告",
                title="未导入",
                severity="warning",
                markup=False,
            )
            return
        cast("NianbaoApp", self.app).open_report(result.report_id)


def _status(result: FileResult) -> str:
    if result.failed:
        return f"✗ {ImportStatus.FAILED.zh}"
    mark = "⚠" if result.errors or result.warnings else "✓"
    return f"{mark} {import_status_zh(result.status)}"


def _detail(result: FileResult) -> str:
    if result.failed:
        return result.message
    found = [f"{label} {n}" for label, n in (("错误", result.errors), ("提示", result.warnings)) if n]
    return "，".join(found) or result.message or "无问题"


def _timing(elapsed: float, done: int, total: int) -> str:
    """Elapsed time and an estimate of what is left, from the pace so far."""
    left = elapsed / done * (total - done) if done else 0.0
    return f"用时 {_clock(elapsed)} · 约剩 {_clock(left)}"


def _workers(count: int) -> str:
    """The parse processes, when more than this one."""
    return f"{count} 个解析进程" if count > 1 else ""


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"
