"""The report as a file, CSV (streamed, formula-safe, RFC 4180) or PDF (with two small charts),
the same for the web download and `flask supervision-report`."""

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from .. import catalogue_texts, svg
from ..exercises.catalogue import STAGES
from ..extensions import db
from ..i18n import supported
from ..pdf import render_pdf
from .report import CoupleRow, Report, ReportRequest, build_report, couple_rows

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise text a spreadsheet would run as a formula; numbers pass as numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _blank(value):
    return "" if value is None else value


class _Taken:
    """A file for csv.writer whose text is taken after each row: one writer for the whole file."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def csv_lines(report: Report, rows: Iterable[CoupleRow]) -> Iterator[str]:
    """CSV text one line at a time (a tidy layout: section, subject, measure, value)."""
    out = _Taken()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def _line(row: Iterable) -> str:
        writer.writerow([safe_cell(v) for v in row])
        return out.take()

    yield _line(["section", "subject", "measure", "value"])
    yield _line(["report", report.practice, "scope", report.scope])
    yield _line(["report", "", "period", f"{report.since.isoformat()} to {report.until.isoformat()}"])
    yield _line(["report", "", "identified", "yes" if report.identified else "no"])
    for status, count in report.caseload.items():
        yield _line(["caseload", status, "couples", count])
    for stage in STAGES:
        subject = f"{stage.number} {stage.title}"
        yield _line(["stage", subject, "active couples", report.by_stage[stage.number]])
        yield _line(["stage", subject, "average days", _blank(report.days_per_stage[stage.number])])
    for key, count in report.assignments.items():
        yield _line(["assignments", "", key, count])
    rate = report.completion_rate
    yield _line(["assignments", "", "completion rate", "" if rate is None else f"{rate:.0%}"])
    yield _line(["notes", "", "sessions held", report.sessions_held])
    yield _line(["notes", "", "notes signed", report.notes_signed])
    yield _line(["notes", "", "unsigned after 72 hours", report.notes_unsigned_over_72h])
    moved = 0
    for row in rows:
        moved += row.moved_up
        yield _line(["couple", row.couple, "clinician", row.clinician])
        yield _line(["couple", row.couple, "status", row.status])
        yield _line(["couple", row.couple, "stage", row.stage])
        yield _line(["couple", row.couple, "week of the case", row.week_of_case])
        yield _line(["couple", row.couple, "exceptions logged", row.exceptions])
        yield _line(["couple", row.couple, "sessions", row.sessions])
        for scale in row.scales:
            subject = f"{row.couple} / {scale.partner}"
            yield _line(["scale", subject, "first", _blank(scale.first)])
            yield _line(["scale", subject, "first week", _blank(scale.first_week)])
            yield _line(["scale", subject, "latest", _blank(scale.latest)])
            yield _line(["scale", subject, "latest week", _blank(scale.latest_week)])
            yield _line(["scale", subject, "change", _blank(scale.change)])
    yield _line(["scale", "", "couples up 2 or more points", moved])


def _bar_chart(title: str, bars: list[tuple[str, float]], *, unit: str = "", width: int = 520) -> Markup:
    """A small horizontal bar chart as SVG (bars below zero are drawn empty); the report's table
    beside it carries the same figures."""
    row_h, label_w = 22, 190
    height = row_h * len(bars) + 30
    length = svg.Linear((0, max((v for _, v in bars), default=0) or 1), (0, width - label_w - 60))
    parts = []
    for i, (name, value) in enumerate(bars):
        y = 20 + i * row_h
        w = length(value) if value > 0 else 0
        parts += [
            svg.label(0, y + 14, name, font_size=11, fill="#1d2430"),
            svg.element("rect", x=label_w, y=y + 3, width=float(w), height=14, fill="#1f5f8b"),
            svg.label(label_w + w + 6, y + 14, f"{value:g}{unit}", font_size=11, fill="#1d2430"),
        ]
    description = "; ".join(f"{name}: {value:g}{unit}" for name, value in bars) or title
    return svg.document(
        parts, chart_id=svg.digest_id("bars", title, bars, unit, width), title=title,
        description=description, width=width, height=height,
    )


def change_bars(changes: list[int]) -> list[tuple[str, float]]:
    """How many partners moved by how much: one bar per step from -3 or less to +3 or more, so the
    chart keeps its size however many couples the report lists (the table gives each one)."""
    counted = Counter(max(-3, min(3, change)) for change in changes)
    labels = {-3: _("-3 or less"), 3: _("+3 or more")}
    return [(labels.get(step, f"{step:+d}" if step else "0"), counted[step]) for step in range(-3, 4)]


def pdf_context(report: Report) -> dict:
    """Plain data for templates/pdf/report.html."""
    stages = catalogue_texts.stages()  # the reader's language; the CSV keeps English data
    stage_bars = [(f"{s.number}. {s.title}", report.by_stage[s.number]) for s in stages]
    changes = [scale.change for row in report.couples for scale in row.scales if scale.change is not None]
    return {
        "report": asdict(report) | {"moved_up_two": report.moved_up_two},
        "stages": [{"number": s.number, "title": s.title} for s in stages],
        "stage_chart": _bar_chart(_("Active couples by stage"), stage_bars),
        "change_chart": _bar_chart(_("Partners by scale change, first to latest placement"),
                                   change_bars(changes)) if changes else None,
    }


def report_pdf(report: Report) -> bytes:
    """The report as a PDF (WeasyPrint is imported on first use, not at start-up)."""
    return render_pdf("pdf/report.html", pdf_context(report))


@dataclass(frozen=True)
class ReportFile:
    """A report ready to save: its file name and type, how many couples it lists, and its content.

    `content(each_row=None)` makes the file: a PDF as bytes, a CSV as text lines made while they
    are sent. `each_row` is called once per couple read (the CLI's progress bar).
    """

    filename: str
    mimetype: str
    couples: int
    content: Callable[..., bytes | Iterator[str]]


def _counted(rows: Iterable[CoupleRow], each_row: Callable[[], object] | None) -> Iterator[CoupleRow]:
    for row in rows:
        yield row
        if each_row is not None:
            each_row()


def report_file(user, request: ReportRequest, fmt: str) -> ReportFile:
    """The supervision report as a PDF or CSV file. Audited; raises as build_report does.

    The CSV's couples are read batch by batch while its lines are sent, through a connection of
    their own (a streamed response outlives the request's session): memory stays flat however
    large the practice is.
    """
    practice_id = user.practice_id
    reader_language = supported(user.locale)
    report = build_report(user, request, fmt=fmt, with_rows=False)
    clinician_ids = report.clinician_ids
    name = f"supervision-report-{request.since.isoformat()}-{request.until.isoformat()}"
    if request.identified:
        name += "-identified"
    couples = sum(report.caseload.values())
    if fmt == "csv":
        engine = db.engine

        def lines(each_row=None) -> Iterator[str]:
            with engine.connect() as connection:
                rows = couple_rows(practice_id, request, clinician_ids, session=connection)
                yield from csv_lines(report, _counted(rows, each_row))

        return ReportFile(f"{name}.csv", "text/csv; charset=utf-8", couples, lines)

    def pdf(each_row=None) -> bytes:
        report.couples = list(_counted(couple_rows(practice_id, request, clinician_ids), each_row))
        with force_locale(reader_language):  # the reader's, also from the CLI
            return report_pdf(report)

    return ReportFile(f"{name}.pdf", "application/pdf", couples, pdf)
