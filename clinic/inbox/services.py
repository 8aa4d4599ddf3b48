"""The inbox: what came in from the portal across the user's caseload, and who has read what.

An item is a submitted exercise, or an exception-log entry or scale placement a partner sent from
the portal. Record-type exercises (the exception log, the scale) are listed as their entries, not
as the submission that collects them. Read state is per clinician: an item is new for a user
until they mark it read, and new again if it changed after that (a submission sent anew).
"Mark all read" moves the user's cursor to that moment (and drops their single read marks, which
it covers), so the badge on every page only looks at what came in since: its cost follows what is
new, not the caseload's whole history.
"""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from .. import catalogue_texts
from ..audit.services import record, record_access
from ..columns import UTCDateTime
from ..couples.models import Couple, Partner
from ..couples.services import caseload_query
from ..database import remembered
from ..domain import InboxKind, Source, SubmissionState
from ..exercises.models import Assignment, Submission
from ..extensions import db
from ..paging import PageLinks
from ..records.models import ExceptionEntry, ScalePlacement
from ..records.services import EXERCISE_FOR
from ..timeutil import utcnow
from .models import InboxCursor, InboxRead

NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # the cursor of someone who never marked anything read
# The badge counts this far and says "99+" beyond: an owner's badge looks at a whole practice,
# and counting all that is new there would read all of it on every page.
BADGE_CAP = 99

def _kind(kind: InboxKind):
    return sa.literal_column(f"'{kind.value}'", sa.String).label("kind")


def _read_through(user) -> datetime | None:
    cursor = db.session.get(InboxCursor, user.id)
    return cursor.read_through if cursor is not None else None


def _items(user, since: datetime | None = None) -> sa.Subquery:
    """(kind, item_id, couple_id, partner_id, at) of every portal item in the user's caseload
    (only those that came in after `since`, when given)."""
    caseload = caseload_query(user).with_only_columns(Couple.id)
    submissions = sa.select(
        _kind(InboxKind.SUBMISSION), Submission.id.label("item_id"), Submission.couple_id,
        Submission.partner_id, Submission.submitted_at.label("at"),
    ).where(
        Submission.couple_id.in_(caseload),
        Submission.state == SubmissionState.SUBMITTED,
        Submission.exercise_key.not_in(EXERCISE_FOR.values()),
        *([Submission.submitted_at > since] if since is not None else []),
    )
    records = [
        sa.select(
            _kind(kind), model.id, model.couple_id, model.partner_id, model.created_at,
        ).where(
            model.couple_id.in_(caseload), model.source == Source.PORTAL,
            *([model.created_at > since] if since is not None else []),
        )
        for kind, model in ((InboxKind.EXCEPTION, ExceptionEntry), (InboxKind.SCALE, ScalePlacement))
    ]
    return sa.union_all(submissions, *records).subquery("items")


def _with_read_state(user, items: sa.Subquery, read_through: datetime | None = None
                     ) -> tuple[sa.Select, sa.ColumnElement]:
    read = sa.orm.aliased(InboxRead)
    unread = sa.or_(read.read_at.is_(None), read.read_at < items.c.at)
    if read_through is not None:
        unread = sa.and_(items.c.at > read_through, unread)
    query = sa.select(items, unread.label("unread")).outerjoin(
        read,
        sa.and_(
            read.user_id == user.id, read.kind == items.c.kind, read.item_id == items.c.item_id
        ),
    )
    return query, unread


@dataclass(frozen=True)
class Item:
    """One inbox row, as plain data for the page (`title`: a submission's exercise title)."""

    kind: str
    id: int
    couple_id: int
    case_label: str
    partner_name: str
    title: str
    joint: bool
    at: datetime
    unread: bool


@dataclass(frozen=True)
class Page(PageLinks):
    items: list[Item]
    page: int
    per_page: int
    total: int
    unread: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def unread_count(user) -> int:
    """The number on the inbox badge: only what came in after the user's cursor is looked at.

    One query on every clinician page (once per transaction: the inbox page shows it too): the
    cursor is a subquery (the beginning of time without one), so each part of the union still
    seeks its (couple, time) index from the cursor on. It stops at BADGE_CAP + 1 (shown as
    "99+", templating's `badge` filter).
    """
    return remembered(db.session, ("inbox_unread", user.id), lambda: _unread_count(user, BADGE_CAP))


def badge(count: int) -> str:
    """The badge's text: the count, or "99+" past the cap (unread_count stops there)."""
    return f"{BADGE_CAP}+" if count > BADGE_CAP else str(count)


def _unread_count(user, cap: int | None) -> int:
    cursor = sa.select(InboxCursor.read_through).where(InboxCursor.user_id == user.id)
    read_through = sa.func.coalesce(cursor.scalar_subquery(), sa.literal(NEVER, UTCDateTime()))
    items = _items(user, since=read_through)
    query, unread = _with_read_state(user, items, read_through)
    query = query.where(unread)
    return _count(query if cap is None else query.limit(cap + 1))


def _title(key: str, version: int, as_sent: str) -> str:
    """The exercise's title in the reader's language (as sent, for a version unknown here)."""
    try:
        return catalogue_texts.exercise(key, version).title
    except KeyError:
        return as_sent


