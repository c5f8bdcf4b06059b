"""Modal dialogs of the review screen. Each refuses an empty reason: the audit trail needs one."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.button import ButtonVariant
from textual.widgets.option_list import Option

from nianbao.db.regions import Division, lookup_code, search_divisions
from nianbao.db.vocabulary import division_level_zh


class ReasonDialog(ModalScreen):
    """A dialog with a required reason field: OK does nothing until a reason is given."""

    CSS_PATH = "dialogs.tcss"
    COMPACT = False  # one-line inputs, for dialogs with many fields (they must fit 80×24)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", tooltip="取消：关闭，什么也不改 · Cancel: close without changing anything")
    ]

    def _buttons(self, ok: str, variant: ButtonVariant) -> ComposeResult:
        yield Input(
            placeholder="理由（必填：原文怎么写、在哪里）", id="reason", compact=self.COMPACT, select_on_focus=False
        )
        yield Label("", id="error", classes="error")
        with Horizontal(classes="buttons"):
            yield Button(ok, variant=variant, id="ok", compact=self.COMPACT)
            yield Button("取消", id="cancel", compact=self.COMPACT)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._submit() if event.button.id == "ok" else self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _reason(self) -> str | None:
        """The reason typed, or None after telling the operator it is required."""
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#error", Label).update("理由不能为空")
            self.query_one("#reason", Input).focus()
            return None
        return reason

    def _submit(self) -> None:
        raise NotImplementedError


class CorrectionDialog(ReasonDialog):
    """Ask a new value and the reason for it; dismiss with (value, reason) or None. `cell` is the
    cell's name as the form prints it."""

    def __init__(self, cell: str, current: str) -> None:
        super().__init__()
        self.cell = cell
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"更正 {self.cell}（现值 {self.current}）", classes="title", markup=False)
            yield Input(placeholder="新值：数字、/ 或 blank（空白）", id="value", select_on_focus=False)
            yield from self._buttons("确定", "primary")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "value":
            self.query_one("#reason", Input).focus()
        else:
            self._submit()

    def _submit(self) -> None:
        if reason := self._reason():
            self.dismiss((self.query_one("#value", Input).value, reason))


class OverrideDialog(ReasonDialog):
    """Approving with open errors: ask why they are accepted; dismiss with the reason or None."""

    def __init__(self, errors: int) -> None:
        super().__init__()
        self.errors = errors

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"仍有 {self.errors} 个错误。批准须说明为何接受", classes="title")
            yield from self._buttons("批准", "warning")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _submit(self) -> None:
        if reason := self._reason():
            self.dismiss(reason)


class ActionDialog(ReasonDialog):
    """A bulk or weighty action (blank as printed, remove, merge): say what it does, ask why;
    dismiss with the reason or None."""

    def __init__(self, title: str, ok: str, variant: ButtonVariant = "primary") -> None:
        super().__init__()
        self.title_text, self.ok = title, ok
        self.variant = variant

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title", markup=False)
            yield from self._buttons(self.ok, self.variant)

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _submit(self) -> None:
        if reason := self._reason():
            self.dismiss(reason)


