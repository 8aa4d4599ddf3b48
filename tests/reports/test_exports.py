"""The downloads: de-identified unless the owner asks for names; formula-safe, RFC 4180 CSV; PDF."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import pypdf
import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.auth.models import User
from clinic.couples.models import Couple
from clinic.couples.services import CoupleInput, PartnerInput, create_couple
from clinic.exercises.catalogue import STAGES
from clinic.extensions import db
from clinic.reports import export
from clinic.reports.report import build_report

from .conftest import OPENED, SINCE, UNTIL, set_columns, utc_at

PERIOD = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    """Without whitespace: a name the PDF wrapped over two lines is still found."""
    return re.sub(r"\s+", "", text)


def rows_of(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body, newline="")))


def download(browser, fmt: str, **params):
    response = browser.get(f"/reports/report.{fmt}", query_string={**PERIOD, **params})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def text_of(response, fmt: str) -> str:
    return response.get_data(as_text=True) if fmt == "csv" else pdf_text(response.get_data())


def client_date_forms(world) -> list[str]:
    """Every way a client's date could be written; the period's own bounds are no client's."""
    forms = []
    for day in world.client_dates - {SINCE, UNTIL}:
        forms += [day.isoformat(), f"{day.day} {day:%b %Y}", f"{day:%d/%m/%Y}", f"{day:%m/%d/%Y}",
                  f"{day:%B} {day.day}", f"{day.day} {day:%B}"]
    return forms


def opened(clinician, label: str, a: str, b: str):
    """A couple opened before the period (so that it is in the report)."""
    couple = create_couple(clinician, CoupleInput(label, PartnerInput(a), PartnerInput(b)))
    set_columns(Couple, couple.id, created_at=utc_at(OPENED))
    return couple


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.generate").order_by(AuditEvent.id)
    ))


# --- de-identified --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
@pytest.mark.parametrize("viewer", ["owner", "sam"])
def test_the_deidentified_report_holds_no_client_material(world, signed_in, fmt, viewer):
    text = text_of(download(signed_in(getattr(world, viewer)), fmt), fmt)

    found = [s for s in world.secrets if s in text or squash(s) in squash(text)]
    assert not found, f"the de-identified {fmt} shows {found}"
    dated = [d for d in client_date_forms(world) if d in text]
    assert not dated, f"the de-identified {fmt} shows client dates {dated}"
    for key in ("X1", "X2", "X3", "X4"):
        assert world.couples[key].pseudonym in squash(text), key  # the PDF may wrap after "C-"
    assert (world.couples["Y1"].pseudonym in squash(text)) is (viewer == "owner")
    assert world.couples["X5"].pseudonym not in text  # opened after the period
    assert world.couples["Z"].pseudonym not in text  # another practice


def test_the_deidentified_csv_gives_weeks_of_the_case(world, signed_in):
    body = download(signed_in(world.owner), "csv").get_data(as_text=True)
    x1 = world.couples["X1"].pseudonym
    cells = {tuple(row[:3]): row[3] for row in rows_of(body)}

    assert cells[("couple", x1, "week of the case")] == "8"
    assert [cells[("scale", f"{x1} / Partner A", m)] for m in ("first", "first week", "latest", "latest week",
                                                              "change")] == ["3", "1", "6", "8", "3"]
    assert cells[("scale", f"{x1} / Partner B", "change")] == "1"
    assert cells[("couple", x1, "exceptions logged")] == "3"
    assert cells[("report", "", "identified")] == "no"


def test_the_deidentified_pdf_gives_weeks_of_the_case(world, signed_in):
    text = pdf_text(download(signed_in(world.sam), "pdf").get_data())

    assert "(wk8)" in squash(text) and "(wk1)" in squash(text)  # table cells wrap
    assert "PartnerA" in squash(text) and "De-identified" in text
    assert "IDENTIFIED" not in text


