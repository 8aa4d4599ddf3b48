"""What the record already holds since the last note, gathered as plain data for a new draft.

Nothing here writes: the editor shows the result and only the clinician's save stores a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import catalogue_texts
from ..domain import DONE_ASSIGNMENT, OPEN_ASSIGNMENT, Source
from ..exercises.services import couple_assignments
from ..extensions import db
from ..i18n import current_language, pattern
from ..practice.hours import zone
from ..practice.services import timezone_name
from ..records import rules
from ..records.services import couple_records
from .models import SessionNote

# A partner's scale now against the last note or their first placement: (since, -1/0/1).
_MOVED = {
    ("note", 0): _l("%(name)s: %(value)d/10 (no change since the last note)."),
    ("note", 1): _l("%(name)s: %(value)d/10 (up %(by)d since the last note)."),
    ("note", -1): _l("%(name)s: %(value)d/10 (down %(by)d since the last note)."),
    ("first", 0): _l("%(name)s: %(value)d/10 (no change since the first placement)."),
    ("first", 1): _l("%(name)s: %(value)d/10 (up %(by)d since the first placement)."),
    ("first", -1): _l("%(name)s: %(value)d/10 (down %(by)d since the first placement)."),
}


@dataclass(frozen=True)
class ExceptionQuote:
    """An exception-log entry in the partner's own words, credited to them."""

    id: int
    partner_id: int
    position: str
    partner_name: str
    occurred_on: date
    context: str
    behaviour: str | None = None
    thoughts: str | None = None
    feelings: str | None = None
    meaning: str | None = None
    source: str = Source.PORTAL
    # Shared with the other partner by its writer; otherwise private to the writer.
    shared: bool = False
    other_name: str = ""  # the partner it is private from, named on the mark
    # The clinician's own words for a private entry they chose not to quote; the partner's words
    # are then left out of the note (still marked as from that partner's private log).
    paraphrase: str | None = None

    @property
    def private(self) -> bool:
        return not self.shared

    @property
    def paraphrased(self) -> bool:
        return self.paraphrase is not None


@dataclass(frozen=True)
class ScaleNow:
    """A partner's latest scale position and how far it moved since the reference point."""

    position: str
    partner_id: int
    partner_name: str
    value: int | None
    placed_on: date | None
    previous: int | None
    since: str | None  # "note" (the last note) or "first" (the first placement)
    # The partner's own answers with that placement, in their words.
    movement: str | None = None
    keeps_from_lower: str | None = None
    one_higher: str | None = None
    # Whether the partner shared that placement with the other (its words go into the draft
    # only then: a joint release prints the draft's text as written), and whom it is kept from.
    shared: bool = False
    other_name: str = ""

    @property
    def private(self) -> bool:
        return not self.shared

    @property
    def own_words(self) -> list[str]:
        """Their answers to "what moved it" and the scale's other questions, credited to them."""
        asked = ((_("what moved it"), self.movement),
                 (_("what keeps it from being lower"), self.keeps_from_lower),
                 (_("what one point higher would look like"), self.one_higher))
        return [_("%(name)s on %(question)s: “%(answer)s”", name=self.partner_name, question=q, answer=a)
                for q, a in asked if a]

    @property
    def change(self) -> int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def summary(self) -> str:
        # Written into the draft, so in the language of the clinician writing it.
        name, value = self.partner_name, self.value
        if value is None:
            return _("%(name)s: no placement yet.", name=name)
        if self.change is None:
            return _("%(name)s: %(value)d/10 (first placement).", name=name, value=value)
        way = (self.change > 0) - (self.change < 0)
        return str(_MOVED[self.since, way]) % {"name": name, "value": value, "by": abs(self.change)}


