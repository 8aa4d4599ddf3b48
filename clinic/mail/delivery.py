"""Delivering the outbox: the worker's job. Never called on the request path.

How a message travels:
1. A service queues it (`services.queue_message`) in the same transaction as its cause: if that
   transaction rolls back, there is no message; if it commits, the message is on disk.
2. A worker claims up to MAIL_BATCH_SIZE due messages: it picks them (on PostgreSQL with
   SELECT ... FOR UPDATE SKIP LOCKED, so concurrent workers pick different rows; on SQLite the
   write lock serialises claims), moves them with a conditional UPDATE (`status='queued' →
   'sending'` plus a random claim token), and commits. Two workers can never claim one row.
3. It sends them over one SMTP connection, one at a time. After the server accepted a message
   (250 to DATA), the row is marked `sent` and the sealed values erased, in one commit that also
   writes the audit event and renews the lease on the rest of the batch.
4. A refusal: a 5xx reply to the recipient or the data fails the message at once; anything else
   (4xx, a broken connection, a refused sign-in) schedules a retry after MAIL_RETRY_SECONDS,
   doubling each time up to MAIL_RETRY_MAX_SECONDS, and after MAIL_MAX_ATTEMPTS attempts the
   message is `failed` with the last reason.

What a crash can do. A worker that dies leaves its claimed rows in `sending`; once their lease
(MAIL_LEASE_SECONDS since the last renewal) has run out, the next run puts them back in the queue.
Every message that was not yet accepted is then sent once, as normal: nothing is lost. The one
exception is the message in flight: if the worker died after the server accepted it but before
step 3's commit, it is sent a second time. That window is one SMTP round trip plus one local
commit, for one message per worker; the repeat carries the same Message-ID, so most mail programs
show it once.
"""

import contextlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record
from ..database import reading
from ..domain import MessageStatus
from ..extensions import db
from ..practice.models import Practice
from ..timeutil import utcnow
from .compose import build_email
from .models import OutboundMessage
from .reasons import INTERRUPTED, NOT_CONFIGURED, WITHDRAWN, reason
from .transport import DeliveryError, FileTransport, SmtpTransport, parse_mail_url

log = logging.getLogger(__name__)

FILLERS = "clinic.mail.fillers"


def register_filler(app, kind: str, filler) -> None:
    """Let a feature fill a kind of message's {{values}} as it is sent, not when it is queued.

    `filler(recipients, now)` gets {message id: partner id} for the claimed messages of that kind
    and returns {message id: values}, or None for a message that must not be sent any more
    (it is withdrawn). It runs in the claim's transaction and may add rows; its values travel
    only in memory, into the message (reminders: a fresh single-use portal address).
    """
    app.extensions.setdefault(FILLERS, {})[kind] = filler
SETTLE_TRIES = 3
MAX_REST_SECONDS = 30


