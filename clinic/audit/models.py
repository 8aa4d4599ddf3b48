"""AuditEvent: one row per access or change; the application never updates or deletes one."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from ..columns import UTCDateTime
from ..extensions import db
from ..timeutil import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_practice_at", "practice_id", "at"),
        sa.Index("ix_audit_event_couple", "couple_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("practice.id"))
    # Who: a user, or a partner through the portal, or nobody (a refused sign-in).
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    actor_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner.id"))
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    couple_id: Mapped[int | None] = mapped_column(sa.ForeignKey("couple.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    # Ids and field names only; never names, note text, tokens or passwords.
    detail: Mapped[dict | None] = mapped_column(sa.JSON)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper, _connection, target: AuditEvent) -> None:
    raise RuntimeError(f"audit events are append-only (event {target.id})")