def test_the_csv_summary_holds_every_figure(world, signed_in):
    response = download(signed_in(world.owner), "csv")
    body = response.get_data(as_text=True)
    rows = rows_of(body)
    cells = {tuple(row[:3]): row[3] for row in rows}
    stage = {s.number: f"{s.number} {s.title}" for s in STAGES}

    assert rows[0] == ["section", "subject", "measure", "value"]
    assert all(len(row) == 4 for row in rows)
    assert body.endswith("\r\n") and body.count("\r\n") == len(rows)
    assert cells[("report", "Harbour Lane Practice", "scope")] == "Whole practice"
    assert cells[("report", "", "period")] == "2025-02-03 to 2025-03-02"
    assert [cells[("caseload", s, "couples")] for s in ("active", "paused", "closed")] == ["3", "1", "1"]
    assert [cells[("stage", stage[n], "active couples")] for n in range(1, 7)] == [
        "1", "0", "1", "1", "0", "0"]
    assert [cells[("stage", stage[n], "average days")] for n in range(1, 7)] == [
        "31.3", "17.0", "34.0", "7.0", "7.0", ""]
    assert [cells[("assignments", "", k)] for k in ("assigned", "submitted", "reviewed", "overdue")] == [
        "8", "3", "2", "3"]
    assert cells[("assignments", "", "completion rate")] == "38%"
    notes = ("sessions held", "notes signed", "unsigned after 72 hours")
    assert [cells[("notes", "", k)] for k in notes] == ["6", "4", "3"]
    assert cells[("scale", "", "couples up 2 or more points")] == "3"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="supervision-report-2025-02-03-2025-03-02.csv"')
    assert response.mimetype == "text/csv"


# --- identified -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_the_identified_version_names_the_clients_and_is_audited_as_identified(world, signed_in, fmt):
    response = download(signed_in(world.owner), fmt, identified="y", clinician_id=world.ruth.id)
    text = text_of(response, fmt)

    for name in ("Jing Chen", "Mark Lee", "Amara Okafor", "Chen & Lee, referred by Dr Park"):
        assert name in text or squash(name) in squash(text), name
    # Names only: still no contact details and no client's own words.
    leaked = [s for s in [*world.free_text, "jing.chen@example.org", "amara@example.org"]
              if squash(s) in squash(text)]
    assert not leaked
    assert "Grace Mwangi" not in text  # Colin's client: out of the chosen scope
    assert response.headers["Content-Disposition"].endswith(f'-identified.{fmt}"')
    [event] = _events()
    assert event.actor_user_id == world.owner.id
    assert event.detail == {"format": fmt, "identified": True, "clinician": world.ruth.id, **PERIOD}


def test_the_identified_pdf_says_so_on_every_page(world, signed_in):
    data = download(signed_in(world.owner), "pdf", identified="y").get_data()

    reader = pypdf.PdfReader(io.BytesIO(data))
    assert all("IDENTIFIED" in page.extract_text() for page in reader.pages)
    assert "Identified version: contains client names" in pdf_text(data)


# --- formula safety and RFC 4180 ------------------------------------------------------------------

EVIL = ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", EVIL)
def test_safe_cell_neutralises_formulas(value):
    assert export.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Dr Ruth", "1+1", "a=b", "", " =x", "'=x", 7, -2, 3.5, None])
def test_safe_cell_leaves_the_rest_alone(value):
    assert export.safe_cell(value) == value


def test_clinicians_named_like_formulas_are_neutralised_in_the_csv(world, signed_in, make_user):
    evil = {}
    for n, name in enumerate(EVIL):
        clinician = make_user(world.practice, email=f"evil{n}@harbour.example")
        set_columns(User, clinician.id, name=name)  # create_user would have stripped the tab
        couple = opened(clinician, f"Evil {n}", f"Eve {n}", "Bo")
        evil[couple.pseudonym] = name
    browser = signed_in(world.owner)

    rows = rows_of(download(browser, "csv", identified="y").get_data(as_text=True))

    clinician_cells = {row[1].split(" · ")[0]: row[3] for row in rows if row[2] == "clinician"}
    for pseudonym, name in evil.items():
        assert clinician_cells[pseudonym] == "'" + name
    dangerous = [cell for row in rows for cell in row
                 if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)]
    assert not dangerous
    for name in list(evil.values())[:2]:  # the scope names the chosen clinician
        clinician_id = db.session.scalar(sa.select(User.id).where(User.name == name))
        scoped = rows_of(download(browser, "csv", clinician_id=clinician_id).get_data(as_text=True))
        assert scoped[1] == ["report", "Harbour Lane Practice", "scope", "'" + name]
        assert [row[3] for row in scoped if row[2] == "clinician"] == ["'" + name]


