"""Dyadic 1-10 scale chart drawn as accessible, deterministic SVG from plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from .. import svg
from ..domain import SCALE_MAX, SCALE_MIN
from ..i18n import current_language, pattern
from ..svg import element, label, num, start

MAX_SERIES = 2
MARKER_KINDS = ("session", "stage")

_FONT = "DejaVu Sans, Noto Sans, Liberation Sans, WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"


@dataclass(frozen=True)
class Point:
    day: date
    value: int


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Marker:
    day: date
    label: str
    kind: str  # "session" or "stage"


@dataclass(frozen=True)
class Chart:
    svg: Markup  # every text inside is escaped here; the only thing a template marks safe
    rows: list[tuple[date, dict[str, int]]] = field(hash=False)
    title: str
    description: str
    id: str


@dataclass(frozen=True)
class _Style:
    colour: str
    dash: str | None
    shape: str


# Okabe-Ito blue and vermillion: told apart with colour-blindness, 5.2:1 and 3.9:1 on white;
# line dash and point shape differ as well, so the chart also works in greyscale.
_STYLES = (_Style("#0072B2", None, "circle"), _Style("#D55E00", "7 4", "diamond"))
# A stage change is a wide mid-grey band (3.0:1 on white), a session a thin dark dashed line drawn
# over it: on a day with both, the session line shows inside the band instead of under it.
_MARKER_STYLE = {"session": ("#1A1A1A", "3 3", 1.25), "stage": ("#949494", None, 5.0)}
_MARKER_ORDER = ("stage", "session")  # draw order; the rows of labels above the plot, top down


@dataclass(frozen=True)
class _Frame:
    left: float
    right: float
    top: float
    bottom: float
    days: svg.Linear  # day number -> x; one day alone sits in the middle
    values: svg.Linear  # scale value -> y
    font: float  # the chart's font size in drawing units; every offset scales with it

    @classmethod
    def around(cls, left: float, right: float, top: float, bottom: float, days: list[date],
               font: float):  # fmt: skip
        span = (days[0].toordinal(), days[-1].toordinal()) if days else (0, 0)
        values = svg.Linear((SCALE_MIN, SCALE_MAX), (bottom, top))
        return cls(left, right, top, bottom, svg.Linear(span, (left, right)), values, font)

    def x(self, day: date) -> float:
        return self.days(day.toordinal())

    def y(self, value: float) -> float:
        return self.values(value)


def scale_chart(
    series: tuple[Series, ...] | list[Series],
    markers: tuple[Marker, ...] | list[Marker] = (),
    *,
    title: str,
    description: str | None = None,
    width: int = 640,
    height: int = 260,
    font_size: float = 10,
    id_prefix: str | None = None,
) -> Chart:
    """Draw one line per partner on the 1-10 scale, with session and stage markers.

    Points are drawn in date order (input order within a day). Markers outside the dates of the
    points are left out. Element ids derive from a hash of the input, so two different charts on
    a page never clash and the same input gives the same SVG; pass ``id_prefix`` to show the very
    same chart twice on one page. Raises ValueError for more than two series, duplicate labels,
    values outside 1-10, unknown marker kinds or an invalid ``id_prefix``.

    WeasyPrint lays SVG text out glyph by glyph (about 0.25 ms each), so keep marker labels
    short ("S3", "Stage 2"); visible labels are cut at 18 characters, the full one is a tooltip.

    ``font_size`` is in drawing units and every margin scales with it; the SVG is drawn to fill
    its container, so on screen the text is ``font_size * rendered width / width`` pixels. A chart
    for a phone is drawn narrow (e.g. 320 units) so its text grows with the screen, not shrinks.
    """
    series = tuple(Series(s.label, _sorted(s.points)) for s in series)
    markers = tuple(markers)
    _validate(series, markers, width, height, font_size, id_prefix)
    chart_id = id_prefix or svg.digest_id(
        "scale", series, markers, title, description, width, height, font_size
    )
    days = sorted({p.day for s in series for p in s.points})
    first, last = (days[0], days[-1]) if days else (None, None)
    shown = tuple(
        m for m in sorted(markers, key=lambda m: (m.day, m.kind, m.label))
        if first is not None and last is not None and first <= m.day <= last
    )  # fmt: skip
    if description is None:
        description = _describe(series, shown, first, last)
    k = font_size / 10
    rows = sum(1 for kind in MARKER_KINDS if any(m.kind == kind for m in shown))
    top = 30 * k + rows * 12 * k
    frame = _Frame.around(36 * k + 10, width - 22 * k, top, height - 26 * k, days, font_size)

    parts = [element("rect", width=width, height=height, fill="#FFFFFF")]
    parts += _axes(frame, days)
    parts += _markers(frame, shown)
    for index, one in enumerate(series):
        parts += _series(frame, one, _STYLES[index], index)
    parts += _legend(series, {m.kind for m in shown}, width, frame)
    if not days:
        middle = (frame.top + frame.bottom) / 2
        parts.append(label((frame.left + frame.right) / 2, middle, _("No scale placements yet."),
                           text_anchor="middle", fill="#333333"))  # fmt: skip
    drawing = svg.document(
        parts, chart_id=chart_id, title=title, description=description, width=width,
        height=height, class_="scale-chart", font_family=_FONT, font_size=font_size,
    )
    return Chart(drawing, _rows(series), title, description, chart_id)


def _sorted(points: tuple[Point, ...] | list[Point]) -> tuple[Point, ...]:
    return tuple(sorted(points, key=lambda p: p.day))  # stable: input order within a day


def _validate(series, markers, width, height, font_size, id_prefix) -> None:
    if len(series) > MAX_SERIES:
        raise ValueError(f"a scale chart shows at most {MAX_SERIES} series, got {len(series)}")
    labels = [s.label for s in series]
    if len(set(labels)) != len(labels):
        raise ValueError("series labels must differ")
    for s in series:
        for p in s.points:
            if isinstance(p.value, bool) or not isinstance(p.value, int):
                raise ValueError(f"scale values are integers, got {p.value!r}")
            if not SCALE_MIN <= p.value <= SCALE_MAX:
                raise ValueError(f"scale value {p.value} is outside {SCALE_MIN} to {SCALE_MAX}")
    for m in markers:
        if m.kind not in MARKER_KINDS:
            raise ValueError(f"marker kind must be one of {MARKER_KINDS}, got {m.kind!r}")
    if width < 240 or height < 160:
        raise ValueError("a scale chart needs at least 240 x 160 units")
    if not 6 <= font_size <= min(width, height) / 12:
        raise ValueError(f"font size {font_size} does not fit a {width} x {height} chart")
    if id_prefix is not None and not svg.is_valid_id(id_prefix):
        raise ValueError(f"invalid id_prefix {id_prefix!r}")


def _axes(frame: _Frame, days: list[date]) -> list[str]:
    f = frame.font
    out = [start("g", class_="axes", stroke_width=1)]
    for value in range(SCALE_MIN, SCALE_MAX + 1):
        y = frame.y(value)
        colour = "#767676" if value == SCALE_MIN else "#DDDDDD"
        out.append(element("line", x1=frame.left - 8, y1=y, x2=frame.right + 8, y2=y, stroke=colour))
        out.append(label(frame.left - 4 - f, y + f * 0.35, value, text_anchor="end", fill="#333333"))
    for day, shown in _ticks(frame, days):
        x = frame.x(day)
        out.append(element("line", class_="tick", x1=x, y1=frame.bottom, x2=x, y2=frame.bottom + 4,
                           stroke="#767676"))  # fmt: skip
        out.append(label(x, frame.bottom + 4 + f * 1.2, shown, class_="tick-label",
                         text_anchor="middle", fill="#333333"))  # fmt: skip
    out.append("</g>")
    return out


def _ticks(frame: _Frame, days: list[date]) -> list[tuple[date, str]]:
    """Date ticks on days that have placements, placed with the points' own x scale: the first and
    the last day always, days between where their labels fit (a label's width apart, and no more
    than about seven across)."""
    if not days:
        return []
    labels = {day: _short_date(day, days) for day in days}
    gap = max((svg.text_width(t, frame.font * 0.62) + frame.font for t in labels.values()),
              default=0.0)  # fmt: skip
    gap = max(gap, (frame.right - frame.left) / 7)
    first, last = days[0], days[-1]
    chosen = [first]
    for day in days[1:-1]:
        x = frame.x(day)
        if x - frame.x(chosen[-1]) >= gap and frame.x(last) - x >= gap:
            chosen.append(day)
    if last != first:
        chosen.append(last)
    return [(day, labels[day]) for day in chosen]


def _markers(frame: _Frame, markers: tuple[Marker, ...]) -> list[str]:
    """Stage bands first, session lines over them; each kind's labels on a row of its own (stage
    labels above session labels). A label that would run into the one before it on its row is
    left to the tooltip and the table."""
    if not markers:
        return []
    f = frame.font * 0.9
    kinds = [kind for kind in _MARKER_ORDER if any(m.kind == kind for m in markers)]
    out = [start("g", class_="markers", font_size=f)]
    for row, kind in enumerate(kinds):
        colour, dash, stroke = _MARKER_STYLE[kind]
        y = frame.top - 8 - (len(kinds) - 1 - row) * f * 1.3
        row_end = float("-inf")
        for m in (m for m in markers if m.kind == kind):
            x = frame.x(m.day)
            out.append(element(
                "line", element("title", svg.text(m.label)), class_=f"marker marker-{m.kind}",
                x1=x, y1=frame.top - 4, x2=x, y2=frame.bottom, stroke=colour, stroke_width=stroke,
                stroke_dasharray=dash,
            ))  # fmt: skip
            shown = svg.truncate(m.label, 18)
            width = svg.text_width(shown, f * 0.58)
            # Right of its line; at the right edge, left of it.
            begin, anchor = (x + 2, None) if x + 2 + width <= frame.right + 20 else (x - 2, "end")
            left = begin if anchor is None else begin - width
            if left > row_end + f * 0.4 and left >= 0:
                row_end = left + width
                out.append(label(begin, y, shown, class_=f"marker-label marker-label-{kind}",
                                 text_anchor=anchor,
                                 fill="#333333" if kind == "stage" else colour))  # fmt: skip
    out.append("</g>")
    return out


def _series(frame: _Frame, series: Series, style: _Style, index: int) -> list[str]:
    out = [start("g", class_=f"series series-{index + 1}", data_label=series.label)]
    coords = [(frame.x(p.day), frame.y(p.value)) for p in series.points]
    if len(coords) > 1:
        out.append(element(
            "polyline", points=_points(coords), fill="none", stroke=style.colour,
            stroke_width=2.5, stroke_linejoin="round", stroke_dasharray=style.dash,
        ))  # fmt: skip
    # No per-point <title> tooltips: WeasyPrint parses them for nothing, and the table that goes
    # with the chart (Chart.rows) carries every value for screen and print.
    out += [_shape(style, x, y, "point") for x, y in coords]
    out.append("</g>")
    return out


def _shape(style: _Style, x: float, y: float, css_class: str) -> str:
    # Series 1 is a filled circle, series 2 a larger hollow diamond: where both partners placed
    # themselves at the same value on the same day, the circle stays visible inside the diamond.
    if style.shape == "circle":
        return element("circle", class_=css_class, cx=x, cy=y, r=4, fill=style.colour)
    d = 6.5
    points = _points(((x, y - d), (x + d, y), (x, y + d), (x - d, y)))
    return element("polygon", class_=css_class, points=points, fill="none", stroke=style.colour,
                   stroke_width=2)  # fmt: skip


def _points(coords) -> str:
    return " ".join(f"{num(x)},{num(y)}" for x, y in coords)


def _legend(series: tuple[Series, ...], kinds: set[str], width: int, frame: _Frame) -> list[str]:
    k = frame.font / 10
    out = [start("g", class_="legend")]
    x, y = frame.left, 14.0 * k
    for index, one in enumerate(series):
        style = _STYLES[index]
        shown = svg.truncate(one.label, 32)
        out.append(element("line", x1=x, y1=y, x2=x + 26, y2=y, stroke=style.colour,
                           stroke_width=2.5, stroke_dasharray=style.dash))  # fmt: skip
        out.append(_shape(style, x + 13, y, "legend-point"))
        out.append(label(x + 32, y + 3.5 * k, shown, fill="#1A1A1A"))
        x += 32 + svg.text_width(shown, 6.2 * k) + 18
    for kind, name in (("session", _("Session")), ("stage", _("Stage"))):
        if kind in kinds and x + 60 * k <= width:
            colour, dash, stroke = _MARKER_STYLE[kind]
            out.append(element("line", x1=x + 4, y1=y - 7 * k, x2=x + 4, y2=y + 5 * k, stroke=colour,
                               stroke_width=stroke, stroke_dasharray=dash))  # fmt: skip
            out.append(label(x + 10, y + 3.5 * k, name, fill="#333333"))
            x += 62 * k
    out.append("</g>")
    return out


def _rows(series: tuple[Series, ...]) -> list[tuple[date, dict[str, int]]]:
    """One row per day; a partner with several placements on one day gets extra rows that day."""
    by_day: dict[date, dict[str, list[int]]] = {}
    for s in series:
        for p in s.points:
            by_day.setdefault(p.day, {}).setdefault(s.label, []).append(p.value)
    rows = []
    for day in sorted(by_day):
        values = by_day[day]
        for i in range(max(len(v) for v in values.values())):
            rows.append((day, {label: v[i] for label, v in values.items() if i < len(v)}))
    return rows


# The sentences of the description: (how the value went, which dates) -> sentence. "From" says
# "moved" once per description ("A moved from 3 to 6 …; B from 4 to 5"); the dates are left out
# when the partner before covered the very same days.
_SENTENCES = {
    ("moved", "between"): _l("%(name)s moved from %(start)d to %(end)d between %(first)s and %(last)s"),
    ("moved", "on"): _l("%(name)s moved from %(start)d to %(end)d on %(first)s"),
    ("moved", ""): _l("%(name)s moved from %(start)d to %(end)d"),
    ("from", "between"): _l("%(name)s from %(start)d to %(end)d between %(first)s and %(last)s"),
    ("from", "on"): _l("%(name)s from %(start)d to %(end)d on %(first)s"),
    ("from", ""): _l("%(name)s from %(start)d to %(end)d"),
    ("stayed", "between"): _l("%(name)s started and ended at %(start)d between %(first)s and %(last)s"),
    ("stayed", "on"): _l("%(name)s started and ended at %(start)d on %(first)s"),
    ("stayed", ""): _l("%(name)s started and ended at %(start)d"),
}


def _describe(series, markers, first, last) -> str:
    if not any(s.points for s in series):
        return _("No scale placements yet.")
    with_year = first.year != last.year
    sentences: list[str] = []
    previous_span = None
    said_moved = False
    for s in series:
        if not s.points:
            sentences.append(_("%(name)s has no placements yet", name=s.label))
            continue
        start, end = s.points[0], s.points[-1]
        if len(s.points) == 1:
            sentences.append(_("%(name)s placed themselves at %(value)d on %(date)s", name=s.label,
                               value=start.value, date=_long_date(start.day, with_year)))
            continue
        span = (start.day, end.day)
        when = "" if span == previous_span else "on" if start.day == end.day else "between"
        if start.value == end.value:
            verb = "stayed"
        else:
            verb = "from" if said_moved else "moved"
            said_moved = True
        sentences.append(str(_SENTENCES[verb, when]) % {
            "name": s.label, "start": start.value, "end": end.value,
            "first": _long_date(start.day, with_year), "last": _long_date(end.day, with_year),
        })
        previous_span = span
    text = _("; ").join(sentences) + _(".")
    if markers:
        counts = {kind: sum(1 for m in markers if m.kind == kind) for kind in MARKER_KINDS}
        named = [
            ngettext("%(num)d session", "%(num)d sessions", counts["session"]),
            ngettext("%(num)d stage change", "%(num)d stage changes", counts["stage"]),
        ]
        marks = _(" and ").join(n for n, kind in zip(named, MARKER_KINDS, strict=True) if counts[kind])
        text += _(" Vertical lines mark %(marks)s.", marks=marks)
    return text


def _long_date(day: date, with_year: bool = True) -> str:
    """2 March (2025), 3月2日 (2025年3月2日): the reader's language, through Babel."""
    language = current_language()
    return format_date(day, pattern("long" if with_year else "long_day_month", language), language)


def _short_date(day: date, days: list[date]) -> str:
    """An axis label: 2 Mar (2025), 3月2日."""
    with_year = days[0].year != days[-1].year
    language = current_language()
    return format_date(day, pattern("date" if with_year else "day_month", language), language)
