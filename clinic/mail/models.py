"""OutboundMessage: one row of the outbox, written in the same transaction as what caused it."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, enum_text
from ..domain import MessageStatus
from ..extensions import db
from ..timeutil import utcnow


class OutboundMessage(db.Model):
    __tablename__ = "outbound_message"
    __table_args__ = (
        # The worker's question: which queued messages are due?
        sa.Index("ix_outbound_message_due", "status", "next_attempt_at"),
        sa.Index("ix_outbound_message_couple", "couple_id", "status"),
        sa.Index("ix_outbound_message_practice_status", "practice_id", "status"),
        sa.Index("ix_outbound_message_partner_kind", "partner_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"))
    # What the message is for, e.g. "portal_link" or "reminder"; a short machine word.
    kind: Mapped[str] = mapped_column(sa.String(40))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(160))
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    # Values that must never be stored readable (a portal link's token), encrypted with the
    # mail sealing key and put into the body at {{name}} only while sending; erased once the
    # message is sent, failed or cancelled.
    sealed: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[MessageStatus] = mapped_column(
        enum_text(MessageStatus, name="status", length=10), default=MessageStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # Set when a worker takes the message; a claim older than the lease is taken back.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    couple_id: Mapped[int | None] = mapped_column(sa.ForeignKey("couple.id"))
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Callers that may queue the same message twice (a reminder per assignment and day) name it;
    # a second message with the same key is skipped.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)

    couple = relationship("Couple")
