"""Reminders: a partner's pause, a couple's switch, and the job that queues what is due now.

The job (`send_due`) runs every minute in the worker. It looks only at practices that are open
at that moment in their own zone, works out from each practice's defaults which partners have
work due for a reminder today (schedule.py), and queues one message per partner, due date and
kind. The outbox's dedupe key (`reminder:<partner>:<due date>:<kind>`) makes every later run a
no-op for what was already queued, so running it again, or in two workers at once, sends nothing
twice. The message carries no exercise, only the date and the practice, and a portal address
that the worker makes as it sends the message (portal.services.return_addresses: through the
partner's link as it is then, single-use, never stored readable); a partner whose link stopped
working meanwhile gets no reminder.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..audit.services import record
from ..auth.models import User
from ..couples.models import Couple, Partner
from ..couples.services import get_couple
from ..domain import OPEN_ASSIGNMENT, CoupleStatus, MessageKind
from ..exercises.models import Assignment
from ..extensions import db
from ..mail.models import OutboundMessage
from ..mail.services import queue_message
from ..portal.models import PortalLink
from ..practice.hours import hours_of
from ..practice.models import Practice
from ..timeutil import utcnow
from .schedule import ReminderKind, Rules, reminder_for

# --- the switches -------------------------------------------------------------------------------

def set_paused(partner: Partner, paused: bool) -> None:
    """The partner pauses (or resumes) reminder mail from their portal; audited."""
    if partner.reminders_paused == paused:
        return
    partner.reminders_paused = paused
    record(
        "reminders.pause" if paused else "reminders.resume", partner=partner,
        practice_id=partner.couple.practice_id, object_type="partner", object_id=partner.id,
        couple_id=partner.couple_id,
    )
    db.session.commit()


def set_couple_reminders(user: User, couple_id: int, on: bool) -> Couple:
    """The clinician turns reminder mail on or off for a couple. NotFound outside the caseload."""
    couple = get_couple(user, couple_id)
    if couple.reminders_off != (not on):
        couple.reminders_off = not on
        record(
            "reminders.couple_on" if on else "reminders.couple_off", user=user,
            object_type="couple", object_id=couple.id, couple_id=couple.id,
        )
        db.session.commit()
    return couple


# --- what is due --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    """One reminder to send: a partner, a due date, a kind, and how many exercises it covers."""

    practice_id: int
    practice_name: str
    therapist: str
    couple_id: int
    partner_id: int
    name: str
    email: str
    locale: str
    link_id: int
    kind: ReminderKind
    due_on: date
    count: int

    @property
    def dedupe_key(self) -> str:
        return f"reminder:{self.partner_id}:{self.due_on.isoformat()}:{self.kind.value}"


def _open_practices(now: datetime) -> list[tuple[Practice, date]]:
    found = []
    for practice in db.session.scalars(sa.select(Practice).order_by(Practice.id)):
        hours = hours_of(practice)
        if hours.is_open(now):
            found.append((practice, hours.today(now)))
    return found


def _usable_links(partner_ids: set[int], now: datetime) -> dict[int, PortalLink]:
    if not partner_ids:
        return {}
    links = db.session.scalars(
        sa.select(PortalLink)
        .where(
            PortalLink.partner_id.in_(partner_ids), PortalLink.revoked_at.is_(None),
            sa.or_(PortalLink.expires_at.is_(None), PortalLink.expires_at > now),
        )
        .order_by(PortalLink.created_at)
    )
    return {link.partner_id: link for link in links}  # the newest wins


def _due_in(practice: Practice, today: date, now: datetime) -> list[Due]:
    rules = Rules.of(practice)
    hours = hours_of(practice)
    assignee = sa.or_(
        Assignment.partner_id == Partner.id,
        sa.and_(Assignment.joint.is_(True), Assignment.couple_id == Partner.couple_id),
    )
    rows = db.session.execute(
        sa.select(Assignment.due_on, Assignment.created_at, Partner, Couple.id, User.name)
        .join(Couple, Couple.id == Assignment.couple_id)
        .join(Partner, assignee)
        .join(User, User.id == Couple.primary_clinician_id)
        .where(
            Couple.practice_id == practice.id,
            Couple.status == CoupleStatus.ACTIVE,
            Couple.reminders_off.is_(False),
            Assignment.status.in_(OPEN_ASSIGNMENT),
            Assignment.due_on.between(rules.earliest_due(today), rules.latest_due(today)),
            Partner.email.is_not(None),
            Partner.email != "",
            Partner.reminders_paused.is_(False),
        )
        .order_by(Partner.id, Assignment.due_on)
    ).all()
    grouped: dict[tuple[int, date, ReminderKind], list] = defaultdict(list)
    for due_on, created_at, partner, couple_id, therapist in rows:
        assigned_on = hours.today(created_at)
        kind = reminder_for(rules, due_on, today, assigned_on=assigned_on)
        if kind is not None:
            grouped[(partner.id, due_on, kind)].append((partner, couple_id, therapist))
    links = _usable_links({key[0] for key in grouped}, now)
    return [
        Due(
            practice_id=practice.id, practice_name=practice.name, therapist=therapist,
            couple_id=couple_id, partner_id=partner.id, name=partner.display_name,
            email=partner.email, locale=partner.locale,
            link_id=links[partner.id].id, kind=kind, due_on=due_on, count=len(found),
        )
        for (partner_id, due_on, kind), found in grouped.items()
        for partner, couple_id, therapist in found[:1]
        if partner_id in links  # without a working link a reminder could not bring them back
    ]


def due_reminders(now: datetime) -> list[Due]:
    """Every reminder that is due at `now` and not queued yet."""
    due = [d for practice, today in _open_practices(now) for d in _due_in(practice, today, now)]
    keys = [d.dedupe_key for d in due]
    queued: set[str] = set()
    for start in range(0, len(keys), 500):
        queued.update(db.session.scalars(
            sa.select(OutboundMessage.dedupe_key)
            .where(OutboundMessage.dedupe_key.in_(keys[start:start + 500]))
        ))
    return [d for d in due if d.dedupe_key not in queued]


# --- the message --------------------------------------------------------------------------------

LINK = "{{portal_link}}"  # filled in by the worker as it sends (portal.services.return_addresses)


def compose(due: Due, locale: str) -> tuple[str, str]:
    """(subject, body) of a reminder: the date, the practice and the therapist; nothing clinical."""
    with force_locale(locale):
        subject = _("A reminder from %(practice)s", practice=due.practice_name)
        body = render_template("reminders/mail.txt", due=due, link=LINK,
                               days=current_app.config["PORTAL_RETURN_DAYS"])
    return subject, body


# Reminders queued per transaction: short transactions keep SQLite's single writer (the web
# app) from waiting on the worker for more than a moment.
BATCH = 50


def send_due(now: datetime | None = None) -> int:
    """The worker's minute job: queue every reminder due now; returns how many were queued."""
    now = now or utcnow()
    due = due_reminders(now)
    db.session.commit()  # end the read transaction before writing in batches
    for start in range(0, len(due), BATCH):
        for item in due[start:start + BATCH]:
            subject, body = compose(item, item.locale)
            queue_message(
                practice_id=item.practice_id, kind=MessageKind.REMINDER, to_address=item.email,
                to_name=item.name, subject=subject, body=body, couple_id=item.couple_id,
                partner_id=item.partner_id, dedupe_key=item.dedupe_key, locale=item.locale,
            )
            record(
                "reminder.queue", practice_id=item.practice_id, object_type="partner",
                object_id=item.partner_id, couple_id=item.couple_id,
                detail={"kind": item.kind.value, "due_on": item.due_on.isoformat(),
                        "count": item.count},
            )
        db.session.commit()
    return len(due)
