"""The daily digest: a clinician's opt-in, and the mail that names counts and case labels only.

`send_due` runs every minute in the worker; each subscriber is considered once per local day of
their practice, at the first run inside its opening hours (so the digest arrives at opening
time), and gets a message only when something new is waiting. The dedupe key
`digest:<user>:<day>` keeps a second worker, or a rerun after a crash, from sending it twice.
"""

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, ngettext

from ..audit.services import record
from ..auth.models import User
from ..domain import CASELOAD_ROLES, InboxKind, MessageKind
from ..extensions import db
from ..inbox.services import new_counts_by_couple
from ..mail.services import queue_message
from ..practice.hours import hours_of
from ..practice.models import Practice
from ..timeutil import utcnow
from .models import DigestSubscription


def subscribed(user) -> bool:
    return db.session.get(DigestSubscription, user.id) is not None


def subscribe(user, on: bool) -> None:
    """Turn the user's daily digest on or off (clinicians and owners; audited)."""
    if not user.sees_charts:
        on = False
    current = db.session.get(DigestSubscription, user.id)
    if on and current is None:
        db.session.add(DigestSubscription(user_id=user.id))
    elif not on and current is not None:
        db.session.execute(sa.delete(DigestSubscription).where(DigestSubscription.user_id == user.id))
    else:
        return
    record("digest.subscribe" if on else "digest.unsubscribe", user=user,
           object_type="user", object_id=user.id)
    db.session.commit()


# --- the daily mail -----------------------------------------------------------------------------

def compose(user, counts: list[tuple[str, Counter]], locale: str) -> tuple[str, str]:
    """(subject, body) of a digest: per couple, the case label and how many new items of each
    kind. Never anything a partner wrote."""
    total = sum(sum(c.values()) for _label, c in counts)
    lines = [(label, [(kind, c[kind]) for kind in InboxKind if c[kind]]) for label, c in counts]
    with force_locale(locale):
        subject = ngettext("%(num)d new item in your inbox", "%(num)d new items in your inbox", total)
        body = render_template(
            "digest/mail.txt", name=user.name, lines=lines, total=total,
            inbox_url=current_app.config["BASE_URL"].rstrip("/") + "/inbox/",
        )
    return subject, body


def _subscribers() -> list[tuple[DigestSubscription, User, Practice]]:
    return db.session.execute(
        sa.select(DigestSubscription, User, Practice)
        .join(User, User.id == DigestSubscription.user_id)
        .join(Practice, Practice.id == User.practice_id)
        .where(User.active.is_(True), User.role.in_(CASELOAD_ROLES))
        .order_by(User.id)
    ).all()


def send_due(now: datetime | None = None) -> int:
    """The worker's minute job: at the first run within a practice's hours each (local) day,
    queue each subscriber's digest if anything new is waiting. Returns how many were queued."""
    now = now or utcnow()
    queued = 0
    for subscription, user, practice in _subscribers():
        hours = hours_of(practice)
        today = hours.today(now)
        if not hours.is_open(now) or subscription.last_considered_on == today:
            continue
        counts = new_counts_by_couple(user)
        if counts:
            locale = user.locale
            subject, body = compose(user, counts, locale)
            queue_message(
                practice_id=practice.id, kind=MessageKind.DIGEST, to_address=user.email,
                to_name=user.name, subject=subject, body=body, user_id=user.id,
                dedupe_key=f"digest:{user.id}:{today.isoformat()}", locale=locale,
            )
            record("digest.queue", user=user, object_type="user", object_id=user.id,
                   detail={"couples": len(counts)})
            queued += 1
        subscription.last_considered_on = today
        db.session.commit()
    return queued
