"""Use cases for exception-log entries and scale placements, from the portal or in session."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from ..audit.services import record, record_access
from ..couples.models import Couple, Partner
from ..couples.services import get_couple
from ..domain import Source
from ..errors import DomainError
from ..exercises import catalogue
from ..exercises.services import note_record_added, shared_submissions
from ..extensions import db
from ..safety import services as safety
from ..safety import signals
from ..timeutil import utcnow
from .models import TAG_CATEGORIES, ExceptionEntry, ExceptionTag, ScalePlacement

KINDS = {"exception": ExceptionEntry, "scale": ScalePlacement}
# What a partner writes in words, read for danger words as it comes in.
TEXT_FIELDS = {
    "exception": ("context", "behaviour", "thoughts", "feelings", "meaning"),
    "scale": ("movement", "keeps_from_lower", "one_higher"),
}
EXERCISE_FOR = {"exception": "exception-log", "scale": "scale-placement"}


def record_exercise(kind: str, locale: str = catalogue.DEFAULT_LOCALE) -> catalogue.Exercise:
    """The catalogue exercise whose fields define this record's form, in `locale`."""
    return catalogue.get(EXERCISE_FOR[kind], locale=locale)


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


# What a partner wrote in each kind of record: a retry with the same key must say the same.
CONTENT = {
    "exception": ("occurred_on", "context", "behaviour", "thoughts", "feelings", "meaning"),
    "scale": ("placed_on", "value", "movement", "keeps_from_lower", "one_higher"),
}


class KeyAlreadyUsed(DomainError):
    """A post carried the key of an entry this partner already saved, with other text: the
    earlier entry stands unchanged, and the new text was not stored."""

    def __init__(self, existing):
        super().__init__(_("This entry was already saved, with what you wrote the first time."))
        self.existing = existing


def _by_key(model, partner: Partner, idempotency_key: str | None):
    if not idempotency_key:
        return None
    return db.session.scalar(
        sa.select(model).where(model.idempotency_key == idempotency_key, model.partner_id == partner.id)
    )


def _retried(kind: str, existing, row, shared: bool):
    """The entry a retried post stored, when the retry says the same; KeyAlreadyUsed if not."""
    same = all(getattr(existing, name) == getattr(row, name) for name in CONTENT[kind])
    if not same or existing.shared_with_partner != bool(shared):
        raise KeyAlreadyUsed(existing)
    return existing


def add_from_portal(
    partner: Partner, kind: str, answers: dict, *, shared: bool,
    assignment_id: int | None = None, idempotency_key: str | None = None,
    tags: list[tuple[str, str]] = (),
):
    """A partner adds an exception entry or a scale placement (validated answers).

    A retried post carrying the same idempotency key (unique per partner) returns the row stored
    the first time; one whose text differs raises KeyAlreadyUsed (nothing is changed).
    """
    model = KINDS[kind]
    row = _build(kind, answers)
    existing = _by_key(model, partner, idempotency_key)
    if existing is not None:
        return _retried(kind, existing, row, shared)
    row.couple_id = partner.couple_id
    row.partner_id = partner.id
    row.source = Source.PORTAL
    row.shared_with_partner = bool(shared)
    row.assignment_id = assignment_id
    row.idempotency_key = idempotency_key or None
    row.created_at = utcnow()
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        # The same key arrived twice at once: the other request stored it (the constraint is
        # per partner, so it can only be this partner's own row).
        db.session.rollback()
        existing = _by_key(model, partner, idempotency_key)
        if existing is None:
            raise
        return _retried(kind, existing, _build(kind, answers), shared)
    if assignment_id is not None:
        note_record_added(partner, assignment_id, kind, row.id)
    if kind == "exception":
        for category, value in tags:
            _add_tag(row, category, _clean_tag(category, value), partner=partner)
    partner.couple.last_activity_at = row.created_at
    signals.note_text(partner, kind, row.id, {name: getattr(row, name) for name in TEXT_FIELDS[kind]})
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
    row.source = Source.SESSION
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


