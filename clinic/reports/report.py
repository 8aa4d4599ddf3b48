"""The practice report for supervision: plain data, de-identified unless asked otherwise."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from ..audit.services import record_access
from ..auth.models import User
from ..couples.models import Couple, CoupleChange, Partner
from ..domain import AssignmentStatus, CoupleStatus, NoteStatus, SubmissionState
from ..errors import DomainError
from ..exercises.models import Assignment, Submission
from ..extensions import db
from ..i18n import N_
from ..notes.models import SessionNote
from ..records.models import ExceptionEntry, ScalePlacement
from ..timeutil import UTC, utcnow
from .supervision import reportable_clinicians

BATCH = 100
UNSIGNED_AFTER = timedelta(hours=72)


@dataclass(frozen=True)
class ReportRequest:
    since: date
    until: date
    clinician_id: int | None = None  # None: every caseload the user may read
    identified: bool = False


@dataclass(frozen=True)
class PartnerScale:
    partner: str  # "Partner A" (or the name, identified)
    first: int | None
    first_week: int | None
    latest: int | None
    latest_week: int | None

    @property
    def change(self) -> int | None:
        return None if self.first is None or self.latest is None else self.latest - self.first


@dataclass(frozen=True)
class CoupleRow:
    couple: str  # pseudonym, or "pseudonym · case label" when identified
    clinician: str
    status: str
    stage: int
    week_of_case: int
    exceptions: int
    sessions: int
    scales: tuple[PartnerScale, ...]

    @property
    def moved_up(self) -> bool:
        """Both partners' placements, averaged, rose by two points or more."""
        changes = [s.change for s in self.scales if s.change is not None]
        return bool(changes) and sum(changes) / len(changes) >= 2


@dataclass
class Report:
    practice: str
    scope: str
    since: date
    until: date
    identified: bool
    generated_at: datetime
    caseload: dict[str, int]
    by_stage: dict[int, int]
    days_per_stage: dict[int, float | None]
    assignments: dict[str, int]
    completion_rate: float | None
    sessions_held: int
    notes_signed: int
    notes_unsigned_over_72h: int
    couples: list[CoupleRow] = field(default_factory=list)
    clinician_ids: list[int] = field(default_factory=list)  # whose caseloads it covers

    @property
    def moved_up_two(self) -> int:
        return sum(1 for c in self.couples if c.moved_up)


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    return datetime.combine(since, time.min, UTC), datetime.combine(until + timedelta(days=1), time.min, UTC)


def scope(user: User, request: ReportRequest) -> tuple[list[int], str]:
    allowed = reportable_clinicians(user)
    if request.clinician_id is not None:
        chosen = [c for c in allowed if c.id == request.clinician_id]
        if not chosen:
            raise NotFound()
        return [chosen[0].id], chosen[0].name
    if user.is_supervisor:
        return [c.id for c in allowed], N_("All my supervisees")
    return [c.id for c in allowed], N_("Whole practice")


def _couple_filter(practice_id: int, clinician_ids: list[int], until_at: datetime):
    return sa.and_(
        Couple.practice_id == practice_id,
        Couple.primary_clinician_id.in_(clinician_ids),
        Couple.created_at < until_at,
    )


def build_report(user: User, request: ReportRequest, *, fmt: str = "page", with_rows: bool = True) -> Report:
    """The supervision report for a date range and one clinician or every readable caseload.

    Raises DomainError(field=until) for a reversed range, DomainError(field=identified) when a
    non-owner asks for names, NotFound for clinicians outside the user's reach. Audited.
    """
    if request.until < request.since:
        raise DomainError(_("The end date is before the start date."), field="until")
    if request.identified and not user.is_owner:
        raise DomainError(_("Only the practice owner can include names."), field="identified")
    clinician_ids, scope_label = scope(user, request)
    start_at, end_at = _bounds(request.since, request.until)
    in_scope = _couple_filter(user.practice_id, clinician_ids, end_at)
    couple_ids = sa.select(Couple.id).where(in_scope)

    caseload = Counter(dict(
        db.session.execute(
            sa.select(Couple.status, sa.func.count(Couple.id)).where(in_scope).group_by(Couple.status)
        ).all()
    ))
    by_stage = dict(
        db.session.execute(
            sa.select(Couple.current_stage, sa.func.count(Couple.id))
            .where(in_scope, Couple.status == CoupleStatus.ACTIVE)
            .group_by(Couple.current_stage)
        ).all()
    )
    assignments = _assignment_counts(couple_ids, start_at, end_at, request.until)
    report = Report(
        practice=user.practice.name,
        scope=scope_label,
        since=request.since,
        until=request.until,
        identified=request.identified,
        generated_at=utcnow(),
        caseload={s.value: caseload.get(s, 0) for s in CoupleStatus},
        by_stage={n: by_stage.get(n, 0) for n in range(1, 7)},
        days_per_stage=_days_per_stage(couple_ids, end_at),
        assignments=assignments,
        completion_rate=(
            assignments["submitted"] / assignments["assigned"] if assignments["assigned"] else None
        ),
        sessions_held=db.session.scalar(
            sa.select(sa.func.count(SessionNote.id)).where(
                SessionNote.couple_id.in_(couple_ids),
                SessionNote.session_date >= request.since, SessionNote.session_date <= request.until,
            )
        ),
        notes_signed=db.session.scalar(
            sa.select(sa.func.count(SessionNote.id)).where(
                SessionNote.couple_id.in_(couple_ids), SessionNote.status == NoteStatus.SIGNED,
                SessionNote.signed_at >= start_at, SessionNote.signed_at < end_at,
            )
        ),
        notes_unsigned_over_72h=db.session.scalar(
            sa.select(sa.func.count(SessionNote.id)).where(
                SessionNote.couple_id.in_(couple_ids), SessionNote.status == NoteStatus.DRAFT,
                SessionNote.created_at < utcnow() - UNSIGNED_AFTER,
            )
        ),
        clinician_ids=clinician_ids,
    )
    if with_rows:
        report.couples = list(couple_rows(user.practice_id, request, clinician_ids))
    # A report is read on a GET: audited on its own (a deferred read that then writes would
    # fail once anyone else wrote meanwhile; see audit.services.record_access).
    record_access(
        "report.generate", user=user,
        detail={
            "format": fmt, "identified": request.identified, "clinician": request.clinician_id,
            "since": request.since.isoformat(), "until": request.until.isoformat(),
        },
    )
    db.session.commit()
    return report


