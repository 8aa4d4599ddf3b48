"""`flask supervision-report`: the same report as the page, written to a CSV or PDF file."""

import csv

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.extensions import db

from .test_exports import pdf_text, squash

PERIOD = ["--since", "2025-02-03", "--until", "2025-03-02"]



def _events() -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.generate").order_by(AuditEvent.id)
    ))


def run(runner, out, *args, fmt="csv"):
    return runner.invoke(args=["supervision-report", *PERIOD, "--format", fmt, "--out", str(out), *args])


def cells(path) -> dict:
    with open(path, encoding="utf-8", newline="") as handle:
        return {tuple(row[:3]): row[3] for row in csv.reader(handle)}


def test_a_csv_for_one_clinician(world, runner, tmp_path):
    out = tmp_path / "ruth.csv"

    result = run(runner, out, "--clinician", "ruth@harbour.example")

    assert result.exit_code == 0, result.output
    assert f"Wrote {out} (4 couples, de-identified)." in result.output
    report = cells(out)
    assert report[("report", "Harbour Lane Practice", "scope")] == "Dr Ruth Amsel"
    assert [report[("caseload", s, "couples")] for s in ("active", "paused", "closed")] == ["2", "1", "1"]
    assert [report[("assignments", "", k)] for k in ("assigned", "submitted", "reviewed", "overdue")] == [
        "7", "2", "1", "3"]
    assert report[("scale", "", "couples up 2 or more points")] == "2"
    assert report[("couple", world.couples["X1"].pseudonym, "week of the case")] == "8"
    text = out.read_text(encoding="utf-8")
    assert not [s for s in world.secrets if s in text]
    assert world.couples["Y1"].pseudonym not in text
    [event] = _events()
    assert (event.actor_user_id, event.ip) == (world.owner.id, "cli")  # the practice's owner
    assert event.detail == {"format": "csv", "identified": False, "clinician": world.ruth.id,
                            "since": "2025-02-03", "until": "2025-03-02"}


def test_a_pdf_of_the_whole_practice(world, runner, tmp_path):
    out = tmp_path / "practice.pdf"

    result = run(runner, out, "--as", "olive@harbour.example", fmt="pdf")

    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Whole practice" in text
    assert world.couples["Y1"].pseudonym in squash(text)
    assert not [s for s in world.secrets if squash(s) in squash(text)]
    [event] = _events()
    assert event.detail["format"] == "pdf" and event.ip == "cli"


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_the_identified_version_is_for_the_owner_and_audited(world, runner, tmp_path, fmt):
    out = tmp_path / f"named.{fmt}"

    result = run(runner, out, "--as", "olive@harbour.example", "--identified", fmt=fmt)

    assert result.exit_code == 0, result.output
    assert "identified)." in result.output and "de-identified" not in result.output
    text = out.read_text(encoding="utf-8") if fmt == "csv" else pdf_text(out.read_bytes())
    for name in ("Jing Chen", "Grace Mwangi", "Mwangi family"):
        assert squash(name) in squash(text)
    [event] = _events()
    assert event.detail["identified"] is True and event.detail["format"] == fmt


def test_a_supervisor_gets_their_supervisees_and_no_names(world, runner, tmp_path):
    out = tmp_path / "sam.csv"

    result = run(runner, out, "--as", "sam@harbour.example")
    refused = run(runner, tmp_path / "named.csv", "--as", "sam@harbour.example", "--identified")

    assert result.exit_code == 0, result.output
    assert cells(out)[("report", "Harbour Lane Practice", "scope")] == "All my supervisees"
    assert world.couples["Y1"].pseudonym not in out.read_text(encoding="utf-8")
    assert refused.exit_code == 1
    assert "Only the practice owner can include names." in refused.output
    assert not (tmp_path / "named.csv").exists()
    assert len(_events()) == 1


def test_a_supervisor_naming_a_clinician_they_do_not_supervise_gets_a_message(world, runner, tmp_path):
    out = tmp_path / "colin.csv"

    result = run(runner, out, "--as", "sam@harbour.example", "--clinician", "colin@harbour.example")

    assert not out.exists() and _events() == []
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), repr(result.exception)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "ruth@harbour.example"], "ruth@harbour.example is not an owner or supervisor."),
        (["--as", "nobody@harbour.example"], "nobody@harbour.example is not an owner or supervisor."),
        (["--as", "olive@harbour.example", "--clinician", "clinician@elsewhere.example"],
         "No clinician clinician@elsewhere.example in this practice."),
        (["--as", "olive@harbour.example", "--clinician", "ghost@harbour.example"],
         "No clinician ghost@harbour.example in this practice."),
        ([], "Name the person the report is for with --as EMAIL."),  # two practices have owners
    ],
)
def test_refusals(world, runner, tmp_path, args, message):
    out = tmp_path / "refused.csv"

    result = run(runner, out, *args)

    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists() and _events() == []


def test_a_reversed_range_is_refused(world, runner, tmp_path):
    out = tmp_path / "r.csv"

    result = runner.invoke(args=["supervision-report", "--since", "2025-03-02", "--until", "2025-02-03",
                                 "--format", "csv", "--out", str(out), "--as", "olive@harbour.example"])

    assert result.exit_code == 1 and "The end date is before the start date." in result.output
    assert not out.exists()


@pytest.mark.parametrize("args", [
    ["--since", "3 Feb", "--until", "2025-03-02", "--format", "csv"],
    ["--since", "2025-02-03", "--until", "2025-03-02", "--format", "xlsx"],
    ["--since", "2025-02-03", "--format", "csv"],
])
def test_usage_errors(world, runner, tmp_path, args):
    result = runner.invoke(args=["supervision-report", *args, "--out", str(tmp_path / "x")])

    assert result.exit_code == 2
    assert _events() == []
