"""The report's figures on Harbour Lane Practice (tests/reports/conftest.py tells its story) and its
scopes."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.couples.models import Couple, CoupleChange
from clinic.couples.services import CoupleInput, PartnerInput, change_status, create_couple, move_stage
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.reports.report import CoupleRow, PartnerScale, ReportRequest, build_report, couple_rows
from clinic.reports.supervision import reportable_clinicians

from .conftest import SINCE, UNTIL, set_columns, utc_at

# Ruth's caseload (X1-X4; X5 opened after the period).
RUTH = {
    "caseload": {"active": 2, "paused": 1, "closed": 1},  # X1 X2 | X3 | X4
    "by_stage": {1: 0, 2: 0, 3: 1, 4: 1, 5: 0, 6: 0},  # active now: X1 in 3, X2 in 4
    # 1: X1 10, X3 56 | 2: X1 20, X2 14 | 3: X1 26, X2 42 (its move to 4 came after) | 4: X4 7 |
    # 5: X4 7 (closed after a week: the clock stops)
    "days_per_stage": {1: 33.0, 2: 17.0, 3: 34.0, 4: 7.0, 5: 7.0, 6: None},
    # A1 A2 A3 A4 A5 A8 A11 | A1 A2 | A1 (A2 was reviewed after the end) | A3 A5 A8
    "assignments": {"assigned": 7, "submitted": 2, "reviewed": 1, "overdue": 3},
    "completion_rate": 2 / 7,
    "sessions_held": 4,  # X1 3 Feb, 17 Feb, 2 Mar; X3 24 Feb
    "notes_signed": 3,  # X1 3 Feb, 20 Feb; X2 4 Feb
    "notes_unsigned_over_72h": 2,  # X1 2 Mar, X1 80 hours ago
    "moved_up_two": 2,  # X1 (+3, +1), X2 (+2)
}
# Ruth's and Colin's (Y1).
PRACTICE = {
    "caseload": {"active": 3, "paused": 1, "closed": 1},
    "by_stage": {1: 1, 2: 0, 3: 1, 4: 1, 5: 0, 6: 0},
    "days_per_stage": {1: 31.3, 2: 17.0, 3: 34.0, 4: 7.0, 5: 7.0, 6: None},  # 1: (10 + 56 + 28) / 3
    "assignments": {"assigned": 8, "submitted": 3, "reviewed": 2, "overdue": 3},
    "completion_rate": 3 / 8,
    "sessions_held": 6,  # and Y1 12 Feb, 20 Feb (its note still a draft)
    "notes_signed": 4,  # and Y1 12 Feb
    "notes_unsigned_over_72h": 3,  # and Y1 20 Feb
    "moved_up_two": 3,  # and Y1 (+4, 0)
}
NOTHING = {
    "caseload": {"active": 0, "paused": 0, "closed": 0},
    "by_stage": dict.fromkeys(range(1, 7), 0),
    "days_per_stage": dict.fromkeys(range(1, 7)),
    "assignments": {"assigned": 0, "submitted": 0, "reviewed": 0, "overdue": 0},
    "completion_rate": None,
    "sessions_held": 0,
    "notes_signed": 0,
    "notes_unsigned_over_72h": 0,
    "moved_up_two": 0,
}


def figures(report) -> dict:
    return {key: getattr(report, key) for key in RUTH}


def _reports() -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.generate").order_by(AuditEvent.id)
    ))


# --- the figures ----------------------------------------------------------------------------------


def test_one_clinicians_figures(world):
    report = build_report(world.owner, world.request(clinician_id=world.ruth.id))

    assert figures(report) == RUTH
    assert (report.scope, report.practice) == ("Dr Ruth Amsel", "Harbour Lane Practice")
    assert (report.since, report.until, report.identified) == (SINCE, UNTIL, False)


def test_the_whole_practice(world):
    report = build_report(world.owner, world.request())

    assert figures(report) == PRACTICE
    assert report.scope == "Whole practice"
    assert [row.couple for row in report.couples] == [
        world.couples[k].pseudonym for k in ("X1", "X2", "X3", "X4", "Y1")
    ]


def test_one_row_per_couple_with_first_and_latest_placement_in_weeks_of_the_case(world):
    report = build_report(world.owner, world.request(clinician_id=world.ruth.id))
    rows = {row.couple: row for row in report.couples}
    pseudonym = {k: world.couples[k].pseudonym for k in world.couples}

    assert list(rows) == [pseudonym[k] for k in ("X1", "X2", "X3", "X4")]
    ruth = "Dr Ruth Amsel"
    assert rows[pseudonym["X1"]] == CoupleRow(
        couple=pseudonym["X1"], clinician=ruth, status="active", stage=3, week_of_case=8,
        exceptions=3, sessions=3,  # entries on 3 Feb, 20 Feb and 2 Mar: both ends count
        scales=(PartnerScale("Partner A", 3, 1, 6, 8),  # the 9 on 5 Mar is after the period
                PartnerScale("Partner B", 4, 1, 5, 8)),
    )
    assert rows[pseudonym["X2"]] == CoupleRow(
        pseudonym["X2"], ruth, "active", 4, 8, 0, 0,
        (PartnerScale("Partner A", 5, 2, 7, 8), PartnerScale("Partner B", None, None, None, None)),
    )
    assert rows[pseudonym["X3"]] == CoupleRow(
        pseudonym["X3"], ruth, "paused", 1, 8, 1, 1,
        (PartnerScale("Partner A", 6, 1, 4, 5), PartnerScale("Partner B", 2, 1, 5, 5)),
    )
    assert rows[pseudonym["X4"]] == CoupleRow(  # opened 10 Feb: week 3 on 2 Mar
        pseudonym["X4"], ruth, "closed", 5, 3, 0, 0,
        (PartnerScale("Partner A", None, None, None, None),
         PartnerScale("Partner B", None, None, None, None)),
    )
    assert [s.change for s in rows[pseudonym["X1"]].scales] == [3, 1]
    assert [r.moved_up for r in rows.values()] == [True, True, False, False]


def test_moved_up_averages_the_partners_who_placed_themselves():
    def row(*changes):
        scales = tuple(PartnerScale("P", None if c is None else 5, 1, None if c is None else 5 + c, 2)
                       for c in changes)
        return CoupleRow("C-1", "Dr", "active", 1, 2, 0, 0, scales)

    assert row(3, 1).moved_up and row(2, None).moved_up and row(4, 0).moved_up
    assert not row(3, 0).moved_up and not row(None, None).moved_up and not row().moved_up
    assert not row(-2, 5).moved_up


def test_rows_read_in_small_batches_are_the_same_rows(world, monkeypatch):
    request = world.request()
    ids = [world.ruth.id, world.colin.id]
    whole = list(couple_rows(world.practice.id, request, ids))

    monkeypatch.setattr("clinic.reports.report.BATCH", 2)
    batched = list(couple_rows(world.practice.id, request, ids))

    assert batched == whole and len(whole) == 5


def test_a_period_still_running_counts_stage_days_up_to_now(make_user, make_practice):
    owner = make_user(make_practice(), role="owner")
    couple = create_couple(owner, CoupleInput("Now", PartnerInput("A one"), PartnerInput("B one")))
    opened = datetime.now(UTC) - timedelta(days=10)
    set_columns(Couple, couple.id, created_at=opened)
    set_columns(CoupleChange, couple.changes[0].id, changed_at=opened)
    today = datetime.now(UTC).date()
    request = ReportRequest(today - timedelta(days=30), today + timedelta(days=30))

    report = build_report(owner, request)

    assert report.days_per_stage[1] == 10.0
    assert report.couples[0].week_of_case == 2  # today, not the end of the period, is day 10


def test_stage_revisits_are_separate_stays_and_a_closed_case_stops_the_clock(make_user, make_practice):
    owner = make_user(make_practice(), role="owner")

    def couple(history):
        made = create_couple(owner, CoupleInput("H", PartnerInput("A h"), PartnerInput("B h")))
        set_columns(Couple, made.id, created_at=utc_at(date(2025, 1, 6)))
        set_columns(CoupleChange, made.changes[0].id, changed_at=utc_at(date(2025, 1, 6)))
        for kind, value, day in history:
            (move_stage if kind == "stage" else change_status)(owner, made.id, value)
            last = db.session.scalar(sa.select(sa.func.max(CoupleChange.id)))
            set_columns(CoupleChange, last, changed_at=utc_at(day))

    couple([("stage", 2, date(2025, 1, 16)),  # 10 days in 1
            ("stage", 1, date(2025, 1, 26)),  # 10 days in 2, back to 1
            ("status", "closed", date(2025, 2, 5)),  # 10 days
            ("status", "active", date(2025, 2, 15)),  # the clock runs again
            ("status", "paused", date(2025, 2, 20)),  # and runs on while paused
            ("stage", 3, date(2025, 2, 25))])  # 10 more: 20 days in 1; then 6 in 3 until 3 Mar
    couple([("status", "closed", date(2025, 1, 10)),  # 4 days in 1
            ("stage", 2, date(2025, 1, 20))])  # moved while closed: no time in 2

    report = build_report(owner, ReportRequest(SINCE, UNTIL))

    assert report.days_per_stage == {1: round((10 + 20 + 4) / 3, 1), 2: 10.0, 3: 6.0, 4: None, 5: None,
                                     6: None}


# --- scope ----------------------------------------------------------------------------------------


def test_a_supervisors_all_is_only_their_supervisees(world):
    report = build_report(world.sam, world.request())

    assert figures(report) == RUTH
    assert report.scope == "All my supervisees"
    assert {row.clinician for row in report.couples} == {"Dr Ruth Amsel"}
    assert len(report.couples) == 4


def test_a_supervisor_may_name_their_supervisee(world):
    report = build_report(world.sue, world.request(clinician_id=world.colin.id))

    assert report.caseload == {"active": 1, "paused": 0, "closed": 0}
    assert [row.couple for row in report.couples] == [world.couples["Y1"].pseudonym]
    assert report.scope == "Colin Colleague"


def test_a_supervisor_of_nobody_sees_empty_figures(world):
    report = build_report(world.nina, world.request())

    assert figures(report) == NOTHING
    assert report.couples == []


@pytest.mark.parametrize("who", ["sam", "nina"])
def test_a_supervisor_cannot_report_on_a_clinician_they_do_not_supervise(world, who):
    for clinician in (world.colin, world.elsewhere_clinician, world.owner, world.sue):
        with pytest.raises(NotFound):
            build_report(getattr(world, who), world.request(clinician_id=clinician.id))

    assert _reports() == []


def test_an_owner_reaches_only_their_own_practice(world):
    with pytest.raises(NotFound):
        build_report(world.owner, world.request(clinician_id=world.elsewhere_clinician.id))
    elsewhere = build_report(world.elsewhere_owner, world.request())

    assert elsewhere.caseload == {"active": 1, "paused": 0, "closed": 0}
    assert elsewhere.assignments["assigned"] == 1
    assert [row.couple for row in elsewhere.couples] == [world.couples["Z"].pseudonym]


def test_clinicians_have_no_reports(world):
    for user in (world.ruth, world.colin, world.elsewhere_clinician):
        with pytest.raises(NotFound):
            reportable_clinicians(user)
        with pytest.raises(NotFound):
            build_report(user, world.request())
        with pytest.raises(NotFound):
            build_report(user, world.request(clinician_id=user.id))


def test_who_may_be_reported_on(world):
    names = {u.name for u in reportable_clinicians(world.owner)}

    assert names == {"Olive Owner", "Dr Ruth Amsel", "Colin Colleague"}  # never a supervisor
    assert [u.name for u in reportable_clinicians(world.sam)] == ["Dr Ruth Amsel"]
    assert reportable_clinicians(world.nina) == []


# --- identified, range, audit ---------------------------------------------------------------------


def test_the_identified_version_names_the_couple_and_partners(world):
    report = build_report(world.owner, world.request(clinician_id=world.ruth.id, identified=True))

    x1 = report.couples[0]
    assert x1.couple == f"{world.couples['X1'].pseudonym} · Chen & Lee, referred by Dr Park"
    assert [s.partner for s in x1.scales] == ["Jing Chen", "Mark Lee"]
    assert report.identified is True
    assert figures(report) == RUTH


@pytest.mark.parametrize("who", ["sam", "nina"])
def test_only_the_owner_may_ask_for_names(world, who):
    with pytest.raises(DomainError) as raised:
        build_report(getattr(world, who), world.request(identified=True))

    assert raised.value.field == "identified"
    assert _reports() == []


def test_a_reversed_range_is_refused(world):
    with pytest.raises(DomainError) as raised:
        build_report(world.owner, ReportRequest(UNTIL, SINCE))

    assert raised.value.field == "until"
    assert _reports() == []


def test_a_one_day_range_is_fine(world):
    report = build_report(world.owner, ReportRequest(SINCE, SINCE, clinician_id=world.ruth.id))

    assert report.sessions_held == 1  # X1 on 3 Feb
    assert report.assignments["assigned"] == 1  # A11, given at 00:00 on 3 Feb
    assert [row.exceptions for row in report.couples] == [1, 0, 0]  # X4 opened later


@pytest.mark.parametrize("fmt", ["page", "pdf", "csv", "cli"])
def test_every_report_is_audited_with_its_format(world, fmt):
    build_report(world.owner, world.request(clinician_id=world.ruth.id), fmt=fmt)
    build_report(world.sam, world.request(), fmt=fmt, with_rows=False)

    first, second = _reports()
    assert (first.actor_user_id, first.practice_id) == (world.owner.id, world.practice.id)
    assert first.detail == {"format": fmt, "identified": False, "clinician": world.ruth.id,
                            "since": "2025-02-03", "until": "2025-03-02"}
    assert (second.actor_user_id, second.detail["clinician"], second.detail["format"]) == (
        world.sam.id, None, fmt)
    assert first.couple_id is None and first.object_id is None


def test_an_identified_report_is_audited_as_identified(world):
    build_report(world.owner, world.request(identified=True), fmt="csv")

    [event] = _reports()
    assert event.detail["identified"] is True and event.detail["format"] == "csv"