def _assignment_counts(couple_ids, start_at: datetime, end_at: datetime, until: date) -> dict[str, int]:
    given = sa.and_(
        Assignment.couple_id.in_(couple_ids), Assignment.status != AssignmentStatus.WITHDRAWN,
        Assignment.created_at >= start_at, Assignment.created_at < end_at,
    )
    # Every figure as it stood when the period ended: a submission or review after the end does
    # not count, and an exercise past due then and not submitted by then was overdue.
    submitted = sa.and_(Submission.state == SubmissionState.SUBMITTED, Submission.submitted_at < end_at)
    row = db.session.execute(
        sa.select(
            sa.func.count(Assignment.id),
            sa.func.count(Submission.id).filter(submitted),
            sa.func.count(Submission.id).filter(submitted, Submission.reviewed_at < end_at),
            sa.func.count(Assignment.id).filter(
                Assignment.due_on < until, sa.or_(Submission.id.is_(None), sa.not_(submitted))
            ),
        )
        .select_from(Assignment)
        .outerjoin(Submission, Submission.assignment_id == Assignment.id)
        .where(given)
    ).one()
    return dict(zip(("assigned", "submitted", "reviewed", "overdue"), row, strict=True))


def _days_per_stage(couple_ids, end_at: datetime) -> dict[int, float | None]:
    """Average days a couple spent in each stage it entered (time up to the report's end,
    or up to now for a period that has not ended yet). The clock stops while a couple is
    closed: a case closed in stage 5 a year ago has not spent that year in stage 5."""
    end_at = min(end_at, utcnow())
    totals = {n: [0.0, 0] for n in range(1, 7)}  # per stage: days summed, couples counted
    couple: int | None = None
    stage = 0
    days = 0.0
    running: datetime | None = None  # since when the current stage's clock runs (None: closed)

    def finish(at: datetime) -> None:
        if running is not None:
            totals[stage][0] += days + (at - running).total_seconds() / 86400
            totals[stage][1] += 1
        elif days:
            totals[stage][0] += days
            totals[stage][1] += 1

    query = (
        sa.select(CoupleChange.couple_id, CoupleChange.kind, CoupleChange.to_value, CoupleChange.changed_at)
        .where(CoupleChange.couple_id.in_(couple_ids), CoupleChange.changed_at < end_at)
        .order_by(CoupleChange.couple_id, CoupleChange.changed_at, CoupleChange.id)
    )
    # A few rows per couple, folded as they come: fetched in chunks (a server-side cursor on
    # PostgreSQL), never all at once, so memory does not grow with the practice.
    with db.session.connection().execute(query, execution_options={"yield_per": 500}) as rows:
        for couple_id, kind, value, at in rows:
            if couple_id != couple:
                if couple is not None:
                    finish(end_at)
                couple, stage, days, running = couple_id, 0, 0.0, None
            if kind == "created":
                stage, days, running = int(value), 0.0, at
            elif kind == "stage":
                if stage:
                    finish(at)
                stage, days = int(value), 0.0
                running = at if running is not None else None
            elif value == CoupleStatus.CLOSED and running is not None:
                days += (at - running).total_seconds() / 86400
                running = None
            elif value != CoupleStatus.CLOSED and running is None:
                running = at
    if couple is not None:
        finish(end_at)
    return {n: (round(total / count, 1) if count else None) for n, (total, count) in totals.items()}


