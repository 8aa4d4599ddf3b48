"""What a clinician writes in a note, and the checks that turn it into column values."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import format_number
from flask_babel import gettext as _

from ..errors import DomainError
from ..records.services import records_by_ids
from ..timeutil import utcnow
from .sections import BY_KEY, KEYS

ATTENDEES = ("both", "A", "B")
MAX_DURATION = 600
PARAPHRASE_MAX = 2_000


def paraphrase_field(entry_id: int) -> str:
    """The editor's name for the paraphrase of one cited entry (and the field its errors go to)."""
    return f"paraphrase-{int(entry_id)}"


@dataclass
class NoteInput:
    """What a clinician writes. `sections` maps section keys (clinic.notes.sections) to text;
    `scale_today` maps a partner's position ("A" or "B") to a value from 1 to 10."""

    session_date: date
    duration_minutes: int = 50
    attendees: str = "both"
    sections: dict[str, str] = field(default_factory=dict)
    cited_exception_ids: list[int] = field(default_factory=list)
    scale_today: dict[str, int] = field(default_factory=dict)
    # Cited private entries to paraphrase rather than quote: entry id -> the clinician's words
    # (an empty text is refused: choosing to paraphrase means writing the paraphrase).
    paraphrases: dict[int, str] = field(default_factory=dict)


def _text(key: str, value) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    section = BY_KEY[key]
    text = " ".join(text.split()) if section.short else text.strip()
    if len(text) > section.max_length:
        raise DomainError(
            _("Keep this to %(most)s characters or fewer (it has %(has)s).",
              most=format_number(section.max_length), has=format_number(len(text))),
            field=key,
        )
    return text


def clean(couple, data: NoteInput) -> dict:
    """Column values from the input. Raises DomainError(field=...) on anything out of shape."""
    if not isinstance(data.session_date, date):
        raise DomainError(_("Give the day of the session."), field="session_date")
    if data.session_date > utcnow().date() + timedelta(days=1):
        raise DomainError(
            _("A note records a session that has happened: choose today or an earlier day."),
            field="session_date",
        )
    try:
        duration = int(data.duration_minutes)
    except (TypeError, ValueError):
        duration = 0
    if not 1 <= duration <= MAX_DURATION:
        raise DomainError(
            _("Give the length in minutes, from 1 to %(most)d.", most=MAX_DURATION),
            field="duration_minutes",
        )
    if data.attendees not in ATTENDEES:
        raise DomainError(_("Choose who came to the session."), field="attendees")
    unknown = set(data.sections or {}) - set(KEYS)
    if unknown:
        raise DomainError(_("Unknown note section: %(key)s.", key=sorted(unknown)[0]))
    sections = {key: _text(key, (data.sections or {}).get(key)) for key in KEYS}

    positions = {p.position for p in couple.partners}
    scale = {}
    for position, value in (data.scale_today or {}).items():
        if value is None or value == "":
            continue
        if position not in positions:
            raise DomainError(_("Scale positions are given for partner A or B."), field="scale_today")
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 10:
            raise DomainError(_("Choose a number from 1 to 10."), field=f"scale_{position}")
        scale[position] = number

    try:
        ids = sorted({int(i) for i in data.cited_exception_ids or []})
    except (TypeError, ValueError):
        raise DomainError(_("Choose entries from this couple's exception log."), field="keep") from None
    entries = records_by_ids(couple.id, "exception", ids)
    if ids and len(entries) != len(ids):
        raise DomainError(_("Choose entries from this couple's exception log."), field="keep")
    return {
        "session_date": data.session_date, "duration_minutes": duration,
        "attendees": data.attendees, "sections": sections, "cited_exception_ids": ids,
        "scale_today": scale, "paraphrases": _paraphrases(entries, data.paraphrases or {}),
    }


def _paraphrases(cited: list, chosen: dict) -> dict[str, str] | None:
    """The paraphrases of cited entries their writer kept private; a shared entry is the couple's
    and is quoted, and an entry no longer cited keeps no paraphrase. None when there are none."""
    out = {}
    for entry in cited:
        if entry.shared_with_partner or entry.id not in chosen:
            continue
        text = unicodedata.normalize("NFC", str(chosen[entry.id] or "")).replace("\r\n", "\n").strip()
        if not text:
            raise DomainError(_("Write the paraphrase in your own words, or choose to quote the entry."),
                              field=paraphrase_field(entry.id))
        if len(text) > PARAPHRASE_MAX:
            raise DomainError(
                _("Keep this to %(most)s characters or fewer (it has %(has)s).",
                  most=format_number(PARAPHRASE_MAX), has=format_number(len(text))),
                field=paraphrase_field(entry.id),
            )
        out[str(entry.id)] = text
    return out or None
