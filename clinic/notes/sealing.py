"""Sealing the notes signed before keyed seals existed, and checking every signed note: the use
cases behind `flask seal-notes` and `flask verify-notes` (an operator's, not a request's)."""

from __future__ import annotations

import sqlalchemy as sa

from ..audit.services import record
from ..couples.models import Couple
from ..domain import NoteStatus
from ..extensions import db
from . import keys, seal
from .models import Addendum, SessionNote
from .seal import Verification, verification


def seal_existing_notes() -> tuple[list[int], list[int]]:
    """Seal (keyed) every signed note that has no seal yet and still matches its SHA-256 and its
    addenda chain; a note that does not is left unsealed and reported. For `flask seal-notes`
    after upgrading: the migration cannot, as the keys are not in the database.

    Returns (sealed note ids, refused note ids). Each sealing is audited.
    """
    sealed, refused = [], []
    key_id = keys.current_id()
    practices = dict(db.session.execute(sa.select(Couple.id, Couple.practice_id)).all())
    for note in db.session.scalars(
        sa.select(SessionNote).where(SessionNote.status == NoteStatus.SIGNED, SessionNote.seal.is_(None))
        .order_by(SessionNote.id)
    ).all():
        check = verification(note)
        if not check.ok:
            refused.append(note.id)
            continue
        last = db.session.scalar(
            sa.select(Addendum.content_hash).where(Addendum.note_id == note.id)
            .order_by(Addendum.signed_at.desc(), Addendum.id.desc()).limit(1)
        )
        db.session.execute(
            sa.update(SessionNote).where(SessionNote.id == note.id, SessionNote.seal.is_(None))
            .values(**seal.seal_values(key_id, note.content_hash, len(check.addenda_ok), last))
            .execution_options(synchronize_session=False)
        )
        record("note.seal", practice_id=practices[note.couple_id], object_type="note",
               object_id=note.id, couple_id=note.couple_id, detail={"key_id": key_id})
        sealed.append(note.id)
    db.session.commit()
    return sealed, refused


def verify_notes(practice_id: int | None = None) -> list[tuple[int, Verification]]:
    """Every signed note (of one practice, or all) with what its check found, by note id."""
    query = sa.select(SessionNote).where(SessionNote.status == NoteStatus.SIGNED).order_by(SessionNote.id)
    if practice_id is not None:
        query = query.join(Couple, Couple.id == SessionNote.couple_id).where(
            Couple.practice_id == practice_id
        )
    return [(note.id, verification(note)) for note in db.session.scalars(query).all()]
