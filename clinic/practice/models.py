"""The Practice: the tenant every record belongs to."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Practice(db.Model):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    # Where partners' replies to the practice's mail go (optional; the sender address is the
    # installation's CLINIC_MAIL_FROM, which may not be read by anyone).
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    users = relationship("User", back_populates="practice", order_by="User.name")