def _week(start: datetime, day: date) -> int:
    return max((day - start.date()).days // 7 + 1, 1)


@dataclass(frozen=True)
class _BatchQueries:
    """The statements read for each batch of couples, built once per report: building them anew
    for every batch would leave garbage (SQLAlchemy's expression objects refer to each other) that
    only the cyclic collector frees, so memory would creep up with the number of batches."""

    partners: sa.Select
    ends: sa.Select
    exceptions: sa.Select
    sessions: sa.Select


def _batch_queries(request: ReportRequest) -> _BatchQueries:
    ids = sa.bindparam("ids", expanding=True)

    def per_couple(model, day_column) -> sa.Select:
        """How many rows of `model` each couple has with `day_column` inside the period."""
        return (
            sa.select(model.couple_id, sa.func.count(model.id))
            .where(model.couple_id.in_(ids), day_column >= request.since, day_column <= request.until)
            .group_by(model.couple_id)
        )

    # Each partner's first and latest placement up to the period's end: two rows per partner
    # from the database (window functions), however many placements they made.
    ranked = (
        sa.select(
            ScalePlacement.partner_id, ScalePlacement.placed_on, ScalePlacement.value,
            sa.func.row_number().over(
                partition_by=ScalePlacement.partner_id,
                order_by=(ScalePlacement.placed_on, ScalePlacement.id),
            ).label("from_first"),
            sa.func.row_number().over(
                partition_by=ScalePlacement.partner_id,
                order_by=(ScalePlacement.placed_on.desc(), ScalePlacement.id.desc()),
            ).label("from_latest"),
        )
        .where(ScalePlacement.couple_id.in_(ids), ScalePlacement.placed_on <= request.until)
        .subquery()
    )
    return _BatchQueries(
        partners=sa.select(Partner.id, Partner.couple_id, Partner.position, Partner.name)
        .where(Partner.couple_id.in_(ids)).order_by(Partner.position),
        ends=sa.select(ranked).where(sa.or_(ranked.c.from_first == 1, ranked.c.from_latest == 1)),
        exceptions=per_couple(ExceptionEntry, ExceptionEntry.occurred_on),
        sessions=per_couple(SessionNote, SessionNote.session_date),
    )


def couple_rows(
    practice_id: int, request: ReportRequest, clinician_ids: list[int], *, session=None
) -> Iterator[CoupleRow]:
    """One row per couple in scope, read in batches so memory stays flat as the practice grows.

    Takes plain ids (not the user) and optionally a session or connection of its own, so it can
    run while a CSV response streams, after the request's context is gone; that one's read
    transaction ends after each batch is read.
    """
    own_session = session is not None
    session = session or db.session
    _, end_at = _bounds(request.since, request.until)
    queries = _batch_queries(request)
    next_batch = (
        sa.select(
            Couple.id, Couple.pseudonym, Couple.case_label, Couple.status, Couple.current_stage,
            Couple.created_at, User.name,
        )
        .join(User, User.id == Couple.primary_clinician_id)
        .where(_couple_filter(practice_id, clinician_ids, end_at), Couple.id > sa.bindparam("after"))
        .order_by(Couple.id)
        .limit(BATCH)
    )
    last_id = 0
    while True:
        batch = session.execute(next_batch, {"after": last_id}).all()
        if not batch:
            return
        last_id = batch[-1].id
        # One batch's partners and placements at a time: the previous batch's are freed with the
        # generator below before the next batch is read, so memory does not grow with the practice.
        yield from _batch_rows(session, queries, batch, request, commit=own_session)
        del batch


def _batch_rows(session, queries: _BatchQueries, batch, request: ReportRequest, *,
                commit: bool) -> Iterator[CoupleRow]:
    ids = {"ids": [row.id for row in batch]}
    partners: dict[int, list[tuple[int, str, str]]] = {}
    for pid, cid, position, name in session.execute(queries.partners, ids):
        partners.setdefault(cid, []).append((pid, position, name))
    ends: dict[int, list] = {}
    for pid, day, value, from_first, from_latest in session.execute(queries.ends, ids):
        pair = ends.setdefault(pid, [None, None])
        if from_first == 1:
            pair[0] = (day, value)
        if from_latest == 1:
            pair[1] = (day, value)
    exceptions = dict(session.execute(queries.exceptions, ids).all())
    sessions = dict(session.execute(queries.sessions, ids).all())
    if commit:
        # End the read transaction before the rows go out, so the client's download pace never
        # holds the database: on SQLite every transaction is BEGIN IMMEDIATE, the write lock.
        session.commit()
    for row in batch:
        scales = []
        for pid, position, name in partners.get(row.id, []):
            first, latest = ends.get(pid, (None, None))
            scales.append(
                PartnerScale(
                    partner=name if request.identified else f"Partner {position}",
                    first=first[1] if first else None,
                    first_week=_week(row.created_at, first[0]) if first else None,
                    latest=latest[1] if latest else None,
                    latest_week=_week(row.created_at, latest[0]) if latest else None,
                )
            )
        yield CoupleRow(
            couple=f"{row.pseudonym} · {row.case_label}" if request.identified else row.pseudonym,
            clinician=row.name,
            status=row.status,
            stage=row.current_stage,
            week_of_case=_week(row.created_at, min(request.until, utcnow().date())),
            exceptions=exceptions.get(row.id, 0),
            sessions=sessions.get(row.id, 0),
            scales=tuple(scales),
        )
