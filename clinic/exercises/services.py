"""Use cases for assignments and submissions, for the clinician and for a partner's portal."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import NotFound

from ..audit.services import record, record_access
from ..couples.models import Couple, Partner
from ..couples.services import caseload_query, get_couple
from ..domain import AssignmentStatus, SubmissionState
from ..errors import DomainError
from ..extensions import db
from ..safety import services as safety
from ..safety import signals
from ..timeutil import utcnow
from . import catalogue
from .models import Assignment, Submission

TARGETS = ("A", "B", "each", "joint")


@dataclass(frozen=True)
class AssignmentRequest:
    exercise_key: str
    target: str  # A, B, each (one assignment per partner) or joint
    due_on: date | None = None
    note: str | None = None


# --- clinician side -------------------------------------------------------------------------

def assign_exercises(
    user, couple_id: int, requests: list[AssignmentRequest], *, confirmed_joint: bool = False
) -> list[Assignment]:
    """Give one or more exercises to a couple at once.

    Raises DomainError(field=<exercise key>) for an unknown exercise or a target that does not
    fit it (a joint exercise goes to the couple; an individual one to A, B or each), and
    DomainError(field="confirm_joint") for joint work on a couple with a safety flag, unless the
    clinician confirmed it (`confirmed_joint`) and the practice's policy allows it.
    """
    couple = get_couple(user, couple_id)
    if not requests:
        raise DomainError(_("Choose at least one exercise to assign."))
    under_flag = False
    if any(req.target == "joint" for req in requests):
        under_flag = safety.check_joint_work(couple.id, confirmed=confirmed_joint)
    partners = {p.position: p for p in couple.partners}
    now = utcnow()
    created: list[Assignment] = []
    for req in requests:
        try:
            exercise = catalogue.get(req.exercise_key)
        except KeyError:
            raise DomainError(_("This exercise is not in the catalogue."), field=req.exercise_key) from None
        if req.target not in TARGETS:
            raise DomainError(_("Choose who does it."), field=req.exercise_key)
        if exercise.mode != "either" and exercise.is_joint != (req.target == "joint"):
            message = (
                _("The couple does this one together: choose “Both, together”.")
                if exercise.is_joint
                else _("Each partner does this one on their own: choose A, B or each.")
            )
            raise DomainError(message, field=req.exercise_key)
        targets = {"A": ["A"], "B": ["B"], "each": ["A", "B"], "joint": [None]}[req.target]
        for position in targets:
            assignment = Assignment(
                couple_id=couple.id,
                partner_id=partners[position].id if position else None,
                joint=position is None,
                exercise_key=exercise.key,
                exercise_version=exercise.version,
                due_on=req.due_on,
                note=(req.note or "").strip() or None,
                status=AssignmentStatus.ASSIGNED,
                created_by_id=user.id,
                created_at=now,
                updated_at=now,
            )
            db.session.add(assignment)
            created.append(assignment)
    db.session.flush()
    couple.last_activity_at = now
    for assignment in created:
        detail = {"exercise": assignment.exercise_key}
        if assignment.joint and under_flag:
            detail["confirmed_under_safety_flag"] = True
        record(
            "assignment.create", user=user, object_type="assignment", object_id=assignment.id,
            couple_id=couple.id, detail=detail,
        )
    db.session.commit()
    return created


def _assignment_query(user) -> sa.Select:
    return sa.select(Assignment).join(Couple, Assignment.couple_id == Couple.id).where(
        Couple.id.in_(caseload_query(user).with_only_columns(Couple.id))
    )


def get_assignment(user, assignment_id: int) -> Assignment:
    """An assignment of a couple in the user's caseload; NotFound otherwise."""
    assignment = db.session.scalar(_assignment_query(user).where(Assignment.id == assignment_id))
    if assignment is None:
        raise NotFound()
    return assignment



def _audited(user, action: str, row: Assignment | Submission):
    """A clinician's step on an assignment or submission, audited against its couple, committed."""
    record(action, user=user, object_type=row.__tablename__, object_id=row.id, couple_id=row.couple_id)
    db.session.commit()
    return row


def withdraw_assignment(user, assignment_id: int) -> Assignment:
    """Take back an assignment nobody has started. Raises DomainError once work has begun."""
    assignment = get_assignment(user, assignment_id)
    if assignment.status != AssignmentStatus.ASSIGNED:
        raise DomainError(_("This exercise has been started, so it can no longer be withdrawn."))
    assignment.status = AssignmentStatus.WITHDRAWN
    assignment.updated_at = utcnow()
    return _audited(user, "assignment.withdraw", assignment)


def couple_assignments(couple: Couple) -> list[Assignment]:
    """A couple's assignments (withdrawn ones last; partners from the scoped getter's couple)."""
    order = sa.case((Assignment.status == AssignmentStatus.WITHDRAWN, 1), else_=0)
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.couple_id == couple.id)
            .options(sa.orm.joinedload(Assignment.submission))
            .order_by(order, Assignment.created_at.desc(), Assignment.id.desc())
        )
    )