def _submission_titles(rows) -> dict[int, tuple[str, bool]]:
    ids = [r.item_id for r in rows if r.kind == InboxKind.SUBMISSION]
    if not ids:
        return {}
    found = db.session.execute(
        sa.select(
            Submission.id, Submission.exercise_key, Submission.exercise_version,
            Submission.prompts["title"].as_string(), Assignment.joint,
        )
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Submission.id.in_(ids))
    )
    return {sid: (_title(key, version, sent), joint) for sid, key, version, sent, joint in found}


def _people(rows) -> dict[int, tuple[str, str]]:
    ids = {r.partner_id for r in rows}
    if not ids:
        return {}
    found = db.session.execute(
        sa.select(Partner.id, Partner.name, Partner.preferred_name, Couple.case_label)
        .join(Couple, Couple.id == Partner.couple_id)
        .where(Partner.id.in_(ids))
    )
    return {pid: (preferred or name, label) for pid, name, preferred, label in found}


def inbox(user, *, page: int, per_page: int) -> Page:
    """A page of the user's inbox: new items first, then newest first; the read is audited.

    A fixed number of queries per page: cursor, counts, rows, submission titles, people.
    """
    record_access("inbox.view", user=user, detail={"page": page})
    read_through = _read_through(user)
    items = _items(user)
    query, unread = _with_read_state(user, items, read_through)
    total, new = _count(query), unread_count(user)
    rows = db.session.execute(
        query.order_by(
            sa.case((unread, 0), else_=1), items.c.at.desc(), items.c.kind, items.c.item_id.desc()
        ).limit(per_page).offset((page - 1) * per_page)
    ).all()
    titles, people = _submission_titles(rows), _people(rows)
    return Page(
        items=[
            Item(
                kind=row.kind, id=row.item_id, couple_id=row.couple_id,
                case_label=people[row.partner_id][1], partner_name=people[row.partner_id][0],
                title=titles.get(row.item_id, ("", False))[0] if row.kind == InboxKind.SUBMISSION else "",
                joint=row.kind == InboxKind.SUBMISSION and titles.get(row.item_id, ("", False))[1],
                at=row.at, unread=bool(row.unread),
            )
            for row in rows
        ],
        page=page, per_page=per_page, total=total, unread=new,
    )


def _in_inbox(user, kind: str, item_id: int) -> bool:
    if kind not in InboxKind._value2member_map_:
        return False
    items = _items(user)
    found = db.session.scalar(
        sa.select(sa.func.count()).select_from(items)
        .where(items.c.kind == kind, items.c.item_id == item_id)
    )
    return found > 0


def _mark(user, keys: list[tuple[str, int]], now: datetime) -> None:
    stored = {
        (row.kind, row.item_id): row
        for row in db.session.scalars(
            sa.select(InboxRead).where(
                InboxRead.user_id == user.id,
                InboxRead.item_id.in_({item_id for _kind, item_id in keys}),
            )
        )
    }
    for kind, item_id in keys:
        row = stored.get((kind, item_id))
        if row is None:
            db.session.add(InboxRead(user_id=user.id, kind=kind, item_id=item_id, read_at=now))
        else:
            row.read_at = now


def _save(user, change, action: str, detail: dict) -> None:
    """Apply `change` (which adds read marks), audit and commit; once more if a concurrent
    request inserted the same mark first (its row is there now, and `change` updates it)."""
    for attempt in (1, 2):
        change()
        record(action, user=user, detail=detail)
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise


def mark_read(user, kind: str, item_id: int, *, now: datetime | None = None) -> None:
    """Mark one item read for this user. Raises NotFound for anything outside their inbox."""
    if not _in_inbox(user, kind, item_id):
        raise NotFound()
    now = now or utcnow()
    _save(user, lambda: _mark(user, [(kind, item_id)], now), "inbox.read",
          {"kind": kind, "item": item_id})


def mark_all_read(user, *, now: datetime | None = None) -> int:
    """Mark everything in the user's inbox read (moves their cursor); returns how many were new."""
    now = now or utcnow()
    count = _unread_count(user, None)

    def move_cursor():
        cursor = db.session.get(InboxCursor, user.id)
        if cursor is None:
            db.session.add(InboxCursor(user_id=user.id, read_through=now))
        else:
            cursor.read_through = max(cursor.read_through, now)
        # The cursor covers every single mark made up to now.
        db.session.execute(
            sa.delete(InboxRead).where(InboxRead.user_id == user.id, InboxRead.read_at <= now)
        )

    _save(user, move_cursor, "inbox.read_all", {"count": count})
    return count


def new_counts_by_couple(user) -> list[tuple[str, Counter]]:
    """For the digest: per case label, how many new items of each kind (no client text)."""
    read_through = _read_through(user)
    items = _items(user, since=read_through)
    query, unread = _with_read_state(user, items, read_through)
    rows = db.session.execute(
        query.where(unread)
        .with_only_columns(Couple.id, Couple.case_label, items.c.kind, sa.func.count())
        .join(Couple, Couple.id == items.c.couple_id)
        .group_by(Couple.id, Couple.case_label, items.c.kind)
    )
    per_couple: dict[int, tuple[str, Counter]] = {}
    for couple_id, label, kind, count in rows:
        per_couple.setdefault(couple_id, (label, Counter()))[1][InboxKind(kind)] += count
    return sorted(per_couple.values(), key=lambda pair: pair[0].casefold())
