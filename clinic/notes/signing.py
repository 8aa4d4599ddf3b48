"""The canonical serialization of a signed note and of an addendum, and their SHA-256.

Pure functions over plain values (no database): the services hand in what they read, so the same
bytes come out at signing time and whenever the note is verified later. The serialization is
JSON with sorted keys and no insignificant whitespace, strings in Unicode NFC, dates as ISO
dates and timestamps as UTC ISO 8601 with microseconds and a `Z`. A `scheme` field names the
rules, so they can change later without making old hashes unverifiable.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

NOTE_SCHEME = "clinic-note-v1"
# v2: the note's snapshot (what its page and PDF show, frozen at signing) is signed with it.
SNAPSHOT_SCHEME = "clinic-note-v2"
ADDENDUM_SCHEME = "clinic-addendum-v1"
# The exception-entry fields a note quotes; their words are part of what was signed.
ENTRY_FIELDS = ("context", "behaviour", "thoughts", "feelings", "meaning")


def nfc(text: str | None) -> str | None:
    return None if text is None else unicodedata.normalize("NFC", text)


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _day(value: date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def canonical(payload: Mapping) -> bytes:
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def digest(payload: Mapping) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


def entry_payload(entry: Mapping) -> dict:
    """One cited exception-log entry as it is signed (ids, day and the partner's own words)."""
    out = {
        "id": int(entry["id"]),
        "partner_id": int(entry["partner_id"]),
        "occurred_on": _day(entry["occurred_on"]),
    }
    out.update({name: nfc(entry.get(name)) for name in ENTRY_FIELDS})
    return out


def content_payload(note: Mapping, entries: Iterable[Mapping]) -> dict:
    """What a clinician signs: everything written in the note, and the words it cites.

    `note` holds the session_note columns (a row mapping or a dict); `entries` the cited
    exception-log entries. Used as it is for the draft fingerprint (what the clinician read).
    A note signed with a snapshot (scheme v2) has the snapshot in what is signed.
    """
    payload = {
        "scheme": NOTE_SCHEME,
        "note_id": int(note["id"]),
        "couple_id": int(note["couple_id"]),
        "clinician_id": int(note["clinician_id"]),
        "session_date": _day(note["session_date"]),
        "duration_minutes": int(note["duration_minutes"]),
        "attendees": nfc(note["attendees"]),
        "sections": {nfc(k): nfc(v or "") for k, v in (note["sections"] or {}).items()},
        "cited_exception_ids": sorted(int(i) for i in note["cited_exception_ids"] or []),
        "cited_entries": sorted((entry_payload(e) for e in entries), key=lambda e: e["id"]),
        "scale_today": {nfc(k): int(v) for k, v in (note["scale_today"] or {}).items()},
    }
    if note.get("paraphrases"):
        # Only when there are any: a note signed before paraphrases existed keeps its hash.
        payload["paraphrases"] = {nfc(str(k)): nfc(v) for k, v in note["paraphrases"].items()}
    if note.get("snapshot") is not None:
        # The quoted words are the snapshot's: what the note shows is what was signed, and a
        # later change to the entry itself neither alters the note nor unseals it.
        payload["scheme"] = SNAPSHOT_SCHEME
        payload["snapshot"] = note["snapshot"]
        payload["cited_entries"] = sorted(
            (entry_payload(e) for e in note["snapshot"].get("entries", [])), key=lambda e: e["id"]
        )
    return payload


def note_hash(note: Mapping, entries: Iterable[Mapping], *, signed_by_id: int, signed_at: datetime) -> str:
    """The content hash stored at signing: the content plus who signed and when."""
    payload = content_payload(note, entries)
    payload["signed_by_id"] = int(signed_by_id)
    payload["signed_at"] = utc_iso(signed_at)
    return digest(payload)


def draft_fingerprint(note: Mapping, entries: Iterable[Mapping]) -> str:
    """Identifies the draft content a clinician read, so signing can refuse a changed draft."""
    return digest(content_payload(note, entries))


def addendum_hash(
    *, note_id: int, note_hash: str, previous_hash: str | None, author_id: int, text: str,
    signed_at: datetime,
) -> str:
    """Each addendum hashes the note's hash and the previous addendum's: a chain, so removing,
    reordering or editing one breaks verification of the ones after it."""
    return digest({
        "scheme": ADDENDUM_SCHEME,
        "note_id": int(note_id),
        "note_hash": note_hash,
        "previous_hash": previous_hash,
        "author_id": int(author_id),
        "text": nfc(text),
        "signed_at": utc_iso(signed_at),
    })