def test_commas_quotes_and_newlines_round_trip(world, signed_in):
    label = 'Smith, "Jo"\nand Sam'
    partner = 'Ann "Nan", Jr\r\nthe second'
    couple = opened(world.ruth, label, partner, "Bo, Sam")

    body = download(signed_in(world.owner), "csv", identified="y").get_data(as_text=True)

    rows = rows_of(body)
    subject = f"{couple.pseudonym} · {label}"
    assert ["couple", subject, "clinician", "Dr Ruth Amsel"] in rows
    assert ["scale", f"{subject} / {partner}", "first", ""] in rows
    assert ["scale", f"{subject} / Bo, Sam", "change", ""] in rows
    assert f'"{couple.pseudonym} · Smith, ""Jo""\nand Sam"' in body  # RFC 4180: quoted, quotes doubled
    assert all(len(row) == 4 for row in rows)


def test_pdf_labels_are_escaped_and_the_change_chart_names_no_couple(world):
    from flask import render_template

    from clinic.records.services import add_in_session

    couple = opened(world.ruth, "<script>alert(1)</script>", "<b>A</b>", "B")
    for day, value in ((SINCE, 2), (UNTIL, 5)):
        add_in_session(world.ruth, couple.id, couple.partners[0].id, "scale",
                       {"date": day.isoformat(), "value": str(value)}, shared=False)
    report = build_report(world.owner, world.request(identified=True))

    context = export.pdf_context(report)
    html = render_template("pdf/report.html", **context)

    assert "&lt;script&gt;" in html and "&lt;b&gt;A&lt;/b&gt;" in html
    assert "<script" not in html and "<b>" not in html
    # The chart counts partners per step of change, whatever the practice's size; the table
    # beside it names each couple.
    chart = str(context["change_chart"])
    assert "script" not in chart and "Chen" not in chart
    assert re.search(r"\+3 or more: [1-9]", chart)  # this couple moved up 3


def test_pdf_charts_are_named_and_described_by_their_figures(world):
    report = build_report(world.owner, world.request(identified=True))

    context = export.pdf_context(report)

    ns = {"svg": "http://www.w3.org/2000/svg"}
    root = ET.fromstring(str(context["stage_chart"]))  # noqa: S314 - our own output, no entities
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"svg:title[@id='{title_id}']", ns).text == "Active couples by stage"
    described = root.find(f"svg:desc[@id='{desc_id}']", ns).text
    assert described == "; ".join(f"{s.number}. {s.title}: {report.by_stage[s.number]}" for s in STAGES)
    bars = [float(rect.get("width")) for rect in root.iter(f"{{{ns['svg']}}}rect")]
    busiest = max(report.by_stage.values())
    assert busiest > 0
    assert [w == max(bars) for w in bars] == [n == busiest for n in report.by_stage.values()]


def test_the_streamed_csv_is_the_same_text_whatever_the_batch_size(world, signed_in, monkeypatch):
    browser = signed_in(world.owner)
    whole = download(browser, "csv").get_data(as_text=True)

    monkeypatch.setattr("clinic.reports.report.BATCH", 2)
    batched = download(browser, "csv").get_data(as_text=True)

    assert batched == whole
    assert whole.count("\r\n") > 40  # every couple's lines, not only the summary
    # One writer serves the whole file: each line is what a fresh writer makes of its cells.
    rewritten = io.StringIO()
    csv.writer(rewritten, lineterminator="\r\n").writerows(rows_of(whole))
    assert rewritten.getvalue() == whole