@dataclass(frozen=True)
class AssignmentLine:
    id: int
    title: str
    who: str | None  # a partner's name, or None for both together
    status: str
    due_on: date | None

    @property
    def label(self) -> str:
        who = _("both, together") if self.who is None else self.who
        if self.due_on and self.status in OPEN_ASSIGNMENT:
            due = format_date(self.due_on, pattern("day_month", current_language()))
            return _("%(title)s (%(who)s, due %(date)s)", title=self.title, who=who, date=due)
        return _("%(title)s (%(who)s)", title=self.title, who=who)


@dataclass(frozen=True)
class Prefill:
    couple_id: int
    case_label: str
    partners: list[tuple[str, str]]  # (position, display name)
    last_note_id: int | None
    last_note_date: date | None
    exceptions: list[ExceptionQuote]
    scale: list[ScaleNow]
    open_assignments: list[AssignmentLine]
    completed_assignments: list[AssignmentLine]
    last_next_steps: str
    sections: dict[str, str] = field(default_factory=dict)
    scale_today: dict[str, int] = field(default_factory=dict)
    cited_exception_ids: list[int] = field(default_factory=list)


def previous_note(couple_id: int, *, before: SessionNote | None = None) -> SessionNote | None:
    """The couple's latest note (or the latest one before `before`), by session date then id."""
    query = sa.select(SessionNote).where(SessionNote.couple_id == couple_id)
    if before is not None:
        query = query.where(
            SessionNote.id != before.id,
            sa.or_(
                SessionNote.session_date < before.session_date,
                sa.and_(SessionNote.session_date == before.session_date, SessionNote.id < before.id),
            ),
        )
    return db.session.scalar(
        query.order_by(SessionNote.session_date.desc(), SessionNote.id.desc()).limit(1)
    )


def quote(entry, names: dict[int, tuple[str, str]]) -> ExceptionQuote:
    position, name = names[entry.partner_id]
    other = next((n for pid, (_pos, n) in names.items() if pid != entry.partner_id), "")
    return ExceptionQuote(
        id=entry.id, partner_id=entry.partner_id, position=position, partner_name=name,
        occurred_on=entry.occurred_on, context=entry.context, behaviour=entry.behaviour,
        thoughts=entry.thoughts, feelings=entry.feelings, meaning=entry.meaning,
        source=entry.source, shared=bool(entry.shared_with_partner), other_name=other,
    )


def partner_names(couple) -> dict[int, tuple[str, str]]:
    return {p.id: (p.position, p.display_name) for p in couple.partners}


def cutoff(note: SessionNote) -> datetime:
    """The moment `note` closed its record (see records.rules.note_cutoff): what was created
    after it, even later on the same day, is news for the next note."""
    tz = zone(timezone_name(couple_id=note.couple_id))
    return rules.note_cutoff(note.session_date, note.signed_at or note.updated_at, tz)


def _new_exceptions(couple, last: SessionNote | None, names) -> list[ExceptionQuote]:
    entries = couple_records(couple, "exception")
    if last is not None:
        moment = cutoff(last)
        already = {int(i) for i in last.cited_exception_ids or []}
        entries = [
            e for e in entries
            if e.id not in already
            and (e.occurred_on > last.session_date or e.created_at > moment)
        ]
    # Oldest first: the story of the weeks between sessions, in order.
    return [quote(e, names) for e in sorted(entries, key=lambda e: (e.occurred_on, e.id))]


def _scale(couple, last: SessionNote | None) -> list[ScaleNow]:
    placements = couple_records(couple, "scale")  # newest first
    before = (last.scale_today or {}) if last is not None else {}
    out = []
    for partner in couple.partners:
        own = [p for p in placements if p.partner_id == partner.id]
        latest = own[0] if own else None
        previous, since = None, None
        if partner.position in before:
            previous, since = int(before[partner.position]), "note"
        elif len(own) > 1:
            previous, since = own[-1].value, "first"
        out.append(
            ScaleNow(
                position=partner.position, partner_id=partner.id, partner_name=partner.display_name,
                value=latest.value if latest else None, placed_on=latest.placed_on if latest else None,
                previous=previous, since=since,
                movement=latest.movement if latest else None,
                keeps_from_lower=latest.keeps_from_lower if latest else None,
                one_higher=latest.one_higher if latest else None,
                shared=bool(latest.shared_with_partner) if latest else False,
                other_name=next((p.display_name for p in couple.partners if p.id != partner.id), ""),
            )
        )
    return out


