"""The county charts as a reader sees them: the SVG read back as XML, what its texts and bars say.

A blank figure is a gap (no bar, no printed value), a 0 is a bar of height 0 with its 0 printed;
every year and every series is labelled; hostile labels stay text; the bytes never change.
"""

from __future__ import annotations

from lxml import etree

from nianbao.publish.charts import FONT, HEIGHT, WIDTH, bar_chart, ticks

SVG = "{http://www.w3.org/2000/svg}"
YEARS = ["2021年", "2022年", "2023年"]
SERIES = [("本年新收政府信息公开申请数量", [12, None, 0]), ("本年度办理结果·予以公开", [5, 7, None])]


def chart(x_labels=YEARS, series=SERIES) -> etree._Element:
    return etree.fromstring(bar_chart("applications", "政府信息公开申请（件）", x_labels, series))


def texts(svg: etree._Element, css: str) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == css]


def bars(svg: etree._Element) -> list[etree._Element]:
    return list(svg.find(f"{SVG}g[@class='bars']"))


def test_the_title_years_and_legend_are_printed():
    svg = chart()
    assert svg.find(f"{SVG}title").text == "政府信息公开申请（件）"
    assert texts(svg, "title") == ["政府信息公开申请（件）"]
    assert texts(svg, "year") == YEARS
    assert texts(svg, "legend") == [label for label, _ in SERIES]
    assert texts(svg, "tick") == ["0", "2", "4", "6", "8", "10", "12"]
    assert (svg.get("width"), svg.get("height")) == (str(WIDTH), str(HEIGHT))
    assert FONT in svg.find(f"{SVG}style").text  # the Chinese font stack


def test_a_blank_figure_is_a_gap_and_zero_is_a_zero():
    svg = chart()
    assert texts(svg, "value") == ["12", "0", "5", "7"]  # series by series; the blanks print nothing
    heights = [float(b.get("height")) for b in bars(svg)]
    assert len(heights) == 4 and heights[1] == 0 and heights[0] > heights[3] > heights[2] > 0
    xs = [float(b.get("x")) for b in bars(svg)]
    assert xs[0] < xs[2] < xs[3] < xs[1]  # 2021: both series; 2022: the second only; 2023: the 0


def test_bars_stand_on_the_axis_and_scale_with_the_value():
    svg = chart(series=[("行政复议·总计", [3, 6])], x_labels=["2024年", "2025年"])
    low, high = bars(svg)
    floor = float(low.get("y")) + float(low.get("height"))
    assert abs(floor - float(high.get("y")) - float(high.get("height"))) < 0.01
    assert abs(float(high.get("height")) - 2 * float(low.get("height"))) < 0.2


def test_all_blank_draws_no_bar():
    svg = chart(series=[("行政复议·总计", [None, None]), ("复议后起诉·总计", [None, "/"])], x_labels=YEARS[:2])
    assert bars(svg) == [] and texts(svg, "value") == []
    assert texts(svg, "tick") == ["0", "1"]


def test_labels_are_text_never_markup():
    organ = "2024年（巨鹿县<script>alert(1)</script>&amp;）"
    raw = bar_chart("reviews", "<b>t</b>", [organ], [("<img src=x>", [1])])
    svg = etree.fromstring(raw)
    assert texts(svg, "year") == [organ] and texts(svg, "legend") == ["<img src=x>"]
    assert b"<script" not in raw and b"<img" not in raw and b"<b>" not in raw


def test_the_same_chart_is_the_same_bytes_and_self_contained():
    raw = bar_chart("applications", "政府信息公开申请（件）", YEARS, SERIES)
    assert raw == bar_chart("applications", "政府信息公开申请（件）", YEARS, SERIES)
    assert b"<script" not in raw and b"href" not in raw and b"<!--" not in raw and b"url(" not in raw


def test_ticks_are_whole_steps_of_one_two_or_five():
    assert ticks([]) == [0, 1]
    assert ticks([3]) == [0, 1, 2, 3]
    assert ticks([29]) == [0, 5, 10, 15, 20, 25, 30]
    assert ticks([2345]) == [0, 500, 1000, 1500, 2000, 2500]
