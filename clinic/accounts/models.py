"""AccountToken: the single-use links mailed to staff (an invitation, a password reset); only
the SHA-256 of a token is stored. ResetRequest: somebody asked for a reset link, not yet
handled by the worker."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, enum_text
from ..domain import TokenPurpose
from ..extensions import db
from ..timeutil import utcnow


class AccountToken(db.Model):
    """A single-use link mailed to a person; only the SHA-256 of its token is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        enum_text(TokenPurpose, name="purpose", length=12)
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.expires_at > now


class ResetRequest(db.Model):
    """An address somebody typed on the reset page, waiting for the worker.

    The web request only writes this row, whatever the address: whether it has an account, and
    the link and mail that follow, are worked out by the worker (accounts.services
    .send_reset_links), so the answer cannot tell known and unknown addresses apart, not even by
    its timing. The row is deleted once handled.
    """

    __tablename__ = "reset_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