def _assignment_lines(couple, last: SessionNote | None):
    moment = cutoff(last) if last is not None else None
    open_, done = [], []
    for a in couple_assignments(couple):
        who = None if a.joint else a.partner.display_name  # None: both, together
        line = AssignmentLine(
            id=a.id, title=catalogue_texts.exercise(a.exercise_key, a.exercise_version).title, who=who,
            status=a.status, due_on=a.due_on,
        )
        if a.status in OPEN_ASSIGNMENT:
            open_.append(line)
        elif a.status in DONE_ASSIGNMENT:
            finished = a.submission.submitted_at if a.submission and a.submission.submitted_at else None
            if moment is None or (finished or a.updated_at) > moment:
                done.append(line)
    return open_, done


# The lines the editor writes into "Since last time" (and, before that section existed, into
# "Next small steps"): quoting a later note's steps leaves them out, so nothing snowballs.
AGREED, COMPLETED, STILL_OPEN = "Agreed last time:", "Exercises completed:", "Exercises still open:"


def _review_labels() -> tuple[str, ...]:
    labels = (AGREED, COMPLETED, STILL_OPEN)
    return labels + tuple(_(label) for label in labels)


def own_steps(text: str | None) -> str:
    """What the clinician wrote as next steps, without any line the editor wrote for them."""
    labels = _review_labels()
    kept = [line for line in (text or "").splitlines() if not line.strip().startswith(labels)]
    return "\n".join(kept).strip()


def _review(last, open_, done) -> str:
    lines = []
    agreed = own_steps((last.sections or {}).get("next_steps")) if last is not None else ""
    if agreed:
        lines.append(_("Agreed last time: %(steps)s", steps=agreed))
    # Whole sentences, so each language punctuates its own; each still starts with its label
    # (own_steps recognises the editor's lines by it).
    if done:
        lines.append(_("Exercises completed: %(list)s.", list=_("; ").join(a.label for a in done)))
    if open_:
        lines.append(_("Exercises still open: %(list)s.", list=_("; ").join(a.label for a in open_)))
    return "\n".join(lines)


def _suggested_sections(last, scale, open_, done) -> dict[str, str]:
    sections: dict[str, str] = {}
    if last is not None and (last.sections or {}).get("problem_name"):
        sections["problem_name"] = last.sections["problem_name"]
    # A placement its partner kept private stays out of the text, its value as well as their
    # answers: the editor shows them beside it, marked, for the clinician to use as they judge.
    moved = [line for s in scale if s.value is not None and s.shared for line in (s.summary, *s.own_words)]
    if moved:
        sections["scale_notes"] = "\n".join(moved)
    review = _review(last, open_, done)
    if review:
        sections["review"] = review
    return sections


def gather(couple, *, before: SessionNote | None = None) -> Prefill:
    """Everything new since the last note (or since the start), as plain data."""
    last = previous_note(couple.id, before=before)
    names = partner_names(couple)
    exceptions = _new_exceptions(couple, last, names)
    scale = _scale(couple, last)
    open_, done = _assignment_lines(couple, last)
    return Prefill(
        couple_id=couple.id,
        case_label=couple.case_label,
        partners=[(p.position, p.display_name) for p in couple.partners],
        last_note_id=last.id if last else None,
        last_note_date=last.session_date if last else None,
        exceptions=exceptions,
        scale=scale,
        open_assignments=open_,
        completed_assignments=done,
        last_next_steps=own_steps((last.sections or {}).get("next_steps")) if last else "",
        sections=_suggested_sections(last, scale, open_, done),
        scale_today={s.position: s.value for s in scale if s.value is not None},
        cited_exception_ids=[e.id for e in exceptions],
    )
