"""What a signed note shows, frozen when it is signed: who the partners were, the entries it
quotes (in the words they had then, and whether each was private), the scale table and the
chart's data as of the session. Stored with the note and covered by its seal, so the page and
the PDF of a signed note read the same on any later day.

Plain JSON (ISO dates, ints, strings); labels that depend on the reader's language (the chart's
"Stage 2", "S1", titles) are not stored, only the facts they are drawn from.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from ..extensions import db
from ..records.progress import scale_history, stage_history
from .models import SessionNote
from .prefill import ExceptionQuote, partner_names
from .signing import utc_iso

VERSION = 1
QUOTE_FIELDS = ("context", "behaviour", "thoughts", "feelings", "meaning")


def _sessions(note: SessionNote) -> tuple[list[str], list[str]]:
    """The couple's session days up to this note's (the chart's S1, S2 … markers), and those of
    them on which one partner was seen alone (no joint note that day)."""
    rows = db.session.execute(
        sa.select(SessionNote.session_date, SessionNote.attendees).where(
            SessionNote.couple_id == note.couple_id, SessionNote.session_date <= note.session_date,
        )
    ).all()
    days = sorted({day for day, _attendees in rows})
    joint = {day for day, attendees in rows if attendees == "both"}
    return [d.isoformat() for d in days], [d.isoformat() for d in days if d not in joint]


def _entry(row, names: dict[int, tuple[str, str]], paraphrases: dict) -> dict:
    position, name = names[row["partner_id"]]
    out = {
        "id": int(row["id"]), "partner_id": int(row["partner_id"]), "position": position,
        "name": name, "occurred_on": row["occurred_on"].isoformat(), "source": row["source"],
        "shared": bool(row["shared_with_partner"]),
    }
    paraphrase = None if out["shared"] else paraphrases.get(str(out["id"]))
    if paraphrase is not None:
        # Paraphrased: the clinician's words are kept, the partner's own are not part of the note.
        out["paraphrase"] = paraphrase
        out.update(dict.fromkeys(QUOTE_FIELDS))
    else:
        out.update({field: row[field] for field in QUOTE_FIELDS})
    return out


def build(note: SessionNote, entries: list, *, as_of: datetime) -> dict:
    """The snapshot of `note` as a note signed at `as_of` sees the record.

    `entries` are the cited exception-log rows as stored (mappings with their columns).
    Placements count if placed on or before the session day and already recorded at `as_of`;
    stage changes up to the session day.
    """
    couple = note.couple
    names = partner_names(couple)
    rows = sorted(entries, key=lambda e: (e["occurred_on"], e["id"]))
    points: dict[int, list] = {p.id: [] for p in couple.partners}
    for partner_id, day, value, shared, placement_id in scale_history(
        couple.id, until=note.session_date, created_by=as_of,
    ):
        # Whether its writer shared it, and which it is: a joint release draws only the shared
        # placements (and, while a safety flag holds shares back, only those let through).
        points.setdefault(partner_id, []).append(
            [day.isoformat(), int(value), bool(shared), int(placement_id)]
        )
    sessions, alone = _sessions(note)
    return {
        "version": VERSION,
        "as_of": utc_iso(as_of),
        # The header as it stood when signed: a later move or new degree does not rewrite it.
        "practice": {"name": note.clinician.practice.name, "address": note.clinician.practice.address},
        "clinician": {"name": note.clinician.name, "credentials": note.clinician.credentials},
        "partners": [
            {"id": p.id, "position": p.position, "name": p.name, "display_name": p.display_name}
            for p in couple.partners
        ],
        "entries": [_entry(row, names, note.paraphrases or {}) for row in rows],
        "scale": {str(p.id): points.get(p.id, []) for p in couple.partners},
        "stages": [[d.isoformat(), n] for d, n in stage_history(couple.id, until=note.session_date)],
        "sessions": sessions,
        "individual_sessions": alone,
    }


def quotes_of(snapshot: dict) -> list[ExceptionQuote]:
    """The cited entries as they were when the note was signed, quoted or paraphrased."""
    names = {p["id"]: p["display_name"] for p in snapshot.get("partners", [])}
    return [
        ExceptionQuote(
            id=e["id"], partner_id=e["partner_id"], position=e["position"], partner_name=e["name"],
            occurred_on=date.fromisoformat(e["occurred_on"]), source=e.get("source", "portal"),
            shared=bool(e.get("shared")), paraphrase=e.get("paraphrase"),
            other_name=next((n for pid, n in names.items() if pid != e["partner_id"]), ""),
            **{name: e.get(name) for name in QUOTE_FIELDS},
        )
        for e in snapshot.get("entries", [])
    ]


def _shared(point: list) -> bool:
    # A point frozen before the snapshot kept sharing ([day, value]) counts as private.
    return len(point) > 2 and bool(point[2])


def _reaches_both(point: list, hold: set | None) -> bool:
    """Shared by its writer and, while a safety flag holds shares (`hold`: the released
    (kind, id) items), let through; a point frozen without its id is not."""
    if not _shared(point):
        return False
    return hold is None or (len(point) > 3 and ("scale", int(point[3])) in hold)


def series_of(snapshot: dict, *, joint: bool = False,
              hold: set | None = None) -> list[tuple[str, list[tuple[date, int]]]]:
    """(partner label, [(day, value)]) per partner; partners of one name get their letter.
    `joint`: only the placements that reach both partners (the version released to the couple;
    `hold` as safety.services.sharing_hold answers it)."""
    partners = snapshot.get("partners", [])
    shown = [p["display_name"] for p in partners]
    out = []
    for p in partners:
        label = p["display_name"] if shown.count(p["display_name"]) == 1 else (
            f"{p['display_name']} ({p['position']})"
        )
        points = [
            (date.fromisoformat(point[0]), int(point[1]))
            for point in snapshot["scale"].get(str(p["id"]), []) if not joint or _reaches_both(point, hold)
        ]
        out.append((label, points))
    return out


def private_placements(snapshot: dict) -> dict[str, int]:
    """How many placements each partner (by display name) kept private, in the order of the
    partners: what a joint release's chart leaves out."""
    counts = {}
    for p in snapshot.get("partners", []):
        kept = sum(1 for point in snapshot["scale"].get(str(p["id"]), []) if not _shared(point))
        if kept:
            counts[p["display_name"]] = kept
    return counts


def stages_of(snapshot: dict) -> list[tuple[date, int]]:
    return [(date.fromisoformat(d), int(n)) for d, n in snapshot.get("stages", [])]


def sessions_of(snapshot: dict, *, joint: bool = False) -> list[date]:
    """The session days; `joint` (the version released to the couple): without the days one
    partner was seen alone. A snapshot frozen before it named those days gives none then."""
    days = snapshot.get("sessions", [])
    if joint:
        alone = snapshot.get("individual_sessions")
        days = [] if alone is None else [d for d in days if d not in set(alone)]
    return [date.fromisoformat(d) for d in days]
