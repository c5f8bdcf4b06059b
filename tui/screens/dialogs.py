"""Modal dialogs of the review screen. Each refuses an empty reason: the audit trail needs one."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class _ReasonDialog(ModalScreen):
    """A dialog with a required reason field: OK does nothing until a reason is given."""

    CSS_PATH = "report.tcss"
    BINDINGS: ClassVar[list[Binding]] = [Binding("escape", "cancel", "取消 Cancel")]

    def _buttons(self, ok: str, variant: str) -> ComposeResult:
        yield Input(placeholder="理由 reason (required: what the source says, where)", id="reason")
        yield Label("", id="error", classes="error")
        with Horizontal(classes="buttons"):
            yield Button(ok, variant=variant, id="ok")
            yield Button("取消 Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._submit() if event.button.id == "ok" else self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _reason(self) -> str | None:
        """The reason typed, or None after telling the operator it is required."""
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#error", Label).update("理由不能为空 a reason is required")
            self.query_one("#reason", Input).focus()
            return None
        return reason

    def _submit(self) -> None:
        raise NotImplementedError


class CorrectionDialog(_ReasonDialog):
    """Ask a new value and the reason for it; dismiss with (value, reason) or None."""

    def __init__(self, cell: str, current: str) -> None:
        super().__init__()
        self.cell = cell
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"更正 {self.cell}（现值 {self.current}）", classes="title", markup=False)
            yield Input(placeholder="新值 new value (number, /, or blank)", id="value")
            yield from self._buttons("确定 OK", "primary")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "value":
            self.query_one("#reason", Input).focus()
        else:
            self._submit()

    def _submit(self) -> None:
        if reason := self._reason():
            self.dismiss((self.query_one("#value", Input).value, reason))


class OverrideDialog(_ReasonDialog):
    """Approving with open errors: ask why they are accepted; dismiss with the reason or None."""

    def __init__(self, errors: int) -> None:
        super().__init__()
        self.errors = errors

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"仍有 {self.errors} 个错误。批准需说明理由 (override)", classes="title")
            yield from self._buttons("批准 Approve", "warning")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _submit(self) -> None:
        if reason := self._reason():
            self.dismiss(reason)
