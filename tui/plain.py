"""Report, file and operator text shown as it is written, and only that.

Textual reads a `str` in a DataTable cell, a Static, a Label or a notification as content markup:
"[b]" would style, "[@click=…]" would act and "[/x]" would stop the app with a MarkupError. Such
text goes in as `Text`, or with markup=False. And Rich passes control characters such as ESC to the
terminal, where they are commands: they are dropped, with the invisible characters that make text
read other than it is (bidirectional overrides, zero-width), as on the site (publish/untrusted.py).
"""

from __future__ import annotations

from rich.text import Text

from nianbao.publish.untrusted import clean

BLANK = "—"


def plain(value: object) -> Text:
    """`value` as literal, visible text ("—" for None)."""
    return Text(BLANK if value is None else clean(str(value)))
