"""Danger words in what a partner writes: found when the text comes in (portal entries, sent
answers, check-ins), kept as where and which words, shown to the clinician alone as a prompt to
look, never as a finding."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..audit.services import record
from ..couples.models import Partner
from ..couples.services import get_couple
from ..extensions import db
from ..timeutil import utcnow
from . import lexicon
from .models import DangerSignal

MAX_WORDS = 8  # kept per field: enough to point at, never the text itself


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    return []


def note_text(partner: Partner, source: str, source_id: int, fields: dict) -> int:
    """Look for danger words in the fields of something `partner` just sent (the caller's
    transaction commits the signals with it). Returns how many fields had any."""
    found = 0
    for name, value in fields.items():
        words = []
        for text in _texts(value):
            words += [hit.words for hit in lexicon.scan(text)]
        if not words:
            continue
        db.session.add(DangerSignal(
            couple_id=partner.couple_id, partner_id=partner.id, source=source, source_id=source_id,
            field=str(name)[:60], words=list(dict.fromkeys(words))[:MAX_WORDS], found_at=utcnow(),
        ))
        found += 1
    return found


@dataclass(frozen=True)
class SignalView:
    """Where danger words were found, for the clinician's pages."""

    id: int
    couple_id: int
    partner_name: str
    source: str
    source_id: int
    field: str
    words: list[str]
    found_at: datetime


def _views(query) -> list[SignalView]:
    rows = db.session.execute(
        query.join(Partner, Partner.id == DangerSignal.partner_id).add_columns(
            sa.func.coalesce(Partner.preferred_name, Partner.name)
        ).order_by(DangerSignal.found_at.desc(), DangerSignal.id.desc())
    ).all()
    return [
        SignalView(s.id, s.couple_id, name, s.source, s.source_id, s.field, list(s.words), s.found_at)
        for s, name in rows
    ]


def unseen_for(couple_ids: list[int]) -> dict[int, list[SignalView]]:
    """Signals the clinician has not marked as looked at, per couple (ids already scoped by the
    caller): one query."""
    if not couple_ids:
        return {}
    result: dict[int, list[SignalView]] = {}
    for view in _views(sa.select(DangerSignal).where(
        DangerSignal.couple_id.in_(couple_ids), DangerSignal.seen_at.is_(None)
    )):
        result.setdefault(view.couple_id, []).append(view)
    return result


def unseen_in(couples: sa.Select) -> dict[int, list[SignalView]]:
    """unseen_for the couples a query (already scoped by the caller) selects the ids of: one
    query, whose cost follows the unseen signals, not the couples."""
    result: dict[int, list[SignalView]] = {}
    for view in _views(sa.select(DangerSignal).where(
        DangerSignal.seen_at.is_(None), DangerSignal.couple_id.in_(couples.scalar_subquery())
    )):
        result.setdefault(view.couple_id, []).append(view)
    return result


def couple_signals(user, couple_id: int) -> list[SignalView]:
    """The couple's unseen signals for its page. NotFound outside the user's caseload."""
    couple = get_couple(user, couple_id)
    return unseen_for([couple.id]).get(couple.id, [])


def mark_seen(user, couple_id: int) -> int:
    """The clinician looked: the couple's signals leave "Needs attention" (audited). Returns how
    many. NotFound outside the user's caseload."""
    couple = get_couple(user, couple_id)
    result = db.session.execute(
        sa.update(DangerSignal)
        .where(DangerSignal.couple_id == couple.id, DangerSignal.seen_at.is_(None))
        .values(seen_at=utcnow(), seen_by_id=user.id)
    )
    record("safety.signals_seen", user=user, object_type="couple", object_id=couple.id,
           couple_id=couple.id, detail={"count": result.rowcount})
    db.session.commit()
    return result.rowcount
