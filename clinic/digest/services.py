"""The daily digest: a clinician's opt-in, and the mail that names counts and case labels only."""

import sqlalchemy as sa

from ..audit.services import record
from ..extensions import db
from .models import DigestSubscription


def subscribed(user) -> bool:
    return db.session.get(DigestSubscription, user.id) is not None


def subscribe(user, on: bool) -> None:
    """Turn the user's daily digest on or off (clinicians and owners; audited)."""
    if not user.sees_charts:
        on = False
    current = db.session.get(DigestSubscription, user.id)
    if on and current is None:
        db.session.add(DigestSubscription(user_id=user.id))
    elif not on and current is not None:
        db.session.execute(sa.delete(DigestSubscription).where(DigestSubscription.user_id == user.id))
    else:
        return
    record("digest.subscribe" if on else "digest.unsubscribe", user=user,
           object_type="user", object_id=user.id)
    db.session.commit()
