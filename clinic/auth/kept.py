"""Nothing typed is lost on the staff side: a post that arrives after the session ended is kept
on the server for the person who was signed in, and shown to them (with a button that sends it
again) as soon as they have signed in anew.

The portal keeps a partner's text in the page itself (resend.py); a clinician's note can be long
and the way back runs through the sign-in and its second factor, so it waits here instead. Only
the account that was signed in in that browser ever sees it, and only once; what nobody comes
back for is dropped after KEPT_POST_HOURS.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record
from ..database import WRITES
from ..extensions import db
from ..timeutil import utcnow
from .models import KeptPost, User

# Never kept: the sign-in's own forms, and anything of a password or a token.
_LEFT_OUT = ("csrf_token",)


def _keepable(name: str) -> bool:
    return name not in _LEFT_OUT and "password" not in name.lower()


def keep(user: User | int, path: str, fields: list[tuple[str, str]]) -> KeptPost | None:
    """Keep what `user` (or the user with that id) posted to `path` after their session ended
    (audited, without the text). Returns None when there was nothing typed to keep, or no such
    active account."""
    if isinstance(user, int):
        user = db.session.get(User, user)
    if user is None or not user.active:
        return None
    kept = [[name, value] for name, value in fields if _keepable(name)]
    local = path.startswith("/") and not path.startswith("//")
    if not local or not any(value.strip() for _name, value in kept):
        return None
    post = KeptPost(user_id=user.id, path=path[:500], fields=kept, created_at=utcnow())
    db.session.add(post)
    db.session.flush()
    record("post.kept", user=user, practice_id=user.practice_id, object_type="kept_post",
           object_id=post.id, detail={"path": post.path})
    db.session.commit()
    return post


def waiting(user: User) -> bool:
    """True when a post of `user`'s is waiting to be shown."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(KeptPost).where(KeptPost.user_id == user.id)
    ) > 0


def take(user: User) -> dict | None:
    """The oldest post kept for `user`, removed as it is handed over (audited), after dropping
    those older than KEPT_POST_HOURS. The page shows it with a button that sends it again."""
    cutoff = utcnow() - timedelta(hours=current_app.config["KEPT_POST_HOURS"])
    # Shown on a GET, whose transaction only reads (database.takes_write_lock): end it, and take
    # the write lock for this one.
    db.session.commit()
    db.session.connection(execution_options={WRITES: True})
    db.session.execute(sa.delete(KeptPost).where(KeptPost.created_at < cutoff))
    post = db.session.scalars(
        sa.select(KeptPost).where(KeptPost.user_id == user.id).order_by(KeptPost.id).limit(1)
    ).first()
    if post is not None:
        shown = {"path": post.path, "fields": [tuple(pair) for pair in post.fields], "id": post.id}
        db.session.delete(post)
        record("post.kept_shown", user=user, practice_id=user.practice_id,
               object_type="kept_post", object_id=shown["id"], detail={"path": shown["path"]})
    db.session.commit()
    return shown if post is not None else None
