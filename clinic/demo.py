"""The demo practice, built from the seed articles' three case studies (development only)."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from . import demo_story as story
from .auth.models import User
from .auth.passwords import hash_password
from .auth.services import NewUser, create_user
from .couples.models import Couple, CoupleChange
from .couples.services import CoupleInput, PartnerInput, create_couple
from .domain import Attendees, ChangeKind, Role
from .exercises import services as exercises
from .extensions import db
from .notes import services as notes
from .notes.models import SessionNote
from .practice.models import Practice
from .practice.services import create_practice
from .records import services as records
from .records.models import ExceptionEntry
from .reports.models import Supervision
from .reports.supervision import add_supervision
from .timeutil import utcnow

PRACTICE_NAME = "Harbour Lane Couples Practice"
DOMAIN = "harbourlane.example"

# (role, email local part, name)
TEAM = (
    (Role.OWNER, "mei.lin", "Dr. Mei Lin"),
    (Role.CLINICIAN, "sam.okafor", "Sam Okafor"),
    (Role.CLINICIAN, "ana.ruiz", "Ana Ruiz"),
    (Role.SUPERVISOR, "helen.brooks", "Dr. Helen Brooks"),
)


@dataclass(frozen=True)
class DemoCouple:
    label: str
    a: PartnerInput
    b: PartnerInput
    clinician: str
    stage: int
    days_in: int  # how long ago the work began; one stage a week, as in the seeds


# Names follow the case studies; the partners the articles leave unnamed get a plain name here.
# Addresses are on a reserved domain (.example): in the demo, mail goes to instance/mail/*.eml.
COUPLES = (
    DemoCouple(
        "Chen & Wang",
        PartnerInput("Chen Jing", "Jing", "she/her", "jing@clients.example"),
        PartnerInput("Wang Hao", "Hao", "he/him", "hao@clients.example"),
        "mei.lin", 6, 38,
    ),
    DemoCouple(
        "Zhao & Zhou",
        # They use the portal (and get their mail) in Chinese; the practice stays English.
        PartnerInput("Zhao Lei", "Lei", "he/him", "lei@clients.example", locale="zh_Hans"),
        PartnerInput("Zhou Ting", "Ting", "she/her", "ting@clients.example", locale="zh_Hans"),
        # Six weeks in (the case study's "six weeks later"), at a couple's own pace.
        "sam.okafor", 5, 45,
    ),
    DemoCouple(
        "Liu & Sun",
        PartnerInput("Liu Jia", "Jia", "she/her", "jia@clients.example"),
        PartnerInput("Sun Wei", "Wei", "he/him", "wei@clients.example"),
        "ana.ruiz", 5, 31,
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def _password() -> str:
    return secrets.token_urlsafe(12)


def seed() -> list[DemoLogin]:
    """Create the demo practice once; on every run, give the demo accounts fresh passwords.

    Idempotent: a second run adds no practice, user or couple.
    """
    practice = db.session.scalar(sa.select(Practice).where(Practice.name == PRACTICE_NAME))
    if practice is None:
        practice = create_practice(PRACTICE_NAME)
    logins = []
    users: dict[str, User] = {}
    for role, local, name in TEAM:
        email = f"{local}@{DOMAIN}"
        password = _password()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = create_user(practice.id, NewUser(email=email, name=name, role=role, password=password))
        else:
            user.password_hash = hash_password(password)
            user.session_version = User.session_version + 1
            user.active = True
            db.session.commit()
        users[local] = user
        logins.append(DemoLogin(role, email, password))
    for spec in COUPLES:
        _seed_couple(practice, users, spec)
    _seed_supervision(users)
    return logins


def _seed_supervision(users: dict[str, User]) -> None:
    """Dr. Brooks supervises the two clinicians (not the owner's own caseload)."""
    owner, supervisor = users["mei.lin"], users["helen.brooks"]
    for local in ("sam.okafor", "ana.ruiz"):
        exists = db.session.scalar(
            sa.select(Supervision.id).where(
                Supervision.supervisor_id == supervisor.id, Supervision.clinician_id == users[local].id
            )
        )
        if exists is None:
            add_supervision(owner, supervisor.id, users[local].id)


def _seed_couple(practice: Practice, users: dict[str, User], spec: DemoCouple) -> Couple:
    existing = db.session.scalar(
        sa.select(Couple).where(Couple.practice_id == practice.id, Couple.case_label == spec.label)
    )
    if existing is not None:
        return existing
    clinician = users[spec.clinician]
    couple = create_couple(clinician, CoupleInput(spec.label, spec.a, spec.b, current_stage=1))
    # Backdate the story: one stage a week from the first session, as the seed programme runs.
    start = utcnow() - timedelta(days=spec.days_in)
    couple.created_at = start
    for change in couple.changes:
        change.changed_at = start
    for stage in range(2, spec.stage + 1):
        db.session.add(
            CoupleChange(
                couple_id=couple.id, kind=ChangeKind.STAGE, from_value=str(stage - 1), to_value=str(stage),
                changed_by_id=clinician.id, changed_at=start + timedelta(days=7 * (stage - 1)),
            )
        )
    couple.current_stage = spec.stage
    couple.last_activity_at = start + timedelta(days=7 * (spec.stage - 1))
    db.session.commit()
    _tell_story(couple, clinician)
    return couple


def _at(start, day: int, hour: int = 19):
    return (start + timedelta(days=day - 1)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _tell_story(couple: Couple, clinician: User) -> None:
    """Weeks of placements, exception entries, assignments and submissions for one couple.

    Written through the same services the portal and the clinician use, then backdated.
    """
    start = couple.created_at
    partners = {p.position: p for p in couple.partners}
    for position, points in story.PLACEMENTS.get(couple.case_label, {}).items():
        for day, value, movement in points:
            row = records.add_from_portal(
                partners[position], "scale",
                {"value": value, "date": _at(start, day).date().isoformat(), "movement": movement},
                shared=False,
            )
            row.created_at = _at(start, day)
    for entry in story.EXCEPTIONS:
        label, position, day, shared, context, behaviour, thoughts, feelings, meaning, tags = entry
        if label != couple.case_label:
            continue
        row = records.add_from_portal(
            partners[position], "exception",
            {"date": _at(start, day).date().isoformat(), "context": context, "behaviour": behaviour,
             "thoughts": thoughts, "feelings": feelings, "meaning": meaning},
            shared=shared, tags=tags,
        )
        row.created_at = _at(start, day)
    for label, key, target, day, due_in, note, submissions in story.ASSIGNMENTS:
        if label != couple.case_label:
            continue
        created = exercises.assign_exercises(
            clinician, couple.id,
            [exercises.AssignmentRequest(key, target, (_at(start, day + due_in)).date(), note)],
        )
        for assignment in created:
            assignment.created_at = assignment.updated_at = _at(start, day, 17)
            position = assignment.partner.position if assignment.partner else "A"
            if position not in submissions:
                continue
            sent_day, shared, answers = submissions[position]
            submission = exercises.save_answers(
                partners[position], assignment.id, answers, submit=sent_day is not None, shared=shared
            )
            when = _at(start, sent_day or day + 1, 21)
            submission.started_at = submission.updated_at = when
            if sent_day is not None:
                submission.submitted_at = when
                if sent_day + 7 < (utcnow() - start).days:
                    exercises.mark_reviewed(clinician, submission.id)
                    submission.reviewed_at = when + timedelta(days=2)
    db.session.commit()
    _write_notes(couple, clinician, start)


def _write_notes(couple: Couple, clinician: User, start) -> None:
    """Session notes through the notes services (signed ones are signed for real), backdated."""
    for label, day, signed, scale, sections in story.NOTES:
        if label != couple.case_label:
            continue
        session_day = _at(start, day).date()
        written = _at(start, day, 18)
        # Only what the clinician could have read when writing: logged before the note was.
        cited = list(
            db.session.scalars(
                sa.select(ExceptionEntry.id).where(
                    ExceptionEntry.couple_id == couple.id, ExceptionEntry.occurred_on <= session_day,
                    ExceptionEntry.occurred_on > session_day - timedelta(days=14),
                    ExceptionEntry.created_at <= written,
                )
            )
        )
        note = notes.create_note(
            clinician, couple.id,
            notes.NoteInput(session_date=session_day, duration_minutes=50, attendees=Attendees.BOTH,
                            sections=sections, cited_exception_ids=cited, scale_today=scale),
        )
        db.session.execute(
            sa.update(SessionNote).where(SessionNote.id == note.id)
            .values(created_at=written, updated_at=written)
        )
        db.session.commit()
        if signed:  # on the session's day, so its snapshot (chart, quotes) is as of that day
            notes.sign_demo_note(clinician, note.id, at=written + timedelta(minutes=40))
