"""Harbour Lane Practice: a small practice built so that every figure of its reports is known.

The report period is SINCE (Mon 3 Feb 2025) to UNTIL (Sun 2 Mar 2025), both included: it ends
at 2025-03-03 00:00 UTC. Everything is built through the services, then dated by hand.

People: owner Olive; clinicians Ruth (couples X1-X5) and Colin (couple Y1); supervisors Sam
(reads Ruth's reports), Sue (reads Colin's) and Nina (reads nobody's). Elsewhere Practice has its
own owner, clinician and couple Z, busy in the period: it never counts.

Couples (opened 6 Jan 2025 at 00:00 unless said; stage moves at 00:00 on the day):
  X1 active   stage 1 -> 2 on 16 Jan -> 3 on 5 Feb            stage days 1: 10, 2: 20, 3: 26
  X2 active   stage 2 -> 3 on 20 Jan (-> 4 on 5 Mar, after)   stage days 2: 14, 3: 42
  X3 paused   stage 1, paused on 10 Feb (the clock runs on)   stage days 1: 56
  X4 closed   opened 10 Feb in stage 4 -> 5 on 17 Feb, closed 24 Feb   stage days 4: 7, 5: 7
  X5 active   opened 10 Mar, after the period: not in any figure
  Y1 active   Colin's; stage 1, closed 26 Jan, reopened 23 Feb  stage days 1: 20 + 8 = 28

Assignments (given at 10:00 unless said):
  A1  X1/A  given 4 Feb, due 11 Feb, submitted 10 Feb, reviewed 12 Feb
  A2  X1/B  given 4 Feb, due 11 Feb, submitted 20 Feb, reviewed 4 Mar (after the period)
  A3  X1    joint, given 18 Feb, due 25 Feb, a draft only                    overdue
  A4  X2/A  given 20 Feb, due 10 Mar                                         not yet due
  A5  X2/B  given 20 Feb, due 24 Feb, not started                            overdue
  A6  X2/A  given 20 Feb, withdrawn                                          not counted
  A7  X2/B  given 20 Jan (before the period), submitted 5 Feb                not counted
  A8  X3/A  given 25 Feb, due 27 Feb, submitted 5 Mar (after the period)     overdue at the end
  A10 X1/A  given 3 Mar 00:00 (the period's end, excluded)
  A11 X1/B  given 3 Feb 00:00 (the period's start, included), no due date
  A9  Y1/A  given 10 Feb, submitted 12 Feb, reviewed 13 Feb (Colin's)

Scale placements (first -> latest up to UNTIL; week of the case in brackets):
  X1 A 3 (wk 1) -> 5 -> 6 (wk 8), and 9 on 5 Mar (after)     +3 | X1 B 4 (wk 1) -> 5 (wk 8)  +1
  X2 A 5 (wk 2) -> 7 (wk 8) +2 | X2 B none                     X3 A 6 -> 4 -2 | X3 B 2 -> 5 +3
  Y1 A 2 -> 6 +4 | Y1 B 3 -> 3 0                               up 2+ on average: X1, X2, Y1

Exception entries: X1 on 2 Feb (before), 3 Feb, 20 Feb, 2 Mar, 3 Mar (after): 3 in the period;
  X3 on 15 Feb: 1; Y1 on 10 Feb: 1.

Session notes (session day; signed when):
  X1 3 Feb signed 3 Feb | 17 Feb signed 20 Feb | 2 Mar draft written 2 Mar (unsigned > 72 h)
  X1 a draft written 80 hours ago (unsigned > 72 h) and one written an hour ago (not yet)
  X2 27 Jan (before) signed 4 Feb | X3 24 Feb signed 4 Mar (after)
  Y1 12 Feb signed 12 Feb | a draft written 20 Feb (unsigned > 72 h)
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from clinic.extensions import db

SINCE = date(2025, 2, 3)
UNTIL = date(2025, 3, 2)
OPENED = date(2025, 1, 6)

EXCEPTION_TEXT = "We danced in the kitchen at midnight"
EXCEPTION_BEHAVIOUR = "He put the phone away without being asked"
EXCEPTION_MEANING = "We can still laugh together"
MOVEMENT_TEXT = "The walk along the river lifted me"
ANSWER_TEXT = "I feel unheard when the Silence visits our dinners"
NOTE_TEXT = "The Silence moved in after the flat move"
ASSIGNMENT_NOTE = "Write it on the train home"


def utc_at(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def set_columns(model, row_id: int, **values) -> None:
    """Set columns a service stamped with now (dates, mostly) and commit."""
    db.session.execute(sa.update(model).where(model.id == row_id).values(**values))
    db.session.commit()


@dataclass
class ReportWorld:
    practice: object
    owner: object
    ruth: object
    colin: object
    sam: object  # supervises Ruth
    sue: object  # supervises Colin
    nina: object  # supervises nobody
    elsewhere_owner: object
    elsewhere_clinician: object
    couples: dict = field(default_factory=dict)  # X1..X5, Y1, Z
    assignments: dict = field(default_factory=dict)  # A1..A11
    submissions: dict = field(default_factory=dict)  # A1, A2, A3 (draft), A7, A8, A9
    entries: list = field(default_factory=list)  # exception entries
    notes: list = field(default_factory=list)
    client_dates: set = field(default_factory=set)  # every date a client record carries
    partner_text: list = field(default_factory=list)  # names, preferred names, emails
    labels: list = field(default_factory=list)  # case labels

    @property
    def free_text(self) -> list[str]:
        return [EXCEPTION_TEXT, EXCEPTION_BEHAVIOUR, EXCEPTION_MEANING, MOVEMENT_TEXT, ANSWER_TEXT,
                NOTE_TEXT, ASSIGNMENT_NOTE]

    @property
    def secrets(self) -> list[str]:
        """What a de-identified report must never contain."""
        return [*self.partner_text, *self.labels, *self.free_text]

    def partner(self, couple: str, position: str):
        return next(p for p in self.couples[couple].partners if p.position == position)

    def request(self, **kwargs):
        from clinic.reports.report import ReportRequest

        return ReportRequest(since=SINCE, until=UNTIL, **kwargs)


class _Builder:
    def __init__(self, world: ReportWorld):
        self.w = world

    def couple(self, key, by, label, a, b, *, stage=1, opened=OPENED):
        from clinic.couples.models import Couple, CoupleChange
        from clinic.couples.services import CoupleInput, PartnerInput, create_couple

        a_name, a_preferred, a_email = a
        b_name, b_email = b
        couple = create_couple(by, CoupleInput(
            case_label=label, current_stage=stage,
            partner_a=PartnerInput(a_name, preferred_name=a_preferred, email=a_email),
            partner_b=PartnerInput(b_name, email=b_email),
        ))
        set_columns(Couple, couple.id, created_at=utc_at(opened), last_activity_at=utc_at(opened))
        created = db.session.scalar(sa.select(CoupleChange.id).where(CoupleChange.couple_id == couple.id))
        set_columns(CoupleChange, created, changed_at=utc_at(opened))
        self.w.couples[key] = couple
        self.w.labels.append(label)
        self.w.partner_text.extend([a_name, a_preferred, a_email, b_name, b_email])
        self.w.client_dates.add(opened)
        return couple

    def _last_change(self, couple, on):
        from clinic.couples.models import CoupleChange

        change = db.session.scalar(
            sa.select(CoupleChange.id).where(CoupleChange.couple_id == couple.id)
            .order_by(CoupleChange.id.desc()).limit(1)
        )
        set_columns(CoupleChange, change, changed_at=utc_at(on))
        self.w.client_dates.add(on)

    def stage(self, by, key, stage, on):
        from clinic.couples.services import move_stage

        move_stage(by, self.w.couples[key].id, stage)
        self._last_change(self.w.couples[key], on)

    def status(self, by, key, status, on):
        from clinic.couples.services import change_status

        change_status(by, self.w.couples[key].id, status)
        self._last_change(self.w.couples[key], on)

    def assign(self, name, by, key, target, *, given, hour=10, due=None, note=None):
        from clinic.exercises.models import Assignment
        from clinic.exercises.services import AssignmentRequest, assign_exercises

        exercise = "listening-practice" if target == "joint" else "relationship-narrative"
        [assignment] = assign_exercises(by, self.w.couples[key].id, [
            AssignmentRequest(exercise_key=exercise, target=target, due_on=due, note=note)
        ])
        set_columns(Assignment, assignment.id, created_at=utc_at(given, hour), updated_at=utc_at(given, hour))
        self.w.assignments[name] = assignment
        self.w.client_dates.add(given)
        if due:
            self.w.client_dates.add(due)
        return assignment

    def submit(self, name, partner, *, on=None, reviewed=None, by=None):
        """Submit (or, without `on`, save a draft of) an assignment; review it when asked."""
        from clinic.exercises.models import Submission
        from clinic.exercises.services import mark_reviewed, save_answers

        answers = {"matters": ANSWER_TEXT, "struggles": ANSWER_TEXT, "longings": ANSWER_TEXT,
                   "understood": ANSWER_TEXT, "being_heard": ANSWER_TEXT}
        submission = save_answers(partner, self.w.assignments[name].id, answers, submit=on is not None,
                                  shared=False)
        if on is not None:
            set_columns(Submission, submission.id, submitted_at=utc_at(on, 18), updated_at=utc_at(on, 18))
            self.w.client_dates.add(on)
        if reviewed is not None:
            mark_reviewed(by, submission.id)
            set_columns(Submission, submission.id, reviewed_at=utc_at(reviewed, 9))
            self.w.client_dates.add(reviewed)
        self.w.submissions[name] = submission
        return submission

    def place(self, by, key, position, on, value):
        from clinic.records.services import add_in_session

        self.w.client_dates.add(on)
        return add_in_session(
            by, self.w.couples[key].id, self.w.partner(key, position).id, "scale",
            {"date": on.isoformat(), "value": str(value), "movement": MOVEMENT_TEXT}, shared=False,
        )

    def exception(self, by, key, position, on):
        from clinic.records.services import add_in_session

        self.w.client_dates.add(on)
        entry = add_in_session(
            by, self.w.couples[key].id, self.w.partner(key, position).id, "exception",
            {"date": on.isoformat(), "context": EXCEPTION_TEXT, "behaviour": EXCEPTION_BEHAVIOUR,
             "meaning": EXCEPTION_MEANING},
            shared=False,
        )
        self.w.entries.append(entry)
        return entry

    def note(self, key, session_on, *, signed=None, written=None):
        """A session note: signed on `signed` (a date), or a draft written at `written`."""
        from clinic.notes.models import SessionNote

        couple = self.w.couples[key]
        written = written or utc_at(signed or session_on, 8)
        note = SessionNote(
            couple_id=couple.id, clinician_id=couple.primary_clinician_id, session_date=session_on,
            sections={"problem_effects": NOTE_TEXT}, created_at=written, updated_at=written,
        )
        if signed:
            note.status, note.signed_at = "signed", utc_at(signed, 15)
            note.signed_by_id, note.content_hash = couple.primary_clinician_id, "0" * 64
            self.w.client_dates.add(signed)
        db.session.add(note)
        db.session.commit()
        self.w.client_dates.add(session_on)
        self.w.notes.append(note)
        return note


def build(make_practice, make_user, supervise) -> ReportWorld:
    practice = make_practice("Harbour Lane Practice")
    elsewhere = make_practice("Elsewhere Practice")
    owner = make_user(practice, role="owner", name="Olive Owner", email="olive@harbour.example")
    ruth = make_user(practice, name="Dr Ruth Amsel", email="ruth@harbour.example")
    colin = make_user(practice, name="Colin Colleague", email="colin@harbour.example")
    w = ReportWorld(
        practice=practice, owner=owner, ruth=ruth, colin=colin,
        sam=make_user(practice, role="supervisor", name="Sam Supervisor", email="sam@harbour.example"),
        sue=make_user(practice, role="supervisor", name="Sue Supervisor", email="sue@harbour.example"),
        nina=make_user(practice, role="supervisor", name="Nina Nobody", email="nina@harbour.example"),
        elsewhere_owner=make_user(elsewhere, role="owner", email="owner@elsewhere.example"),
        elsewhere_clinician=make_user(elsewhere, email="clinician@elsewhere.example"),
    )
    supervise(owner, w.sam, ruth)
    supervise(owner, w.sue, colin)
    b = _Builder(w)
    day = date

    b.couple("X1", ruth, "Chen & Lee, referred by Dr Park",
             ("Jing Chen", "Jingjing", "jing.chen@example.org"), ("Mark Lee", "mark.lee@example.org"))
    b.stage(ruth, "X1", 2, day(2025, 1, 16))
    b.stage(ruth, "X1", 3, day(2025, 2, 5))
    b.couple("X2", ruth, "Okafor-Nowak household", ("Amara Okafor", "Ama", "amara@example.org"),
             ("Tomasz Nowak", "tomasz@example.org"), stage=2)
    b.stage(ruth, "X2", 3, day(2025, 1, 20))
    b.stage(ruth, "X2", 4, day(2025, 3, 5))
    b.couple("X3", ruth, "Raman and Brooks", ("Priya Raman", "Pri", "priya@example.org"),
             ("Daniel Brooks", "daniel.brooks@example.org"))
    b.status(ruth, "X3", "paused", day(2025, 2, 10))
    b.couple("X4", ruth, "Marquez Vogel case", ("Sofia Marquez", "Sofi", "sofia@example.org"),
             ("Lena Vogel", "lena.vogel@example.org"), stage=4, opened=day(2025, 2, 10))
    b.stage(ruth, "X4", 5, day(2025, 2, 17))
    b.status(ruth, "X4", "closed", day(2025, 2, 24))
    b.couple("X5", ruth, "Sato couple (March)", ("Hana Sato", "Hana-chan", "hana@example.org"),
             ("Kenji Sato", "kenji@example.org"), opened=day(2025, 3, 10))
    b.couple("Y1", colin, "Mwangi family", ("Grace Mwangi", "Gracie", "grace@example.org"),
             ("Peter Mwangi", "peter.mwangi@example.org"))
    b.status(colin, "Y1", "closed", day(2025, 1, 26))
    b.status(colin, "Y1", "active", day(2025, 2, 23))
    b.couple("Z", w.elsewhere_clinician, "Petrov elsewhere", ("Olga Petrova", "Olya", "olga@example.org"),
             ("Ivan Petrov", "ivan@example.org"))

    x1a, x1b = w.partner("X1", "A"), w.partner("X1", "B")
    b.assign("A1", ruth, "X1", "A", given=day(2025, 2, 4), due=day(2025, 2, 11), note=ASSIGNMENT_NOTE)
    b.submit("A1", x1a, on=day(2025, 2, 10), reviewed=day(2025, 2, 12), by=ruth)
    b.assign("A2", ruth, "X1", "B", given=day(2025, 2, 4), due=day(2025, 2, 11))
    b.submit("A2", x1b, on=day(2025, 2, 20), reviewed=day(2025, 3, 4), by=ruth)
    b.assign("A3", ruth, "X1", "joint", given=day(2025, 2, 18), due=day(2025, 2, 25))
    b.submit("A3", x1a)  # a draft
    b.assign("A4", ruth, "X2", "A", given=day(2025, 2, 20), due=day(2025, 3, 10))
    b.assign("A5", ruth, "X2", "B", given=day(2025, 2, 20), due=day(2025, 2, 24))
    b.assign("A6", ruth, "X2", "A", given=day(2025, 2, 20))
    from clinic.exercises.services import withdraw_assignment

    withdraw_assignment(ruth, w.assignments["A6"].id)
    b.assign("A7", ruth, "X2", "B", given=day(2025, 1, 20))
    b.submit("A7", w.partner("X2", "B"), on=day(2025, 2, 5))
    b.assign("A8", ruth, "X3", "A", given=day(2025, 2, 25), due=day(2025, 2, 27))
    b.submit("A8", w.partner("X3", "A"), on=day(2025, 3, 5))
    b.assign("A10", ruth, "X1", "A", given=day(2025, 3, 3), hour=0, due=day(2025, 3, 1))
    b.assign("A11", ruth, "X1", "B", given=day(2025, 2, 3), hour=0)
    b.assign("A9", colin, "Y1", "A", given=day(2025, 2, 10))
    b.submit("A9", w.partner("Y1", "A"), on=day(2025, 2, 12), reviewed=day(2025, 2, 13), by=colin)
    b.assign("AZ", w.elsewhere_clinician, "Z", "A", given=day(2025, 2, 10), due=day(2025, 2, 12))

    for key, position, on, value in [
        ("X1", "A", day(2025, 1, 10), 3), ("X1", "A", day(2025, 2, 14), 5), ("X1", "A", day(2025, 2, 28), 6),
        ("X1", "A", day(2025, 3, 5), 9), ("X1", "B", day(2025, 1, 10), 4), ("X1", "B", day(2025, 3, 2), 5),
        ("X2", "A", day(2025, 1, 13), 5), ("X2", "A", day(2025, 2, 24), 7),
        ("X3", "A", day(2025, 1, 7), 6), ("X3", "A", day(2025, 2, 3), 4),
        ("X3", "B", day(2025, 1, 7), 2), ("X3", "B", day(2025, 2, 3), 5),
    ]:
        b.place(ruth, key, position, on, value)
    for position, on, value in [("A", day(2025, 1, 7), 2), ("A", day(2025, 2, 20), 6),
                                ("B", day(2025, 1, 7), 3), ("B", day(2025, 2, 20), 3)]:
        b.place(colin, "Y1", position, on, value)
    b.place(w.elsewhere_clinician, "Z", "A", day(2025, 1, 7), 1)
    b.place(w.elsewhere_clinician, "Z", "A", day(2025, 2, 20), 9)

    for on in (day(2025, 2, 2), day(2025, 2, 3), day(2025, 2, 20), day(2025, 3, 2), day(2025, 3, 3)):
        b.exception(ruth, "X1", "A", on)
    b.exception(ruth, "X3", "B", day(2025, 2, 15))
    b.exception(colin, "Y1", "A", day(2025, 2, 10))
    b.exception(w.elsewhere_clinician, "Z", "A", day(2025, 2, 10))

    now = datetime.now(UTC)
    b.note("X1", day(2025, 2, 3), signed=day(2025, 2, 3))
    b.note("X1", day(2025, 2, 17), signed=day(2025, 2, 20))
    b.note("X1", day(2025, 3, 2), written=utc_at(day(2025, 3, 2), 17))
    b.note("X1", (now - timedelta(hours=80)).date(), written=now - timedelta(hours=80))
    b.note("X1", now.date(), written=now - timedelta(hours=1))
    b.note("X2", day(2025, 1, 27), signed=day(2025, 2, 4))
    b.note("X3", day(2025, 2, 24), signed=day(2025, 3, 4))
    b.note("Y1", day(2025, 2, 12), signed=day(2025, 2, 12))
    b.note("Y1", day(2025, 2, 20), written=utc_at(day(2025, 2, 20), 17))
    b.note("Z", day(2025, 2, 12), signed=day(2025, 2, 12))
    b.note("Z", day(2025, 2, 20), written=utc_at(day(2025, 2, 20), 17))
    # Today's drafts are not the clients' history in the period.
    w.client_dates -= {now.date(), (now - timedelta(hours=80)).date()}
    return w


@pytest.fixture
def world(built_once, make_practice, make_user, supervise) -> ReportWorld:
    """The practice above, built once per test process (tests/conftest.py's `built_once`)."""
    return built_once("reports", lambda: build(make_practice, make_user, supervise))
