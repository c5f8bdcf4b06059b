"""Charts of a county's main series over the years: SVG files made with pygal at build time.

pygal's defaults are not fit for a static public site: it links a script from another host
(`js=[]` stops that), still inlines a config script, stamps the build date and its home page in
comments, and names the chart with a random uuid. The SVG is taken as a tree and cleaned of all
of these, so it is byte-identical from one build to the next and makes no request. A chart is
shown with <img>, so its stylesheet cannot reach the page; a blank figure is a gap, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pygal
from lxml import etree
from pygal.style import Style

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif'
STYLE = Style(
    font_family=FONT,
    background="#ffffff",
    plot_background="#ffffff",
    colors=("#1f5f99", "#d9822b", "#3c8d40", "#8e44ad"),
    title_font_size=18,
    legend_font_size=15,
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=14,
)

Number = int | float | None
WIDTH, HEIGHT = 480, 340  # drawn small with large type: legible on a phone, crisp when scaled up


def bar_chart(name: str, title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]]) -> bytes:
    """A bar chart as SVG bytes: one group of bars per column (year), one bar per series."""
    chart = pygal.Bar(
        js=[],
        width=WIDTH,
        height=HEIGHT,
        style=STYLE,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        print_values=True,
        print_zeroes=True,
        truncate_legend=-1,
        truncate_label=-1,
        value_formatter=_number,
        include_x_axis=True,
    )
    chart.uuid = name  # the svg's id and its CSS scope: deterministic instead of random
    chart.title = title
    chart.x_labels = list(x_labels)
    numbers = [[v if isinstance(v, int | float) else None for v in values] for _, values in series]
    chart.y_labels = ticks([v for values in numbers for v in values if v is not None])
    chart.range = (0, chart.y_labels[-1])
    for (label, _), values in zip(series, numbers):
        chart.add(label, values)
    return _clean(chart.render_tree())


def ticks(values: Sequence[float]) -> list[int]:
    """Whole-number y ticks from 0 past the largest value, at most about six steps of 1, 2 or 5
    times a power of ten (counts are whole; pygal's own choice gives 0.8, 1.6 for a 3)."""
    top = max([*values, 0])
    step = 1
    while top / step > 6:
        step = _next_step(step)
    end = max(step, math.ceil(top / step) * step)
    return list(range(0, end + 1, step))


def _next_step(step: int) -> int:
    """1, 2, 5, 10, 20, 50, …"""
    digits = str(step)
    return step * 5 // 2 if digits[0] == "2" else step * 2


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _clean(svg: etree._Element) -> bytes:
    """Without comments (date, URLs) and scripts (tooltips need pygal's outside script anyway)."""
    for node in list(svg.iter(etree.Comment, "{*}script", "script")):
        node.getparent().remove(node)
    return etree.tostring(svg, xml_declaration=True, encoding="utf-8") + b"\n"
