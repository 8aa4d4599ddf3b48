"""Use cases for session notes."""

from datetime import date

import sqlalchemy as sa

from ..extensions import db
from .models import SessionNote


def session_days(couple_id: int) -> list[date]:
    """The days the couple had a session (one per note), oldest first."""
    return list(
        db.session.scalars(
            sa.select(SessionNote.session_date)
            .where(SessionNote.couple_id == couple_id)
            .distinct()
            .order_by(SessionNote.session_date)
        )
    )
