"""The Practice: the tenant every record belongs to, with its hours and reminder defaults."""

from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime
from ..extensions import db
from ..timeutil import utcnow


class Practice(db.Model):
    __tablename__ = "practice"
    # The settings are checked by practice.services.update_settings, not by CHECK constraints:
    # adding one to this table would make SQLite rebuild it, which its foreign keys refuse.

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    # Every member signs in with a second factor (on for practices made with `create-practice`).
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Where partners' replies to the practice's mail go (optional; the sender address is the
    # installation's CLINIC_MAIL_FROM, which may not be read by anyone).
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An IANA zone name (checked with zoneinfo): dates are shown, and mail is sent, in it.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    # Opening hours, local to `timezone`, on the ISO weekdays listed in `open_days` ("12345").
    opens_at: Mapped[time] = mapped_column(default=time(9), server_default="09:00:00")
    closes_at: Mapped[time] = mapped_column(default=time(17), server_default="17:00:00")
    open_days: Mapped[str] = mapped_column(sa.String(7), default="12345", server_default="12345")
    # Reminder defaults: days before the due date (None: none), on the day, days after (None: none).
    remind_days_before: Mapped[int | None] = mapped_column(default=2, server_default="2")
    remind_on_due_day: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    remind_overdue_days: Mapped[int | None] = mapped_column(default=1, server_default="1")
    # The practice's language (a code of clinic.i18n.LANGUAGES): new partners and staff start in it.
    locale: Mapped[str] = mapped_column(sa.String(16), default="en", server_default="en")
    # Printed in the header of every session note PDF (several lines allowed).
    address: Mapped[str | None] = mapped_column(sa.Text)

    users = relationship("User", back_populates="practice", order_by="User.name")
