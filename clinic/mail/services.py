"""Queueing mail: add a message to the caller's transaction, and read delivery states."""

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import jobs
from ..extensions import db
from ..timeutil import utcnow
from .models import MessageStatus, OutboundMessage
from .sealing import seal

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
    sealing.py). With a `dedupe_key` that is already queued or sent, nothing is added and the
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
