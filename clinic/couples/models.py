"""Couple, Partner and CoupleChange (the dated history of stage and status moves)."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, between, enum_text
from ..domain import ChangeKind, CoupleStatus, Position, Stage
from ..extensions import db
from ..timeutil import utcnow

# How each status reads on a page, in the reader's language.
STATUS_LABELS = {
    CoupleStatus.ACTIVE: lazy_pgettext("couple", "Active"),
    CoupleStatus.PAUSED: lazy_pgettext("couple", "Paused"),
    CoupleStatus.CLOSED: lazy_pgettext("couple", "Closed"),
}
# The same, inside a sentence ("The couple is now paused.").
STATUS_WORDS = {
    CoupleStatus.ACTIVE: _l("active"), CoupleStatus.PAUSED: _l("paused"),
    CoupleStatus.CLOSED: _l("closed"),
}


class Couple(db.Model):
    __tablename__ = "couple"
    __table_args__ = (
        between("current_stage", Stage, name="stage"),
        sa.UniqueConstraint("practice_id", "pseudonym", name="uq_couple_practice_pseudonym"),
        # The caseload's order, most recent activity first, then by id (migration 0024).
        sa.Index("ix_couple_practice_activity", "practice_id", "last_activity_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"))
    primary_clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    case_label: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[CoupleStatus] = mapped_column(
        enum_text(CoupleStatus, name="status", length=10), default=CoupleStatus.ACTIVE
    )
    current_stage: Mapped[int] = mapped_column(default=Stage.PARTNERSHIP)
    # Stable, meaningless name used in de-identified reports.
    pseudonym: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The clinician turned reminder mail off for this couple.
    reminders_off: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    primary_clinician = relationship("User")
    practice = relationship("Practice")
    partners = relationship(
        "Partner", back_populates="couple", order_by="Partner.position", cascade="all, delete-orphan"
    )
    changes = relationship(
        "CoupleChange", back_populates="couple", order_by="CoupleChange.changed_at.desc()"
    )


class Partner(db.Model):
    __tablename__ = "partner"
    __table_args__ = (
        sa.UniqueConstraint("couple_id", "position", name="uq_partner_couple_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    position: Mapped[Position] = mapped_column(enum_text(Position, name="position", length=1))
    name: Mapped[str] = mapped_column(sa.String(120))
    preferred_name: Mapped[str | None] = mapped_column(sa.String(80))
    pronouns: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # Bumped when the partner leaves the portal and when their link is revoked or re-issued:
    # every portal session opened before is refused on the server, even from a copied cookie.
    portal_session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The partner paused reminder mail from their portal.
    reminders_paused: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The language of the partner's portal and mail (clinic.i18n.LANGUAGES): set by the clinician
    # (the practice's by default), switched by the partner in the portal.
    locale: Mapped[str] = mapped_column(sa.String(16), default="en", server_default="en")

    couple = relationship("Couple", back_populates="partners")

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.name


class CoupleChange(db.Model):
    __tablename__ = "couple_change"
    __table_args__ = (
        sa.Index("ix_couple_change_couple_at", "couple_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    kind: Mapped[ChangeKind] = mapped_column(enum_text(ChangeKind, name="kind", length=10))
    from_value: Mapped[str | None] = mapped_column(sa.String(20))
    to_value: Mapped[str] = mapped_column(sa.String(20))
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    couple = relationship("Couple", back_populates="changes")
    changed_by = relationship("User")
