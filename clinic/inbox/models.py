"""Per-clinician read state of the portal items listed in the inbox."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..columns import UTCDateTime, enum_text
from ..domain import InboxKind
from ..extensions import db
from ..timeutil import utcnow


class InboxRead(db.Model):
    """A clinician has read this item as it stood at `read_at` (later changes make it new again)."""

    __tablename__ = "inbox_read"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    kind: Mapped[InboxKind] = mapped_column(enum_text(InboxKind, name="kind", length=12), primary_key=True)
    item_id: Mapped[int] = mapped_column(primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboxCursor(db.Model):
    """Everything that came in up to `read_through` is read for this clinician ("mark all read"),
    so the badge only ever looks at what came in after it."""

    __tablename__ = "inbox_cursor"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    read_through: Mapped[datetime] = mapped_column(UTCDateTime)
