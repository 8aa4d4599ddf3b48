"""Supervision: which supervisor may read the reports of which clinician (set by the owner)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime
from ..extensions import db
from ..timeutil import utcnow


class Supervision(db.Model):
    __tablename__ = "supervision"
    __table_args__ = (
        sa.UniqueConstraint("supervisor_id", "clinician_id", name="uq_supervision_pair"),
        sa.Index("ix_supervision_practice", "practice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"))
    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supervisor = relationship("User", foreign_keys=[supervisor_id])
    clinician = relationship("User", foreign_keys=[clinician_id])
