"""Queueing mail: add a message to the caller's transaction, and read delivery states."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from werkzeug.exceptions import NotFound

from .. import jobs
from ..audit.services import record_access
from ..domain import MessageKind, MessageStatus
from ..extensions import db
from ..sealing import seal
from ..timeutil import utcnow
from . import reasons
from .models import OutboundMessage

# Set on the session by queue_message; the commit that writes the message wakes the worker.
_WAKE = "clinic.mail.wake"


def queue_message(
    *,
    practice_id: int,
    kind: str,
    to_address: str,
    to_name: str,
    subject: str,
    body: str,
    couple_id: int | None = None,
    partner_id: int | None = None,
    user_id: int | None = None,
    dedupe_key: str | None = None,
    locale: str = "en",
    html_body: str | None = None,
    sealed: dict[str, str] | None = None,
) -> OutboundMessage:
    """Add a message to the outbox in the caller's transaction; the caller's service commits.

    Nothing is sent here: the worker delivers it after the commit (and is woken by it).
    `sealed` values are encrypted and put into the body at `{{name}}` only while sending (see
    clinic/sealing.py). With a `dedupe_key` that is already queued or sent, nothing is added and the
    existing message is returned.
    """
    now = utcnow()
    message = OutboundMessage(
        practice_id=practice_id, kind=kind, to_address=to_address, to_name=to_name,
        locale=locale, subject=subject, body=body, html_body=html_body,
        sealed=seal(sealed) if sealed else None, status=MessageStatus.QUEUED, attempts=0,
        next_attempt_at=now, created_at=now, couple_id=couple_id, partner_id=partner_id,
        user_id=user_id, dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        db.session.add(message)
    else:
        existing = _by_dedupe_key(dedupe_key)
        if existing is not None:
            return existing
        try:
            # A savepoint: a concurrent twin that committed first must not undo the caller's work.
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            return _by_dedupe_key(dedupe_key)
    db.session.info[_WAKE] = True
    return message


def _by_dedupe_key(key: str) -> OutboundMessage | None:
    return db.session.scalar(sa.select(OutboundMessage).where(OutboundMessage.dedupe_key == key))


@event.listens_for(Session, "after_commit")
def _wake_worker(session: Session) -> None:
    if session.info.pop(_WAKE, False) and has_app_context():
        jobs.wake(current_app._get_current_object())


@event.listens_for(Session, "after_rollback")
def _forget_wake(session: Session) -> None:
    session.info.pop(_WAKE, None)


def cancel_queued(*, kind: str, partner_id: int | None = None, user_id: int | None = None) -> int:
    """Withdraw the still-queued messages of one kind to a partner or to a staff member (in the
    caller's transaction).

    Used when what they carry stopped being true, e.g. a portal link or an account link that was
    just replaced. A message already being sent is not stopped. Returns how many were withdrawn.
    """
    if (partner_id is None) == (user_id is None):
        raise ValueError("name exactly one recipient: a partner or a user")
    recipient = (OutboundMessage.partner_id == partner_id if partner_id is not None
                 else OutboundMessage.user_id == user_id)
    result = db.session.execute(
        sa.update(OutboundMessage)
        .where(recipient, OutboundMessage.kind == kind,
               OutboundMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.CANCELLED, sealed=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


STATUS_LABELS = {
    MessageStatus.QUEUED: _l("Waiting to be sent"),
    MessageStatus.SENDING: _l("Being sent"),
    MessageStatus.SENT: _l("Sent"),
    MessageStatus.FAILED: _l("Could not be delivered"),
    MessageStatus.CANCELLED: _l("Withdrawn (replaced by a newer link)"),
}
KIND_LABELS = {
    MessageKind.PORTAL_LINK: _l("Portal link"),
    MessageKind.REMINDER: _l("Reminder"),
    MessageKind.DIGEST: _l("Daily digest"),
}


@dataclass(frozen=True)
class Delivery:
    """One message as the pages show it: plain data, no relationships to load."""

    id: int
    kind: str
    kind_label: str
    to_name: str
    to_address: str
    status: MessageStatus
    status_label: str
    attempts: int
    reason: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    couple_id: int | None
    couple_label: str | None = None

    @property
    def retrying(self) -> bool:
        return self.status == MessageStatus.QUEUED and self.attempts > 0


def _delivery(message: OutboundMessage, couple_label: str | None = None) -> Delivery:
    return Delivery(
        id=message.id, kind=message.kind, kind_label=str(KIND_LABELS.get(message.kind, message.kind)),
        to_name=message.to_name, to_address=message.to_address, status=message.status,
        status_label=str(STATUS_LABELS[message.status]), attempts=message.attempts,
        reason=reasons.shown(message.last_error), created_at=message.created_at, sent_at=message.sent_at,
        next_attempt_at=message.next_attempt_at if message.status == MessageStatus.QUEUED else None,
        couple_id=message.couple_id, couple_label=couple_label,
    )


def partner_deliveries(partner_id: int, kind: str, *, limit: int = 5) -> list[Delivery]:
    """The latest messages of one kind to a partner the caller already reached through a
    scoped getter (the couple's), newest first."""
    rows = db.session.scalars(
        sa.select(OutboundMessage)
        .where(OutboundMessage.partner_id == partner_id, OutboundMessage.kind == kind)
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
        .limit(limit)
    )
    return [_delivery(m) for m in rows]


@dataclass(frozen=True)
class CoupleMail:
    """What a couple's page shows of its mail: each partner's latest message of one kind, and
    the couple's undelivered mail, newest first."""

    latest: dict[int, Delivery | None]
    failures: list[Delivery]


def couple_mail(couple_id: int, partner_ids: list[int], kind: str, *, limit: int = 10) -> CoupleMail:
    """partner_deliveries(limit=1) for each partner and the couple's undelivered mail (the latest
    `limit`), in one query, for a couple the caller already reached through its scoped getter."""
    newest = (OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
    parts = [
        sa.select(OutboundMessage.id).where(OutboundMessage.partner_id == partner_id,
                                            OutboundMessage.kind == kind).order_by(*newest).limit(1)
        for partner_id in partner_ids
    ]
    parts.append(
        sa.select(OutboundMessage.id).where(OutboundMessage.couple_id == couple_id,
                                            OutboundMessage.status == MessageStatus.FAILED)
        .order_by(*newest).limit(limit)
    )
    ids = sa.union_all(*(sa.select(part.subquery().c.id) for part in parts))
    rows = list(db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.id.in_(ids)).order_by(*newest)
    ))
    latest = {
        partner_id: next((_delivery(m) for m in rows if m.partner_id == partner_id and m.kind == kind), None)
        for partner_id in partner_ids
    }
    failures = [_delivery(m) for m in rows
                if m.couple_id == couple_id and m.status == MessageStatus.FAILED][:limit]
    return CoupleMail(latest, failures)


def practice_failures(viewer, *, page: int, per_page: int):
    """The practice's undelivered mail, newest first: owners only (NotFound for anyone else).

    Returns (pagination of messages, the same as Delivery rows). Reading the list is audited.
    """
    if not viewer.is_owner:
        raise NotFound()
    query = (
        sa.select(OutboundMessage)
        .where(OutboundMessage.practice_id == viewer.practice_id,
               OutboundMessage.status == MessageStatus.FAILED)
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
    )
    # Audited at once, on its own (record_access): nothing loaded is expired by a commit.
    record_access("mail.view_failures", user=viewer, detail={"page": page})
    query = query.options(joinedload(OutboundMessage.couple))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return pagination, [
        _delivery(m, m.couple.case_label if m.couple else None) for m in pagination.items
    ]
