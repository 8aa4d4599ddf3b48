"""Use cases for exception-log entries and scale placements, from the portal or in session."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from ..audit.services import record
from ..couples.models import Partner
from ..couples.services import get_couple
from ..exercises import catalogue
from ..exercises.services import note_record_added
from ..extensions import db
from ..timeutil import utcnow
from .models import ExceptionEntry, ScalePlacement

KINDS = {"exception": ExceptionEntry, "scale": ScalePlacement}
EXERCISE_FOR = {"exception": "exception-log", "scale": "scale-placement"}


def record_exercise(kind: str) -> catalogue.Exercise:
    """The catalogue exercise whose fields define this record's form."""
    return catalogue.get(EXERCISE_FOR[kind])


def _text(answers: dict, key: str) -> str | None:
    value = answers.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _build(kind: str, answers: dict):
    if kind == "exception":
        return ExceptionEntry(
            occurred_on=date.fromisoformat(answers["date"]),
            context=answers["context"].strip(),
            behaviour=_text(answers, "behaviour"),
            thoughts=_text(answers, "thoughts"),
            feelings=_text(answers, "feelings"),
            meaning=_text(answers, "meaning"),
        )
    return ScalePlacement(
        placed_on=date.fromisoformat(answers["date"]) if answers.get("date") else utcnow().date(),
        value=int(answers["value"]),
        movement=_text(answers, "movement"),
        keeps_from_lower=_text(answers, "keeps_from_lower"),
        one_higher=_text(answers, "one_higher"),
    )


def add_from_portal(
    partner: Partner, kind: str, answers: dict, *, shared: bool,
    assignment_id: int | None = None, idempotency_key: str | None = None,
):
    """A partner adds an exception entry or a scale placement (validated answers).

    A retried post carrying the same idempotency key returns the row stored the first time.
    """
    model = KINDS[kind]
    if idempotency_key:
        existing = db.session.scalar(
            sa.select(model).where(
                model.idempotency_key == idempotency_key, model.partner_id == partner.id
            )
        )
        if existing is not None:
            return existing
    row = _build(kind, answers)
    row.couple_id = partner.couple_id
    row.partner_id = partner.id
    row.source = "portal"
    row.shared_with_partner = bool(shared)
    row.assignment_id = assignment_id
    row.idempotency_key = idempotency_key or None
    row.created_at = utcnow()
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        # The same key arrived twice at once: the other request stored it.
        db.session.rollback()
        return db.session.scalar(sa.select(model).where(model.idempotency_key == idempotency_key))
    if assignment_id is not None:
        note_record_added(partner, assignment_id, kind, row.id)
    partner.couple.last_activity_at = row.created_at
    record(
        f"portal.{kind}_add", partner=partner, practice_id=partner.couple.practice_id,
        object_type=kind, object_id=row.id, couple_id=partner.couple_id,
    )
    db.session.commit()
    return row


def add_in_session(user, couple_id: int, partner_id: int, kind: str, answers: dict, *,
                   shared: bool):
    """The clinician records an entry or placement for a partner during a session."""
    couple = get_couple(user, couple_id)
    partner = next((p for p in couple.partners if p.id == partner_id), None)
    if partner is None:
        raise NotFound()
    row = _build(kind, answers)
    row.couple_id = couple.id
    row.partner_id = partner.id
    row.source = "session"
    row.recorded_by_id = user.id
    row.shared_with_partner = bool(shared)
    row.created_at = utcnow()
    db.session.add(row)
    db.session.flush()
    couple.last_activity_at = row.created_at
    record(
        f"{kind}.record", user=user, object_type=kind, object_id=row.id, couple_id=couple.id,
    )
    db.session.commit()
    return row


def visible_to_partner(partner: Partner, kind: str) -> list:
    """A partner's own records and the ones their partner chose to share, newest first."""
    model = KINDS[kind]
    day = model.occurred_on if kind == "exception" else model.placed_on
    return list(
        db.session.scalars(
            sa.select(model)
            .where(
                model.couple_id == partner.couple_id,
                sa.or_(model.partner_id == partner.id, model.shared_with_partner.is_(True)),
            )
            .order_by(day.desc(), model.id.desc())
        )
    )


def get_own(partner: Partner, kind: str, record_id: int):
    """One of the partner's own records; NotFound for anybody else's."""
    model = KINDS[kind]
    row = db.session.scalar(
        sa.select(model).where(model.id == record_id, model.partner_id == partner.id)
    )
    if row is None:
        raise NotFound()
    return row


def set_sharing(partner: Partner, kind: str, record_id: int, shared: bool):
    """The writer decides whether their partner may see an entry; only they can change it."""
    row = get_own(partner, kind, record_id)
    row.shared_with_partner = bool(shared)
    record(
        f"portal.{kind}_share" if shared else f"portal.{kind}_unshare", partner=partner,
        practice_id=partner.couple.practice_id, object_type=kind, object_id=row.id,
        couple_id=partner.couple_id,
    )
    db.session.commit()
    return row


def couple_records(couple_id: int, kind: str, *, limit: int | None = None) -> list:
    """All of a couple's records of one kind, newest first (the caller checked access)."""
    model = KINDS[kind]
    day = model.occurred_on if kind == "exception" else model.placed_on
    query = (
        sa.select(model)
        .where(model.couple_id == couple_id)
        .options(sa.orm.selectinload(model.partner))
        .order_by(day.desc(), model.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def records_by_ids(couple_id: int, kind: str, ids: list[int]) -> list:
    if not ids:
        return []
    model = KINDS[kind]
    return list(
        db.session.scalars(
            sa.select(model).where(model.couple_id == couple_id, model.id.in_(ids)).order_by(model.id)
        )
    )