def visible_to_partner(partner: Partner, kind: str, *, page: int = 1, per_page: int = 20,
                       count: bool = True):
    """A partner's own records and the ones their partner chose to share, newest first, a page
    at a time (`count=False`: the latest page alone, without the total a page list needs)."""
    model = KINDS[kind]
    day = model.occurred_on if kind == "exception" else model.placed_on
    query = (
        sa.select(model)
        .where(
            model.couple_id == partner.couple_id,
            sa.or_(model.partner_id == partner.id, _reaches_partner(model, kind, partner.couple_id)),
        )
        .order_by(day.desc(), model.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=count)


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


def couple_records(couple: Couple, kind: str, *, limit: int | None = None) -> list:
    """All of a couple's records of one kind, newest first (the caller checked access; their
    partners are the couple's, loaded by the scoped getter)."""
    model = KINDS[kind]
    day = model.occurred_on if kind == "exception" else model.placed_on
    query = (
        sa.select(model)
        .where(model.couple_id == couple.id)
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


def partner_records_by_ids(partner: Partner, kind: str, ids: list[int]) -> list:
    """Of these records, the ones this partner may read: their own and the shared ones (under a
    safety flag, only shared ones the clinician released)."""
    hold = safety.sharing_hold(partner.couple_id)
    return [
        row for row in records_by_ids(partner.couple_id, kind, ids)
        if row.partner_id == partner.id
        or (row.shared_with_partner and (hold is None or (kind, row.id) in hold))
    ]


def _reaches_partner(model, kind: str, couple_id: int):
    """The condition for a record of one partner to reach the other: shared by its writer and,
    while the couple has a safety flag, released by the clinician."""
    shared = model.shared_with_partner.is_(True)
    hold = safety.sharing_hold(couple_id)
    if hold is None:
        return shared
    return sa.and_(shared, model.id.in_([item for k, item in hold if k == kind]))


@dataclass(frozen=True)
class HeldShare:
    """Something one partner shared that a safety flag keeps from the other, for the clinician."""

    kind: str  # exception, scale or submission
    item_id: int
    partner_name: str
    shared_on: date
    exercise_key: str | None = None


def held_shares(couple_id: int) -> list[HeldShare]:
    """What the couple's partners shared that does not reach the other partner now, because the
    couple has a safety flag and the clinician has not released it; newest first. Empty when
    the couple has no flag (for a page that already checked access)."""
    hold = safety.sharing_hold(couple_id)
    if hold is None:
        return []
    held = []
    for kind, model in KINDS.items():
        for row in db.session.scalars(
            sa.select(model).where(model.couple_id == couple_id, model.shared_with_partner.is_(True))
            .options(sa.orm.selectinload(model.partner))
        ):
            if (kind, row.id) not in hold:
                day = row.occurred_on if kind == "exception" else row.placed_on
                held.append(HeldShare(kind, row.id, row.partner.display_name, day))
    for sub in shared_submissions(couple_id):
        if ("submission", sub.id) not in hold:
            held.append(HeldShare("submission", sub.id, sub.partner.display_name,
                                  sub.submitted_at.date(), sub.exercise_key))
    return sorted(held, key=lambda h: (h.shared_on, h.kind, h.item_id), reverse=True)


# --- timeline and tags ----------------------------------------------------------------------

# Offered (in the reader's language) as a partner types a condition; what they keep is their text.
TAG_SUGGESTIONS = {
    "activity": (_l("cooking together"), _l("a walk"), _l("shopping"), _l("a shared meal"),
                 _l("a small kind gesture")),
    "time": (_l("morning"), _l("afternoon"), _l("evening"), _l("night"), _l("weekend")),
    "place": (_l("at home"), _l("in the kitchen"), _l("outdoors"), _l("in the car"),
              _l("apart (messages)")),
    "initiator": (_l("me"), _l("my partner"), _l("both of us")),
}


@dataclass(frozen=True)
class TimelineFilter:
    partner_id: int | None = None
    since: date | None = None
    until: date | None = None


def timeline(user, couple_id: int, filters: TimelineFilter, *, page: int, per_page: int):
    """A couple's exception log, newest first, filtered and paginated; the read is audited.

    A fixed number of queries per page: count, rows, partners and tags (selectin). The read is
    audited in a short transaction of its own, so nothing this session loaded is expired.
    """
    couple = get_couple(user, couple_id)
    record_access(
        "exception.timeline", user=user, object_type="couple", object_id=couple.id,
        couple_id=couple.id, detail={"page": page},
    )
    query = (
        sa.select(ExceptionEntry)
        .where(ExceptionEntry.couple_id == couple.id)
        .options(sa.orm.selectinload(ExceptionEntry.partner), sa.orm.selectinload(ExceptionEntry.tags))
        .order_by(ExceptionEntry.occurred_on.desc(), ExceptionEntry.id.desc())
    )
    if filters.partner_id:
        query = query.where(ExceptionEntry.partner_id == filters.partner_id)
    if filters.since:
        query = query.where(ExceptionEntry.occurred_on >= filters.since)
    if filters.until:
        query = query.where(ExceptionEntry.occurred_on <= filters.until)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return couple, result


def _clean_tag(category: str, value: str) -> str:
    if category not in TAG_CATEGORIES:
        raise DomainError(_("Choose what kind of condition this is."), field="category")
    value = " ".join((value or "").split())
    if not value:
        raise DomainError(_("Write the condition in a few words."), field="value")
    if len(value) > 60:
        raise DomainError(_("Keep it to 60 characters or fewer."), field="value")
    return value


def _add_tag(entry: ExceptionEntry, category: str, value: str, *, user=None, partner=None) -> bool:
    exists = db.session.scalar(
        sa.select(ExceptionTag.id).where(
            ExceptionTag.entry_id == entry.id, ExceptionTag.category == category,
            sa.func.lower(ExceptionTag.value) == value.lower(),
        )
    )
    if exists:
        return False
    db.session.add(
        ExceptionTag(
            entry_id=entry.id, couple_id=entry.couple_id, category=category, value=value,
            added_by_user_id=getattr(user, "id", None), added_by_partner_id=getattr(partner, "id", None),
        )
    )
    return True


def tag_entry(user, couple_id: int, entry_id: int, category: str, value: str) -> ExceptionEntry:
    """The clinician adds a condition tag to an entry. Raises DomainError(field=category|value)."""
    couple = get_couple(user, couple_id)
    entry = db.session.scalar(
        sa.select(ExceptionEntry).where(ExceptionEntry.id == entry_id, ExceptionEntry.couple_id == couple.id)
    )
    if entry is None:
        raise NotFound()
    value = _clean_tag(category, value)
    if _add_tag(entry, category, value, user=user):
        record("exception.tag", user=user, object_type="exception", object_id=entry.id, couple_id=couple.id)
    db.session.commit()
    return entry


def remove_tag(user, couple_id: int, tag_id: int) -> None:
    couple = get_couple(user, couple_id)
    tag = db.session.scalar(
        sa.select(ExceptionTag).where(ExceptionTag.id == tag_id, ExceptionTag.couple_id == couple.id)
    )
    if tag is None:
        raise NotFound()
    db.session.delete(tag)
    record("exception.untag", user=user, object_type="exception", object_id=tag.entry_id, couple_id=couple.id)
    db.session.commit()


def tags_from_form(form) -> list[tuple[str, str]]:
    """(category, value) pairs from the optional `tag-<category>` inputs of the portal form."""
    pairs = []
    for category in TAG_CATEGORIES:
        value = " ".join((form.get(f"tag-{category}") or "").split())[:60]
        if value:
            pairs.append((category, value))
    return pairs