@dataclass
class DeliveryRun:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, read once and detached from the session: no transaction (and, on
    SQLite, no write lock) stays open while the worker talks to the mail server."""

    id: int
    practice_id: int
    couple_id: int | None
    partner_id: int | None
    user_id: int | None
    kind: str
    attempts: int
    email: Message | None = None
    error: DeliveryError | None = None  # it cannot even be built (its sealed link is unreadable)


def _outgoing(message: OutboundMessage, practice: Practice | None = None,
              values: dict[str, str] | None = None) -> Outgoing:
    email = error = None
    if practice is not None:
        try:
            email = build_email(message, practice, values)
        except DeliveryError as refused:
            error = refused
    return Outgoing(message.id, message.practice_id, message.couple_id, message.partner_id,
                    message.user_id, message.kind, message.attempts, email, error)


def deliver_due() -> DeliveryRun:
    """Send every message that is due now; return how many were sent, deferred and failed."""
    run = DeliveryRun()
    take_back_abandoned()
    size, rest = current_app.config["MAIL_BATCH_SIZE"], current_app.config["MAIL_BATCH_REST"]
    while True:
        started = time.monotonic()
        token, batch = claim_batch(size)
        if not batch:
            return run
        try:
            _deliver_batch(token, batch, run)
        except Exception:
            # The database went away mid-batch, say: give back what was not tried rather than
            # leave it to the lease. If even that fails, the lease still brings it back.
            db.session.rollback()
            with contextlib.suppress(Exception):
                _release(token, batch)
            raise
        if rest and len(batch) == size:
            # More is probably waiting (2,000 reminders at opening time): rest between batches,
            # holding nothing, so the web processes and the database serve pages meanwhile
            # (bench/reminders_delivery.py). A single message (a link) never waits for this.
            time.sleep(min((time.monotonic() - started) * rest, MAX_REST_SECONDS))


def claim_batch(size: int) -> tuple[str, list[Outgoing]]:
    """Take up to `size` due messages for this worker; commits the claim and ends the read."""
    token = secrets.token_hex(16)
    now = utcnow()
    # Two statements, not UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED):
    # PostgreSQL may run such a subquery more than once, and each run skips the rows the last
    # one locked, so one claim could take far more than n rows. The SELECT locks its rows until
    # the commit (on SQLite, BEGIN IMMEDIATE already lets one claim run at a time).
    candidates = db.session.scalars(
        sa.select(OutboundMessage.id)
        .where(OutboundMessage.status == MessageStatus.QUEUED, OutboundMessage.next_attempt_at <= now)
        .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    ).all()
    ids = db.session.scalars(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id.in_(candidates), OutboundMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.SENDING, claimed_at=now, claim_token=token)
        .returning(OutboundMessage.id)
        .execution_options(synchronize_session=False)
    ).all() if candidates else []
    filled = _fill(ids, now) if ids else {}
    db.session.commit()
    ids = [i for i in ids if filled.get(i, True) is not None]
    if not ids:
        return token, []
    # Read and render in a read-only transaction: on SQLite the write lock is not held while the
    # mail is composed (the rows are ours by their claim token; nobody else changes them).
    with reading():
        messages = db.session.scalars(
            sa.select(OutboundMessage).where(OutboundMessage.id.in_(ids)).order_by(OutboundMessage.id)
        ).all()
        practices = _practices({m.practice_id for m in messages})
        batch = [_outgoing(m, practices[m.practice_id], filled.get(m.id)) for m in messages]
        db.session.commit()  # end the read transaction before any network traffic
    return token, batch


def _fill(ids: list[int], now: datetime) -> dict[int, dict | None]:
    """Values made at send time by the registered fillers; withdraws what may not go out."""
    fillers = current_app.extensions.get(FILLERS, {})
    if not fillers:
        return {}
    rows = db.session.execute(
        sa.select(OutboundMessage.id, OutboundMessage.kind, OutboundMessage.partner_id,
                  OutboundMessage.practice_id, OutboundMessage.couple_id)
        .where(OutboundMessage.id.in_(ids), OutboundMessage.kind.in_(list(fillers)))
    ).all()
    filled: dict[int, dict | None] = {}
    for kind, filler in fillers.items():
        recipients = {row.id: row.partner_id for row in rows if row.kind == kind}
        if recipients:
            filled.update(filler(recipients, now))
    withdrawn = [message_id for message_id, values in filled.items() if values is None]
    if withdrawn:
        db.session.execute(
            sa.update(OutboundMessage).where(OutboundMessage.id.in_(withdrawn))
            .values(status=MessageStatus.CANCELLED, sealed=None, claim_token=None,
                    claimed_at=None, last_error=WITHDRAWN)
            .execution_options(synchronize_session=False)
        )
        for row in rows:
            if row.id in withdrawn:
                record("mail.withdrawn", practice_id=row.practice_id, couple_id=row.couple_id,
                       object_type="outbound_message", object_id=row.id,
                       detail={"kind": row.kind, "partner": row.partner_id})
    return filled


def take_back_abandoned() -> int:
    """Return messages whose worker vanished (lease expired) to the queue, or fail them."""
    config = current_app.config
    now = utcnow()
    cutoff = now - timedelta(seconds=config["MAIL_LEASE_SECONDS"])
    stale = [
        (_outgoing(m), m.claim_token) for m in db.session.scalars(
            sa.select(OutboundMessage).where(
                OutboundMessage.status == MessageStatus.SENDING, OutboundMessage.claimed_at < cutoff
            )
        )
    ]
    db.session.commit()
    for message, token in stale:
        # Due again at once: nothing says the server is unwell, only that the worker vanished.
        _settle(message, token, DeliveryError(INTERRUPTED), now=now, renew=False, backoff=False)
    return len(stale)


def _deliver_batch(token: str, batch: list[Outgoing], run: DeliveryRun) -> None:
    pending = list(batch)
    # The batch's lease is renewed with an outcome's commit once a tenth of it has passed, not at
    # every message: each commit then writes one message row and its audit event, no more.
    every = current_app.config["MAIL_LEASE_SECONDS"] / 10
    renewed = time.monotonic()
    try:
        with open_transport() as send:
            while pending:
                message = pending[0]
                renew = time.monotonic() - renewed >= every
                if renew:
                    renewed = time.monotonic()
                try:
                    if message.error:
                        raise message.error
                    send(message.email)
                except DeliveryError as error:
                    _count(run, _settle(message, token, error, renew=renew))
                    pending.pop(0)
                    if error.connection_lost:
                        break
                else:
                    _count(run, _settle(message, token, None, renew=renew))
                    pending.pop(0)
    except DeliveryError as error:  # no connection at all: every message of the batch waits
        for message in pending:
            _count(run, _settle(message, token, error))
        pending = []
    _release(token, pending)


def _release(token: str, messages: list[Outgoing]) -> None:
    """Give back claimed messages that were never tried (the connection broke before them)."""
    if not messages:
        return
    db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id.in_([m.id for m in messages]),
               OutboundMessage.claim_token == token,
               OutboundMessage.status == MessageStatus.SENDING)
        .values(status=MessageStatus.QUEUED, claim_token=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _settle(message: Outgoing, token: str | None, error: DeliveryError | None, *,
            now: datetime | None = None, renew: bool = True, backoff: bool = True
            ) -> MessageStatus:
    """Record one attempt's outcome, audit it, renew the batch's lease, and commit."""
    config = current_app.config
    now = now or utcnow()
    attempts = message.attempts + 1
    values = {"attempts": attempts, "claim_token": None, "claimed_at": None}
    if error is None:
        status = MessageStatus.SENT
        values.update(sent_at=now, sealed=None, last_error=None)
    elif error.permanent or attempts >= config["MAIL_MAX_ATTEMPTS"]:
        status = MessageStatus.FAILED
        values.update(sealed=None, last_error=error.reason)
    else:
        status = MessageStatus.QUEUED
        delay = min(config["MAIL_RETRY_SECONDS"] * 2 ** (attempts - 1),
                    config["MAIL_RETRY_MAX_SECONDS"]) if backoff else 0
        values.update(next_attempt_at=now + timedelta(seconds=delay), last_error=error.reason)
    # A busy database (SQLite's write lock) must not turn an accepted message into a repeat:
    # try the record a few times before giving the batch up to the caller.
    for attempt in range(SETTLE_TRIES):
        try:
            _record_outcome(message, token, status, values, now=now, renew=renew)
            break
        except sa.exc.OperationalError:
            db.session.rollback()
            if attempt == SETTLE_TRIES - 1:
                raise
            log.warning("mail %s: the database was busy; recording the outcome again", message.id)
    if error is not None:
        log.info("mail %s %s: %s", message.id, status.value, error.reason)
    return status


def _record_outcome(message: Outgoing, token: str | None, status: MessageStatus, values: dict, *,
                    now: datetime, renew: bool) -> None:
    result = db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id == message.id, OutboundMessage.status == MessageStatus.SENDING,
               OutboundMessage.claim_token == token)
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0 and status == MessageStatus.SENT:
        log.warning("mail %s was sent after its claim had lapsed", message.id)
    if renew and token is not None:
        db.session.execute(
            sa.update(OutboundMessage)
            .where(OutboundMessage.claim_token == token,
                   OutboundMessage.status == MessageStatus.SENDING)
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    action = {MessageStatus.SENT: "mail.sent", MessageStatus.FAILED: "mail.failed"}.get(
        status, "mail.deferred"
    )
    record(
        action, practice_id=message.practice_id, object_type="outbound_message",
        object_id=message.id, couple_id=message.couple_id,
        detail={"kind": message.kind, "attempts": values["attempts"],
                "partner": message.partner_id, "user": message.user_id},
    )
    db.session.commit()


def _count(run: DeliveryRun, status: MessageStatus) -> None:
    if status == MessageStatus.SENT:
        run.sent += 1
    elif status == MessageStatus.FAILED:
        run.failed += 1
    else:
        run.deferred += 1


def _practices(ids: set[int]) -> dict[int, Practice]:
    return {p.id: p for p in db.session.scalars(sa.select(Practice).where(Practice.id.in_(ids)))}


def open_transport():
    """The configured transport. Raises DeliveryError when mail is not configured."""
    config = current_app.config
    if config["MAIL_URL"]:
        try:
            settings = parse_mail_url(config["MAIL_URL"])
        except ValueError as error:
            raise DeliveryError(str(error), connection_lost=True) from None
        return SmtpTransport(settings, timeout=config["MAIL_SMTP_TIMEOUT"],
                             ca_file=config.get("MAIL_TLS_CA_FILE"))
    if config["DEVELOPMENT"] or config["TESTING"]:
        directory = config["MAIL_DIRECTORY"] or Path(current_app.instance_path) / "mail"
        return FileTransport(Path(directory))
    raise DeliveryError(reason(NOT_CONFIGURED), connection_lost=True)
