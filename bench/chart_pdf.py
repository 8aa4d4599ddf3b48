"""Measure what a scale chart adds to a PDF render: own SVG module vs pygal (if installed).

Run: .venv/bin/python bench/chart_pdf.py
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic.pdf import html_to_pdf  # noqa: E402
from clinic.records.chart import Marker, Point, Series, scale_chart  # noqa: E402

RUNS = 10
WARM_UP = 2
STATIC = ROOT / "static"
START = date(2025, 3, 2)
VALUES_A = (3, 4, 4, 5, 6, 5, 6, 7)
VALUES_B = (4, 4, 5, 5, 5, 6, 6, 6)


def page(figure: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench</title>'
        '<link rel="stylesheet" href="clinic-static:css/pdf.css"></head><body>'
        '<header class="pdf-running-header">Chen Jing &amp; Mark Lee</header><main>'
        "<h1>Progress report 陈静 Chen Jing</h1><p>Scale placements over eight weeks.</p>"
        f"<figure>{figure}</figure><p>End of report.</p></main></body></html>"
    )


def days() -> list[date]:
    return [START + timedelta(weeks=i) for i in range(len(VALUES_A))]


def own_svg(*, with_markers: bool = True) -> str:
    series = (
        Series("Chen Jing", tuple(Point(d, v) for d, v in zip(days(), VALUES_A, strict=True))),
        Series("Mark Lee", tuple(Point(d, v) for d, v in zip(days(), VALUES_B, strict=True))),
    )
    markers = tuple(Marker(d, f"Session {i + 1}", "session") for i, d in enumerate(days()))
    if not with_markers:
        markers = ()
    return str(scale_chart(series, markers, title="Scale placements").svg)


def pygal_svg() -> str | None:
    try:
        import pygal  # optional: measured only when installed, never a dependency
    except ImportError:
        return None
    chart = pygal.DateLine(
        width=640, height=260, range=(1, 10), js=[], disable_xml_declaration=True,
        title="Scale placements", x_label_rotation=0, show_dots=True,
    )  # fmt: skip
    chart.add("Chen Jing", list(zip(days(), VALUES_A, strict=True)))
    chart.add("Mark Lee", list(zip(days(), VALUES_B, strict=True)))
    return chart.render(is_unicode=True)


def median_ms(html: str) -> float:
    for _ in range(WARM_UP):
        html_to_pdf(html, static_dir=STATIC)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        html_to_pdf(html, static_dir=STATIC)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    start = time.perf_counter()
    for _ in range(100):
        svg = own_svg()
    build_us = (time.perf_counter() - start) / 100 * 1e6
    base = median_ms(page(""))
    own = median_ms(page(svg))
    plain = median_ms(page(own_svg(with_markers=False)))
    print(f"median of {RUNS} renders after {WARM_UP} warm-up, html_to_pdf with StaticOnlyFetcher")
    print(f"page without chart        {base:7.1f} ms")
    print(f"page with own SVG chart   {own:7.1f} ms   chart adds {own - base:6.1f} ms")
    print(f"  same, no session markers {plain:7.1f} ms   chart adds {plain - base:6.1f} ms")
    print(f"building the own SVG      {build_us / 1000:7.2f} ms  ({len(svg)} bytes)")
    other = pygal_svg()
    if other is None:
        print("pygal not installed: skipped (pip install pygal to compare)")
        return
    with_pygal = median_ms(page(other))
    print(
        f"page with pygal chart     {with_pygal:7.1f} ms   chart adds {with_pygal - base:6.1f} ms"
    )


if __name__ == "__main__":
    main()