class ConfirmDialog(ModalScreen):
    """Ask before something that cannot be taken back; dismiss with True or False."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消", tooltip="取消 · Cancel")]

    def __init__(self, question: str, ok: str) -> None:
        super().__init__()
        self.question, self.ok = question, ok

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="title", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.ok, variant="error", id="ok")
                yield Button("取消", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # the safe choice first

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ok")

    def action_cancel(self) -> None:
        self.dismiss(False)


class ClashDialog(ReasonDialog):
    """The identity set is another report's: this one is likely a stray copy of it. Offer to merge
    it into the other (corrections of both kept) or remove it; dismiss with ("merge" | "remove",
    reason) or None."""

    def __init__(self, message: str, report_id: int, other: int) -> None:
        super().__init__()
        self.message, self.report_id, self.other = message, report_id, other

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                f"报告 {self.other} 已有这个机关、地区和年度。报告 {self.report_id} 可能是它的重复副本。",
                classes="title",
            )
            yield Input(placeholder="理由（必填）", id="reason", compact=self.COMPACT, select_on_focus=False)
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(f"并入报告 {self.other}", variant="primary", id="merge", compact=self.COMPACT)
                yield Button(f"移除报告 {self.report_id}", variant="warning", id="remove", compact=self.COMPACT)
                yield Button("取消", id="cancel", compact=self.COMPACT)

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        elif reason := self._reason():
            self.dismiss((event.button.id, reason))


class IdentityDialog(ReasonDialog):
    """Who published the report, for which year and place, and when: set what the parser could not
    determine (or got wrong). The region is chosen from the division codes by name or code prefix:
    the best match is highlighted as the list fills, Enter in the search takes it, Down goes into the
    list to choose another; focus stays where the operator is (nothing jumps, nothing typed is
    selected and overwritten). Dismiss with ({field: new text} for the fields changed, reason) or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "into_list", show=False)  # from the search box (a list or input takes its own)
    ]

    def __init__(self, current: dict[str, object], parsed_region: str | None) -> None:
        super().__init__()
        self.current = {k: "" if v is None else str(v) for k, v in current.items()}
        self.parsed_region = parsed_region
        self.region_code = self.current.get("region_code", "")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog identity") as dialog:
            dialog.border_title = "设置机关、地区、年度"
            yield _field(self.current.get("organ", ""), "机关", "organ", "发布报告的机关全称")
            with Horizontal(classes="row"):
                yield _field(self.current.get("year", ""), "年度", "year", "2024")
                yield _field(self.current.get("published", ""), "发布日期", "published", "2025-01-22")
                yield _field("", "地区：搜索名称或代码", "region-search", "如 交口县 或 1411")
            options = OptionList(id="divisions")
            options.border_title = "↓ 进入列表 · 回车选定高亮的地区"
            yield options
            yield Label(self._region_text(), id="region", markup=False)
            reason = _field("", "理由（必填）", "reason", "原文怎么写、在哪里")
            yield reason
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("确定", variant="primary", id="ok", compact=True)
                yield Button("取消", id="cancel", compact=True)

    def on_mount(self) -> None:
        search = self.query_one("#region-search", Input)
        if not self.region_code and self.parsed_region:
            search.value = self.parsed_region  # start from what the report says
        self.query_one(f"#{self._first_missing()}", Input).focus()

    def _first_missing(self) -> str:
        """Where the operator starts: the first field the report lacks, else the organ."""
        for field, widget in (("organ", "organ"), ("year", "year"), ("region_code", "region-search")):
            if not self.current.get(field):
                return widget
        return "organ"

    def _region_text(self) -> str:
        division = lookup_code(self.region_code) if self.region_code else None
        chosen = f"{division.code} {division.full_name()}" if division else "未定"
        said = f" · 报告写的是“{self.parsed_region}”" if self.parsed_region else ""
        return f"地区：{chosen}{said}"

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "region-search":
            return
        options = self.query_one("#divisions", OptionList)
        options.clear_options()
        options.add_options(Option(_division_line(d), id=d.code) for d in search_divisions(event.value, limit=30))
        if options.option_count:
            options.highlighted = 0  # the best match ready: Enter takes it

    def action_into_list(self) -> None:
        """Down from the search box moves into the list, on the highlighted match."""
        options = self.query_one("#divisions", OptionList)
        if self.focused is self.query_one("#region-search", Input) and options.option_count:
            options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id or "")

    def _choose(self, code: str) -> None:
        """Take a division; focus stays where it is, so the operator goes on from there."""
        self.region_code = code
        self.query_one("#region", Label).update(self._region_text())
        self.query_one("#error", Label).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "region-search":
            options = self.query_one("#divisions", OptionList)
            if options.highlighted is None:
                self.query_one("#error", Label).update(f"没有匹配“{event.value.strip()}”的地区")
                return
            self._choose(options.get_option_at_index(options.highlighted).id or "")
        elif event.input.id == "reason":
            self._submit()
        else:
            self.focus_next()

    def _submit(self) -> None:
        typed = {field: self.query_one(f"#{field}", Input).value.strip() for field in ("organ", "year", "published")}
        typed["region_code"] = self.region_code
        changed = {k: v for k, v in typed.items() if v != self.current.get(k, "") and v}
        if not changed:
            self.query_one("#error", Label).update("没有修改")
            return
        if reason := self._reason():
            self.dismiss((changed, reason))


def _field(value: str, title: str, widget_id: str, placeholder: str) -> Input:
    """A bordered input titled on its border. Focusing it never selects its text: the next key
    adds to it instead of replacing it."""
    box = Input(value, placeholder=placeholder, id=widget_id, select_on_focus=False)
    box.border_title = title
    return box


def _division_line(division: Division) -> str:
    return f"{division.code}  {division.full_name()}  {division_level_zh(division.level)}"
