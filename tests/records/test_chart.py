"""The scale chart is valid, accessible, escaped and deterministic SVG with a matching table."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from clinic.records.chart import Chart, Marker, Point, Series, scale_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
MAR2, MAR9, MAR16, APR20 = date(2025, 3, 2), date(2025, 3, 9), date(2025, 3, 16), date(2025, 4, 20)


def _tree(chart: Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314 - our own output, no entities


def _groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{{{NS['svg']}}}g") if "series" in g.get("class", "").split()]


def _xs(group: ET.Element) -> list[float]:
    xs = [float(c.get("cx")) for c in group.iter(f"{{{NS['svg']}}}circle")]
    for polygon in group.iter(f"{{{NS['svg']}}}polygon"):
        xs.append(float(polygon.get("points").split()[0].split(",")[0]))
    return xs


def _couple() -> tuple[Series, Series]:
    a = Series("Partner A", (Point(APR20, 6), Point(MAR2, 3), Point(MAR16, 5), Point(MAR9, 4)))
    b = Series("Partner B", (Point(MAR2, 4), Point(MAR16, 4), Point(APR20, 5)))
    return a, b


def test_valid_accessible_svg_with_one_group_per_partner() -> None:
    chart = scale_chart(_couple(), title="Scale placements")
    root = _tree(chart)

    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"svg:title[@id='{title_id}']", NS).text == "Scale placements"
    assert root.find(f"svg:desc[@id='{desc_id}']", NS).text == chart.description
    assert [g.get("data-label") for g in _groups(root)] == ["Partner A", "Partner B"]
    ticks = [t.text for t in root.iter(f"{{{NS['svg']}}}text")]
    assert all(str(v) in ticks for v in range(1, 11))
    assert "2 Mar" in ticks and "20 Apr" in ticks


def test_default_description_says_how_each_partner_moved() -> None:
    chart = scale_chart(_couple(), title="t")
    assert chart.description == (
        "Partner A moved from 3 to 6 between 2 March and 20 April; Partner B from 4 to 5."
    )


def test_points_are_drawn_in_date_order() -> None:
    group_a, group_b = _groups(_tree(scale_chart(_couple(), title="t")))
    for group in (group_a, group_b):
        xs = _xs(group)
        assert xs == sorted(xs)
        line = group.find("svg:polyline", NS)
        line_xs = [float(p.split(",")[0]) for p in line.get("points").split()]
        assert line_xs == sorted(line_xs) and len(line_xs) == len(xs)
    assert len(_xs(group_a)) == 4


def test_partners_differ_in_colour_and_in_shape_and_dash() -> None:
    group_a, group_b = _groups(_tree(scale_chart(_couple(), title="t")))
    line_a, line_b = group_a.find("svg:polyline", NS), group_b.find("svg:polyline", NS)
    assert line_a.get("stroke") != line_b.get("stroke")
    assert line_a.get("stroke-dasharray") != line_b.get("stroke-dasharray")
    assert group_a.find("svg:circle", NS) is not None and group_a.find("svg:polygon", NS) is None
    assert group_b.find("svg:polygon", NS) is not None and group_b.find("svg:circle", NS) is None
    for colour in (line_a.get("stroke"), line_b.get("stroke")):
        assert _contrast_on_white(colour) >= 3


def _contrast_on_white(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 1.05 / (luminance + 0.05)


def test_text_is_escaped_and_stays_text() -> None:
    evil = "<script>alert('x')</script> & \"quotes\""
    series = (Series(evil, (Point(MAR2, 5),)), Series("陈静\x00", (Point(MAR2, 6),)))
    chart = scale_chart(series, (Marker(MAR2, "</text><script>1</script>", "stage"),), title=evil)
    root = _tree(chart)

    assert not [el for el in root.iter() if el.tag.endswith("script")]
    assert root.find("svg:title", NS).text == evil
    assert evil in root.find("svg:desc", NS).text
    assert _groups(root)[0].get("data-label") == evil
    texts = [t.text for t in root.iter(f"{{{NS['svg']}}}text")]
    assert any(t and "陈静" in t for t in texts)
    assert "<script>" not in str(chart.svg)


def test_rows_are_the_same_data_as_a_table() -> None:
    a, b = _couple()
    twice = Series("Partner B", (*b.points, Point(MAR16, 6)))
    chart = scale_chart((a, twice), title="t")
    assert chart.rows == [
        (MAR2, {"Partner A": 3, "Partner B": 4}),
        (MAR9, {"Partner A": 4}),
        (MAR16, {"Partner A": 5, "Partner B": 4}),
        (MAR16, {"Partner B": 6}),
        (APR20, {"Partner A": 6, "Partner B": 5}),
    ]


def test_same_input_same_svg_and_different_charts_different_ids() -> None:
    first = scale_chart(_couple(), title="t")
    assert scale_chart(_couple(), title="t").svg == first.svg
    other = scale_chart(_couple()[:1], title="t")
    ids = lambda c: set(re.findall(r'id="([^"]+)"', str(c.svg)))  # noqa: E731
    assert ids(first).isdisjoint(ids(other))
    twin = scale_chart(_couple(), title="t", id_prefix="again")
    assert ids(twin) == {"again", "again-title", "again-desc"}


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        ((), "No scale placements yet."),
        ((Series("Partner A", ()), Series("Partner B", ())), "No scale placements yet."),
        (
            (Series("Partner A", (Point(MAR2, 5),)), Series("Partner B", ())),
            "Partner A placed themselves at 5 on 2 March; Partner B has no placements yet.",
        ),
        (
            (Series("A", (Point(MAR2, 5), Point(MAR2, 7))), Series("B", (Point(MAR2, 5),))),
            "A moved from 5 to 7 on 2 March; B placed themselves at 5 on 2 March.",
        ),
    ],
)
def test_sparse_data_still_draws_a_valid_chart(series: tuple[Series, ...], expected: str) -> None:
    chart = scale_chart(series, (Marker(MAR2, "Session 1", "session"),), title="t")
    root = _tree(chart)
    assert chart.description.startswith(expected)
    assert len(_groups(root)) == len(series)
    for group in _groups(root):
        xs = _xs(group)
        assert all(x == xs[0] for x in xs)  # everything on one day sits on one vertical


def test_markers_outside_the_dates_are_left_out() -> None:
    markers = (
        Marker(date(2024, 12, 1), "Before", "stage"),
        Marker(MAR9, "Session 2", "session"),
        Marker(date(2025, 6, 1), "After", "session"),
    )
    root = _tree(scale_chart(_couple(), markers, title="t"))
    lines = root.iter(f"{{{NS['svg']}}}line")
    drawn = [line.find("svg:title", NS).text for line in lines if "marker" in line.get("class", "")]
    assert drawn == ["Session 2"]


@pytest.mark.parametrize(
    "series",
    [
        (Series("A", (Point(MAR2, 11),)),),
        (Series("A", (Point(MAR2, 0),)),),
        (Series("A", ()), Series("A", ())),
        (Series("A", ()), Series("B", ()), Series("C", ())),
    ],
)
def test_bad_input_is_refused(series: tuple[Series, ...]) -> None:
    with pytest.raises(ValueError):
        scale_chart(series, title="t")


# Geometry, read back from the SVG itself.

MAR3, MAR24, APR2 = date(2025, 3, 3), date(2025, 3, 24), date(2025, 4, 2)


def _tick_lines(root: ET.Element) -> list[ET.Element]:
    axes = next(g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == "axes")
    return [line for line in axes.iter(f"{{{NS['svg']}}}line") if line.get("x1") == line.get("x2")]


def _marker_labels(root: ET.Element) -> list[ET.Element]:
    markers = next(g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == "markers")
    return list(markers.iter(f"{{{NS['svg']}}}text"))


def test_date_ticks_fall_on_the_dates_of_the_points() -> None:
    days = (MAR3, MAR9, MAR24, APR2)  # uneven: evenly spaced ticks would land between them
    chart = scale_chart((Series("A", tuple(Point(d, 5) for d in days)),), title="t")
    root = _tree(chart)
    (group,) = _groups(root)
    x_of_day = dict(zip(days, _xs(group), strict=True))
    label_of_x = {x: f"{d.day} {d.strftime('%b')}" for d, x in x_of_day.items()}
    axes = next(g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == "axes")
    date_labels = {float(t.get("x")): t.text for t in axes.iter(f"{{{NS['svg']}}}text")
                   if t.get("text-anchor") == "middle"}  # fmt: skip

    ticks = [float(line.get("x1")) for line in _tick_lines(root)]

    assert len(ticks) >= 2 and ticks[0] == x_of_day[MAR3] and ticks[-1] == x_of_day[APR2]
    for x in ticks:
        assert x in label_of_x, f"a tick at x={x} is on no point's date"
        assert date_labels[x] == label_of_x[x]


def test_a_session_line_is_drawn_over_a_stage_line_on_the_same_day() -> None:
    markers = (Marker(MAR9, "S1", "session"), Marker(MAR9, "Stage 2", "stage"))
    root = _tree(scale_chart(_couple(), markers, title="t"))
    lines = [e for e in root.iter(f"{{{NS['svg']}}}line") if "marker" in e.get("class", "").split()]
    kinds = [e.get("class").split()[-1] for e in lines]

    assert kinds == ["marker-stage", "marker-session"]  # drawn later = on top
    stage, session = lines
    assert stage.get("x1") == session.get("x1")
    # The stage is a band wider than the session line, so both show.
    assert float(stage.get("stroke-width")) >= 3 * float(session.get("stroke-width"))
    assert session.get("stroke-dasharray") and stage.get("stroke") != session.get("stroke")


def test_session_labels_and_stage_labels_sit_on_separate_rows() -> None:
    markers = (Marker(MAR2, "S1", "session"), Marker(MAR16, "S2", "session"),
               Marker(MAR2, "Stage 1", "stage"), Marker(APR20, "Stage 2", "stage"))  # fmt: skip
    root = _tree(scale_chart(_couple(), markers, title="t"))
    labels = _marker_labels(root)
    size = float(next(g for g in root.iter(f"{{{NS['svg']}}}g")
                      if g.get("class") == "markers").get("font-size"))  # fmt: skip
    rows: dict[str, set[float]] = {"S": set(), "Stage": set()}
    for t in labels:
        rows["Stage" if t.text.startswith("Stage") else "S"].add(float(t.get("y")))

    assert {t.text for t in labels} == {"S1", "S2", "Stage 1", "Stage 2"}
    (session_y,), (stage_y,) = rows["S"], rows["Stage"]
    assert abs(session_y - stage_y) >= size  # rows a line apart: no overlap
    # Both rows clear the legend and the top of the plot.
    plot_top = min(float(e.get("y1")) for e in root.iter(f"{{{NS['svg']}}}line")
                   if "marker" in e.get("class", "").split())  # fmt: skip
    assert max(session_y, stage_y) < plot_top


def test_chinese_marker_and_date_labels_still_render(app) -> None:
    from flask_babel import force_locale

    markers = (Marker(MAR2, "第1次", "session"), Marker(MAR9, "阶段 2", "stage"))
    with app.test_request_context(), force_locale("zh_Hans"):
        root = _tree(scale_chart(_couple(), markers, title="量尺"))
    texts = [t.text for t in root.iter(f"{{{NS['svg']}}}text")]
    assert "第1次" in texts and "阶段 2" in texts
    assert "3月2日" in texts and "4月20日" in texts
