"""Writing and reading audit events."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from werkzeug.exceptions import NotFound

from ..database import WRITES, reading_request
from ..extensions import db
from ..timeutil import UTC
from .models import AuditEvent

_WROTE = "clinic_wrote"


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _note_write(session, _context) -> None:
    session.info[_WROTE] = True


@sa.event.listens_for(sa.orm.Session, "after_commit")
@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _forget_write(session, *_args) -> None:
    session.info.pop(_WROTE, None)


def record(
    action: str,
    *,
    user=None,
    partner=None,
    practice_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    couple_id: int | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction; the calling service commits it.

    `detail` must hold ids and field names only, never client text or credentials.
    """
    event = AuditEvent(**_values(
        action, user=user, partner=partner, practice_id=practice_id, object_type=object_type,
        object_id=object_id, couple_id=couple_id, detail=detail,
    ))
    db.session.add(event)
    return event


def record_access(action: str, **who_and_what) -> None:
    """Record a read at once, in a short transaction of its own, before the page loads anything.
    Takes `record`'s keywords (user, partner, practice_id, object_type, object_id, couple_id,
    detail).

    For pages that only read: the request's session is neither flushed nor committed, so what it
    has loaded stays loaded (no reload after a commit), and on SQLite its reads never hold the
    write lock (database.takes_write_lock); only this one INSERT does, for as long as it takes.
    Outside a reading request, or with writes pending in the session, the event is added to the
    session's transaction and committed with it instead.
    """
    values = _values(action, **who_and_what)
    session = db.session()
    if not reading_request() or session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        # Not a page that only reads (the CLI, a test, a form post): this session's transaction
        # may hold the write lock or rows the event refers to. Same transaction, committed now.
        session.add(AuditEvent(**values))
        session.commit()
        return
    with db.engine.connect().execution_options(**{WRITES: True}) as connection, connection.begin():
        connection.execute(sa.insert(AuditEvent).values(**values))


def _values(
    action: str, *, user=None, partner=None, practice_id: int | None = None,
    object_type: str | None = None, object_id: int | None = None, couple_id: int | None = None,
    detail: dict | None = None,
) -> dict:
    if practice_id is None:
        practice_id = getattr(user, "practice_id", None)
    return {
        "practice_id": practice_id,
        "actor_user_id": getattr(user, "id", None),
        "actor_partner_id": getattr(partner, "id", None),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "couple_id": couple_id,
        "ip": request.remote_addr if has_request_context() else "cli",
        "detail": detail,
    }


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    couple_id: int | None = None
    since: date | None = None
    until: date | None = None


def list_events(viewer, filters: AuditFilter, *, page: int, per_page: int):
    """The practice's audit log, newest first. Only owners may read it (NotFound otherwise).

    Reading the log is itself recorded.
    """
    if not viewer.is_owner:
        raise NotFound()
    query = sa.select(AuditEvent).where(AuditEvent.practice_id == viewer.practice_id)
    if filters.user_id:
        query = query.where(AuditEvent.actor_user_id == filters.user_id)
    if filters.couple_id:
        query = query.where(AuditEvent.couple_id == filters.couple_id)
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, UTC)
        query = query.where(AuditEvent.at < end)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    # Audited at once, on its own (record_access): nothing loaded is expired by a commit.
    record_access("audit.view", user=viewer, detail={"page": page})
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