def _submission_query(user) -> sa.Select:
    return sa.select(Submission).where(
        Submission.couple_id.in_(caseload_query(user).with_only_columns(Couple.id))
    )


def get_submission(user, submission_id: int, *, for_page: bool = False) -> Submission:
    """A submission of a couple in the user's caseload; drafts stay private to the partner.
    `for_page` also loads the partner, couple, assignment and reviewer its page shows."""
    query = _submission_query(user).where(
        Submission.id == submission_id, Submission.state == SubmissionState.SUBMITTED
    )
    if for_page:
        query = query.options(
            selectinload(Submission.partner).selectinload(Partner.couple),
            selectinload(Submission.assignment), selectinload(Submission.reviewed_by),
        )
    submission = db.session.scalar(query)
    if submission is None:
        raise NotFound()
    return submission


def view_submission(user, submission_id: int) -> Submission:
    """Open a sent submission, with what its page shows; the read is audited."""
    submission = get_submission(user, submission_id, for_page=True)
    record_access(
        "submission.view", user=user, object_type="submission", object_id=submission_id,
        couple_id=submission.couple_id,
    )
    return submission


def mark_reviewed(user, submission_id: int) -> Submission:
    submission = get_submission(user, submission_id)
    now = utcnow()
    submission.reviewed_at = now
    submission.reviewed_by_id = user.id
    submission.assignment.status = AssignmentStatus.REVIEWED
    submission.assignment.updated_at = now
    _audited(user, "submission.review", submission)
    return submission


def reply(user, submission_id: int, text: str) -> Submission:
    """Leave a short reply the partner sees in their portal. Raises DomainError(field=reply)."""
    submission = get_submission(user, submission_id)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write a reply first."), field="reply")
    submission.reply = text
    submission.replied_at = utcnow()
    return _audited(user, "submission.reply", submission)


# --- partner side (portal) ------------------------------------------------------------------

def _partner_assignment_query(partner: Partner) -> sa.Select:
    """Assignments a partner may open: their own and the couple's joint ones, never withdrawn."""
    return sa.select(Assignment).where(
        Assignment.couple_id == partner.couple_id,
        Assignment.status != AssignmentStatus.WITHDRAWN,
        sa.or_(Assignment.partner_id == partner.id, Assignment.joint.is_(True)),
    )


def partner_assignments(partner: Partner) -> list[Assignment]:
    assignments = list(db.session.scalars(
        _partner_assignment_query(partner).options(selectinload(Assignment.submission))
        .order_by(Assignment.due_on.is_(None), Assignment.due_on, Assignment.id)
    ))
    for a in assignments:  # each submission knows its assignment: the row just loaded, no query
        if a.submission is not None:
            set_committed_value(a.submission, "assignment", a)
    return assignments


def get_partner_assignment(partner: Partner, assignment_id: int) -> Assignment:
    """The portal's scoped getter for assignments (with the submission); NotFound for others'."""
    assignment = db.session.scalar(_partner_assignment_query(partner).where(Assignment.id == assignment_id)
                                   .options(sa.orm.joinedload(Assignment.submission)))
    if assignment is None:
        raise NotFound()
    return assignment


def _lock_partner_assignment(partner: Partner, assignment_id: int) -> tuple[Assignment, Submission | None]:
    """The partner's assignment under a row lock, and its submission as it stands once locked.

    Two writers on one assignment (both partners on joint work, or two tabs) must not both
    read-then-write: on PostgreSQL a draft saved at the moment of a submit would otherwise
    overwrite the sent answers. FOR UPDATE serialises them (SQLite already does, with BEGIN
    IMMEDIATE); both rows are re-read so nothing loaded earlier in the request is trusted.
    """
    assignment = db.session.scalar(
        _partner_assignment_query(partner)
        .where(Assignment.id == assignment_id)
        .with_for_update(of=Assignment)
        .execution_options(populate_existing=True)
    )
    if assignment is None:
        raise NotFound()
    submission = db.session.scalar(
        sa.select(Submission)
        .where(Submission.assignment_id == assignment.id)
        .execution_options(populate_existing=True)
    )
    return assignment, submission


def exercise_for(assignment: Assignment, locale: str = catalogue.DEFAULT_LOCALE) -> catalogue.Exercise:
    """The exercise exactly as it was when assigned, in `locale` (English where untranslated)."""
    return catalogue.get(assignment.exercise_key, assignment.exercise_version, locale=locale)


