"""The Datasette plugin that renders a canned query's rows in Python, the same bytes as its template.

A canned query's HTML page renders every row it returns (`applications_by_county`: a year's
counties, 592 at 3,000 reports, 2,809 nationally), and Datasette's Jinja environment is async:
each cell of the rows loop in query.html is several awaits and small writes, most of a page's
render (BENCHMARKS.md, "Datasette under load"). So query.html is loaded with that loop replaced
by one call, `nianbao_rows(columns, display_rows)`, which writes exactly what the loop wrote
(the same text between the tags, each value escaped as Jinja's autoescape does). If the template
is not Datasette's (a --template-dir of one's own) the loop is left as it is.

Registered by publish/datasette_limits.py's `main`, beside the limits and the kept answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datasette import hookimpl
from datasette.utils import to_css_class
from jinja2 import BaseLoader, Environment
from markupsafe import Markup, escape

TEMPLATE = "query.html"
# The rows loop of Datasette 0.65's query.html, exactly (whitespace included: it is written out).
ROWS_LOOP = """{% for row in display_rows %}
        <tr>
            {% for column, td in zip(columns, row) %}
                <td class="col-{{ column|to_css_class }}">{{ td }}</td>
            {% endfor %}
        </tr>
    {% endfor %}"""
ROWS_CALL = "{{ nianbao_rows(columns, display_rows) }}"
ROW_OPEN = "\n        <tr>\n            "
CELL_OPEN, CELL_MIDDLE, CELL_CLOSE = '\n                <td class="col-', '">', "</td>\n            "
ROW_CLOSE = "\n        </tr>\n    "


def rows_html(columns: Sequence[str], display_rows: Sequence[Sequence[Any]]) -> Markup:
    """What ROWS_LOOP renders for these rows."""
    opens = [f"{CELL_OPEN}{escape(to_css_class(column))}{CELL_MIDDLE}" for column in columns]
    parts = []
    for row in display_rows:
        parts.append(ROW_OPEN)
        for opened, value in zip(opens, row):
            parts.append(f"{opened}{escape(value)}{CELL_CLOSE}")
        parts.append(ROW_CLOSE)
    return Markup("".join(parts))


class RowsLoader(BaseLoader):
    """Datasette's loader, with query.html's rows loop replaced by ROWS_CALL (once, exactly)."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        if template == TEMPLATE and source.count(ROWS_LOOP) == 1:
            source = source.replace(ROWS_LOOP, ROWS_CALL)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


@hookimpl
def prepare_jinja2_environment(env: Environment) -> None:
    if isinstance(env.loader, RowsLoader) or env.loader is None:
        return
    env.globals["nianbao_rows"] = rows_html
    env.loader = RowsLoader(env.loader)
