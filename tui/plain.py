"""Report, file and operator text shown as it is written. Textual reads a `str` in a DataTable
cell, a Static, a Label or a notification as content markup: "[b]" would style, "[@click=…]"
would act and "[/x]" would stop the app with a MarkupError. Such text goes in as `Text`, or with
markup=False."""

from __future__ import annotations

from rich.text import Text

BLANK = "—"


def plain(value: object) -> Text:
    """`value` as literal text ("—" for None)."""
    return Text(BLANK if value is None else str(value))