def save_answers(
    partner: Partner, assignment_id: int, answers: dict, *, submit: bool, shared: bool
) -> Submission:
    """Save a draft, or submit. A submitted exercise can no longer be edited.

    The submission keeps the prompts in the partner's language, the one their portal shows
    them in (its snapshot says which).
    Raises NotFound outside the partner's assignments and DomainError if already submitted.
    """
    assignment, submission = _lock_partner_assignment(partner, assignment_id)
    exercise = exercise_for(assignment, partner.locale)
    now = utcnow()
    if submission is not None and submission.state == SubmissionState.SUBMITTED:
        raise DomainError(_("This exercise was already sent to your therapist."))
    if submission is None:
        submission = Submission(
            assignment_id=assignment.id,
            couple_id=assignment.couple_id,
            exercise_key=exercise.key,
            exercise_version=exercise.version,
            started_at=now,
        )
        db.session.add(submission)
    # Until it is sent, the prompts follow the language its author now writes in.
    submission.prompts = exercise.snapshot()
    submission.partner_id = partner.id
    submission.answers = answers
    submission.updated_at = now
    submission.shared_with_partner = bool(shared) and not assignment.joint
    if submit:
        submission.state = SubmissionState.SUBMITTED
        submission.submitted_at = now
        assignment.status = AssignmentStatus.SUBMITTED
    else:
        submission.state = SubmissionState.DRAFT
        assignment.status = AssignmentStatus.STARTED
    assignment.updated_at = now
    assignment.couple.last_activity_at = now
    db.session.flush()
    if submit:  # a draft is the partner's alone until sent
        signals.note_text(partner, "submission", submission.id, answers)
    record(
        "portal.submit" if submit else "portal.draft", partner=partner,
        practice_id=assignment.couple.practice_id, object_type="submission",
        object_id=submission.id, couple_id=assignment.couple_id,
    )
    db.session.commit()
    return submission


def note_record_added(partner: Partner, assignment_id: int, kind: str, record_id: int) -> None:
    """A record-type assignment (exception log, scale) gained an entry: it counts as submitted.

    Adds to the caller's transaction; the records service commits.
    """
    assignment, submission = _lock_partner_assignment(partner, assignment_id)
    exercise = exercise_for(assignment, partner.locale)
    if exercise.record != kind:
        raise DomainError(_("This entry does not belong to that exercise."))
    now = utcnow()
    if submission is None:
        submission = Submission(
            assignment_id=assignment.id, couple_id=assignment.couple_id,
            exercise_key=exercise.key, exercise_version=exercise.version,
            answers={"record_ids": []}, started_at=now,
        )
        db.session.add(submission)
    submission.prompts = exercise.snapshot()  # as the latest entry's author read them
    submission.partner_id = partner.id
    submission.answers = {"record_ids": [*submission.answers.get("record_ids", []), record_id]}
    submission.state = SubmissionState.SUBMITTED
    submission.submitted_at = now
    submission.updated_at = now
    # A new entry after a review is new work for the clinician.
    submission.reviewed_at = None
    assignment.status = AssignmentStatus.SUBMITTED
    assignment.updated_at = now


def shared_by_other(partner: Partner) -> list[Submission]:
    """What the other partner shared (under a safety flag: what the clinician released), and joint work."""
    shared = Submission.shared_with_partner.is_(True)
    hold = safety.sharing_hold(partner.couple_id)
    if hold is not None:
        shared = sa.and_(shared, Submission.id.in_([i for kind, i in hold if kind == "submission"]))
    return list(
        db.session.scalars(
            sa.select(Submission)
            .join(Assignment, Submission.assignment_id == Assignment.id)
            .where(
                Submission.couple_id == partner.couple_id,
                Submission.state == SubmissionState.SUBMITTED,
                Assignment.status != AssignmentStatus.WITHDRAWN,
                sa.or_(sa.and_(Submission.partner_id != partner.id, shared), Assignment.joint.is_(True)),
            )
            .options(sa.orm.contains_eager(Submission.assignment))  # joined above
            .order_by(Submission.submitted_at.desc())
        )
    )


def shared_submissions(couple_id: int) -> list[Submission]:
    """A couple's sent, individual work its writer shared, newest first (for a page that already
    checked access: the clinician's list of shares held under a flag)."""
    return list(
        db.session.scalars(
            sa.select(Submission)
            .join(Assignment, Submission.assignment_id == Assignment.id)
            .where(Submission.couple_id == couple_id, Submission.state == SubmissionState.SUBMITTED,
                   Submission.shared_with_partner.is_(True), Assignment.joint.is_(False),
                   Assignment.status != AssignmentStatus.WITHDRAWN)
            .options(selectinload(Submission.partner))
            .order_by(Submission.submitted_at.desc())
        )
    )


def get_shared_submission(partner: Partner, submission_id: int) -> Submission:
    for submission in shared_by_other(partner):
        if submission.id == submission_id:
            return submission
    raise NotFound()


def get_partner_submission(partner: Partner, submission_id: int) -> tuple[Submission, bool]:
    """The portal's scoped getter for sent work, and whether it is the partner's own.

    Their own sent work and the couple's joint work count as their own; what the other partner
    chose to share is readable but not theirs. NotFound for anything else.
    """
    own = next(
        (a.submission for a in partner_assignments(partner)
         if a.submission and a.submission.id == submission_id
         and a.submission.state == SubmissionState.SUBMITTED
         and (a.joint or a.submission.partner_id == partner.id)),
        None,
    )
    if own is not None:
        return own, True
    return get_shared_submission(partner, submission_id), False
