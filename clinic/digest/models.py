"""Who asked for the daily digest, and the last local day it was considered for them."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..columns import UTCDateTime
from ..extensions import db
from ..timeutil import utcnow


class DigestSubscription(db.Model):
    """A clinician who asked for the daily digest (a row: yes; no row: no)."""

    __tablename__ = "digest_subscription"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The practice's local day the digest was last considered (sent, or nothing to say).
    last_considered_on: Mapped[date | None]
