"""Charts of a county's main series over the years: SVG files drawn from a small template.

A chart is a handful of rectangles and labels, so its geometry is computed here and printed by
site/templates/chart.svg (Jinja, escaped): some 17 times faster than pygal, whose object model
took half the county pages' time at national scale (BENCHMARKS.md, "Pages and charts"), and
nothing to clean afterwards (pygal linked a script from another host, stamped dates, random ids). The SVG is
shown with <img>: no script, no outside reference, byte-identical from one build to the next.
A blank figure is a gap (no bar, no value), never 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from nianbao.publish.assets import TEMPLATES

FONT = Markup(
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif'
)
COLORS = ("#1f5f99", "#d9822b", "#3c8d40", "#8e44ad")

Number = int | float | str | None  # a marker as printed (/) is no figure: a gap, like a blank
WIDTH, HEIGHT = 480, 340  # drawn small with large type: legible on a phone, crisp when scaled up
TITLE_SIZE, LABEL_SIZE, LEGEND_SIZE, VALUE_SIZE = 18, 14, 15, 14
SMALLEST = 10  # px: year labels and values shrink to fit their room, down to this
TOP, RIGHT, LEGEND_ROW, LEGEND_PAD, X_LABELS = 48, 16, 22.5, 12, 30
GROUP_FILL, BAR_GAP = 0.8, 2  # a year's bars fill 80 % of its column, 2 px apart

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,  # labels carry organ names: untrusted text
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,  # read once per process, not stat'ed per chart
)


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    value: str
    value_x: str
    value_y: str
    color: int


@dataclass(frozen=True)
class Tick:
    y: str
    label: str


@dataclass(frozen=True)
class XLabel:
    x: str
    text: str


@dataclass(frozen=True)
class LegendEntry:
    y: str
    text: str
    color: int


@dataclass(frozen=True)
class ChartView:
    """Everything chart.svg prints, in pixels already formatted."""

    name: str
    title: str
    width: int
    height: int
    left: str
    right: str
    top: str
    bottom: str
    ticks: list[Tick]
    bars: list[Bar]
    x_labels: list[XLabel]
    x_label_y: str
    x_label_size: str
    value_size: str
    legend: list[LegendEntry]
    legend_x: str
    colors: tuple[str, ...] = COLORS
    font: Markup = FONT
    title_size: int = TITLE_SIZE
    tick_size: int = LABEL_SIZE
    legend_size: int = LEGEND_SIZE


def bar_chart(name: str, title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]]) -> bytes:
    """A bar chart as SVG bytes: one group of bars per column (year), one bar per series, the
    value printed over each bar, y ticks, the legend at the bottom, one entry per line."""
    return (_ENV.get_template("chart.svg").render(chart=chart_view(name, title, x_labels, series))).encode("utf-8")


def chart_view(
    name: str, title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]]
) -> ChartView:
    """The chart's geometry: y from 0 to the last tick, a column per year, a slot per series."""
    numbers = [
        [v if isinstance(v, int | float) and not isinstance(v, bool) else None for v in values] for _, values in series
    ]
    steps = ticks([v for values in numbers for v in values if v is not None])
    legend_top = HEIGHT - LEGEND_PAD - LEGEND_ROW * len(series)
    bottom = legend_top - X_LABELS
    left = 14 + _text_width([str(steps[-1])], LABEL_SIZE)
    right = WIDTH - RIGHT
    column = (right - left) / max(len(x_labels), 1)
    pitch = column * GROUP_FILL / max(len(series), 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - TOP) * value / steps[-1], 1)  # rounded: y + height is the axis

    bars = [
        _bar(left + column * i + column * (1 - GROUP_FILL) / 2 + pitch * s, y(value), bottom, pitch, value, s)
        for s, values in enumerate(numbers)
        for i, value in enumerate(values)
        if value is not None  # else a gap: the report printed nothing
    ]
    value_size = _fit(VALUE_SIZE, [b.value for b in bars], pitch)
    label_size = _fit(LABEL_SIZE, list(x_labels), column - 4)
    return ChartView(
        name=name,
        title=title,
        width=WIDTH,
        height=HEIGHT,
        left=_px(left),
        right=_px(right),
        top=_px(TOP),
        bottom=_px(bottom),
        ticks=[Tick(_px(y(t)), str(t)) for t in steps],
        bars=bars,
        x_labels=[XLabel(_px(left + column * (i + 0.5)), text) for i, text in enumerate(x_labels)],
        x_label_y=_px(bottom + 4 + label_size),
        x_label_size=_px(label_size),
        value_size=_px(value_size),
        legend=[LegendEntry(_px(legend_top + LEGEND_ROW * s), label, s) for s, (label, _) in enumerate(series)],
        legend_x=_px(left + 10),
    )


def _bar(x: float, top: float, bottom: float, pitch: float, value: float, series: int) -> Bar:
    """A bar in its slot of width `pitch` from x, with its value printed just above it."""
    return Bar(
        _px(x + BAR_GAP / 2),
        _px(top),
        _px(pitch - BAR_GAP),
        _px(bottom - top),
        _number(value),
        _px(x + pitch / 2),
        _px(top - 4),
        series,
    )


def ticks(values: Sequence[float]) -> list[int]:
    """Whole-number y ticks from 0 past the largest value, at most about six steps of 1, 2 or 5
    times a power of ten (counts are whole; a general chart library gives 0.8, 1.6 for a 3)."""
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


def _px(value: float) -> str:
    """A coordinate with one decimal at most: short, and the same bytes every build."""
    return f"{value:.1f}".removesuffix(".0")


def _text_width(texts: Sequence[str], size: float) -> float:
    """The widest text's width, roughly: a CJK character is 1 em, anything else ~0.6 em."""
    return max((sum(1 if ord(c) > 0x2E80 else 0.6 for c in t) for t in texts), default=0) * size


def _fit(size: float, texts: Sequence[str], room: float) -> float:
    """The largest font size up to `size` at which every text fits in `room` pixels (never below
    SMALLEST: a long label may then overlap, as it would in any chart)."""
    widest = _text_width(texts, 1)
    return size if widest == 0 else max(SMALLEST, min(size, math.floor(room / widest)))
