"""SessionNote (a draft until signed; then locked) and Addendum (signed corrections)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, enum_text
from ..domain import Attendees, NoteStatus
from ..extensions import db
from ..timeutil import utcnow


class SessionNote(db.Model):
    __tablename__ = "session_note"
    __table_args__ = (
        # A signed note carries its signer, time and hash; a draft carries none of them.
        sa.CheckConstraint(
            f"(status = '{NoteStatus.DRAFT}' AND signed_at IS NULL AND signed_by_id IS NULL"
            " AND content_hash IS NULL)"
            f" OR (status = '{NoteStatus.SIGNED}' AND signed_at IS NOT NULL AND signed_by_id IS NOT NULL"
            " AND content_hash IS NOT NULL)",
            name="signature",
        ),
        sa.Index("ix_session_note_couple_date", "couple_id", "session_date"),
        sa.Index("ix_session_note_clinician_status", "clinician_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    session_date: Mapped[date]
    duration_minutes: Mapped[int] = mapped_column(default=50)
    attendees: Mapped[Attendees] = mapped_column(
        enum_text(Attendees, name="attendees", length=4), default=Attendees.BOTH
    )
    # Section key -> text, in the collaborative structure (see clinic/notes/sections.py).
    sections: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Exception-log entries cited as unique outcomes, and scale positions noted today.
    cited_exception_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    scale_today: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Cited private entries the clinician paraphrased rather than quoted: entry id (a string) ->
    # the clinician's own words. None or absent: quoted in the partner's words.
    paraphrases: Mapped[dict | None] = mapped_column(sa.JSON)
    # What the signed note's page and PDF show (clinic/notes/snapshot.py), frozen when signed and
    # covered by its hash; None for drafts and for notes signed before snapshots existed.
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON)
    status: Mapped[NoteStatus] = mapped_column(
        enum_text(NoteStatus, name="status", length=6), default=NoteStatus.DRAFT
    )
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The keyed seal (clinic/notes/keys.py): HMAC of content_hash under the key `seal_key_id`,
    # and of the addenda's count and newest hash (rewritten with each addendum). None for drafts
    # and for notes signed before keyed seals until `flask seal-notes` seals them.
    seal_key_id: Mapped[str | None] = mapped_column(sa.String(40))
    seal: Mapped[str | None] = mapped_column(sa.String(64))
    addenda_seal: Mapped[str | None] = mapped_column(sa.String(64))

    couple = relationship("Couple")
    clinician = relationship("User", foreign_keys=[clinician_id])
    signed_by = relationship("User", foreign_keys=[signed_by_id])
    addenda = relationship("Addendum", back_populates="note", order_by="Addendum.signed_at")


class Addendum(db.Model):
    """A correction or later thought on a signed note; signed (and hashed) when written."""

    __tablename__ = "addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("session_note.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_hash: Mapped[str] = mapped_column(sa.String(64))

    note = relationship("SessionNote", back_populates="addenda")
    author = relationship("User")
