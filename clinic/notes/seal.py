"""A signed note's seal: the rows it covers as they are stored now, the check that they still
match, and the guard that keeps an ORM flush from rewriting a signed note. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event

from ..domain import NoteStatus
from ..errors import DomainError
from ..extensions import db
from ..records.models import ExceptionEntry
from . import keys, signing
from .models import Addendum, SessionNote

# Columns a signed note must never change (the signature columns are written once, by sign_note).
CONTENT = ("couple_id", "clinician_id", "session_date", "duration_minutes", "attendees", "sections",
           "cited_exception_ids", "scale_today", "paraphrases", "snapshot", "signed_by_id", "signed_at",
           "content_hash")


def entry_rows(couple_id: int, ids) -> list:
    """Cited entries as stored now (column rows, never stale objects from the session)."""
    if not ids:
        return []
    columns = [
        ExceptionEntry.id, ExceptionEntry.partner_id, ExceptionEntry.occurred_on,
        ExceptionEntry.source, ExceptionEntry.shared_with_partner,
        *(getattr(ExceptionEntry, name) for name in signing.ENTRY_FIELDS),
    ]
    return list(
        db.session.execute(
            sa.select(*columns).where(
                ExceptionEntry.couple_id == couple_id, ExceptionEntry.id.in_([int(i) for i in ids])
            )
        ).mappings()
    )


def as_mapping(note: SessionNote) -> dict:
    return {name: getattr(note, name) for name in ("id", *CONTENT)}


@dataclass(frozen=True)
class Verification:
    signed: bool
    note_ok: bool  # the stored content still gives the SHA-256 stored at signing
    addenda_ok: dict[int, bool]  # each addendum's hash, chained to the one before
    sealed: bool = False  # the note carries a keyed seal (notes signed before it may not)
    seal_ok: bool = False  # the seal matches the content as stored now, under its key
    addenda_sealed_ok: bool = False  # the number of addenda and the newest one are as sealed
    key_id: str | None = None
    required: bool = True  # NOTE_SEALS_REQUIRED: a note without a seal fails

    @property
    def ok(self) -> bool:
        hashes = self.signed and self.note_ok and all(self.addenda_ok.values())
        if not self.sealed and not self.required:
            return hashes  # signed before keyed seals, while upgrading (seal-notes not yet run)
        return hashes and self.sealed and self.seal_ok and self.addenda_sealed_ok


def verification(note: SessionNote) -> Verification:
    """Recompute the hashes and the keyed seal from what is stored now (not from objects held in
    memory). The seal is checked against the hash recomputed from the content, so an edit whose
    SHA-256 was recomputed as well still fails; the addenda seal against the addenda found, so a
    removed one fails."""
    table = SessionNote.__table__
    row = db.session.execute(sa.select(table).where(table.c.id == note.id)).mappings().one()
    if row["status"] != NoteStatus.SIGNED:
        return Verification(signed=False, note_ok=False, addenda_ok={})
    expected = signing.note_hash(
        row, entry_rows(row["couple_id"], row["cited_exception_ids"]),
        signed_by_id=row["signed_by_id"], signed_at=row["signed_at"],
    )
    addenda, previous = {}, None
    table = Addendum.__table__
    rows = db.session.execute(
        sa.select(table).where(table.c.note_id == note.id).order_by(table.c.signed_at, table.c.id)
    ).mappings()
    for a in rows:
        addenda[a["id"]] = a["content_hash"] == signing.addendum_hash(
            note_id=note.id, note_hash=row["content_hash"], previous_hash=previous,
            author_id=a["author_id"], text=a["text"], signed_at=a["signed_at"],
        )
        previous = a["content_hash"]
    key_id = row["seal_key_id"]
    return Verification(
        signed=True, note_ok=expected == row["content_hash"], addenda_ok=addenda,
        sealed=row["seal"] is not None, key_id=key_id,
        required=bool(current_app.config.get("NOTE_SEALS_REQUIRED", True)),
        seal_ok=keys.matches(row["seal"], key_id, lambda k: keys.note_seal(k, expected)),
        addenda_sealed_ok=keys.matches(
            row["addenda_seal"], key_id,
            lambda k: keys.addenda_seal(k, row["content_hash"], len(addenda), previous),
        ),
    )


def seal_values(key_id: str, content_hash: str, count: int, last_hash: str | None) -> dict:
    """The seal columns for a note with this hash and these addenda."""
    return {
        "seal_key_id": key_id, "seal": keys.note_seal(key_id, content_hash),
        "addenda_seal": keys.addenda_seal(key_id, content_hash, count, last_hash),
    }


@event.listens_for(SessionNote, "before_update")
def _refuse_signed_change(_mapper, _connection, target: SessionNote) -> None:
    """Defence in depth: an ORM flush can never rewrite a signed note, whatever code path tries."""
    state = sa.inspect(target)
    status = state.attrs.status.history
    was = (status.deleted or status.unchanged or (None,))[0]
    changed = any(state.attrs[name].history.has_changes() for name in ("status", *CONTENT))
    if was == NoteStatus.SIGNED and changed:
        raise DomainError(_("This note is signed and can no longer change. Add an addendum instead."))
