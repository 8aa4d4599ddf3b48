"""Nothing typed is lost on the staff side: a post that arrives after the session ended is kept
on the server for the person who was signed in, and shown to them (with a button that sends it
again) as soon as they have signed in anew.

The portal keeps a partner's text in the page itself (resend.py); a clinician's note can be long
and the way back runs through the sign-in and its second factor, so it waits here instead. Only
the account that was signed in in that browser ever sees it; it stays until they send it again or
discard it (a post, with its CSRF token), and what nobody comes back for is dropped after
KEPT_POST_HOURS.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record, record_access
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


def _fresh(user: User):
    """`user`'s kept posts that are not yet too old to offer, oldest first."""
    cutoff = utcnow() - timedelta(hours=current_app.config["KEPT_POST_HOURS"])
    return (sa.select(KeptPost).where(KeptPost.user_id == user.id, KeptPost.created_at >= cutoff)
            .order_by(KeptPost.id))


def waiting(user: User) -> bool:
    """True when a post of `user`'s is waiting to be shown."""
    return db.session.scalars(_fresh(user).limit(1)).first() is not None


def peek(user: User) -> dict | None:
    """The oldest post kept for `user` (path, fields, id), to show with a button that sends it
    again and one that discards it; showing it changes nothing but the audit log."""
    post = db.session.scalars(_fresh(user).limit(1)).first()
    if post is None:
        return None
    record_access("post.kept_shown", user=user, practice_id=user.practice_id,
                  object_type="kept_post", object_id=post.id, detail={"path": post.path})
    return {"path": post.path, "fields": [tuple(pair) for pair in post.fields], "id": post.id}


def settle(user: User, post_id: int, *, send: bool) -> str | None:
    """`user` sends their kept post `post_id` again or discards it: it is removed (audited
    post.kept_sent or post.kept_discarded, without the text), and those of anyone's too old to
    offer go with it. Returns the path it was sent to, or None when there is no such post of
    theirs (already settled in another tab, or too old)."""
    post = db.session.scalars(_fresh(user).where(KeptPost.id == post_id)).first()
    path = post.path if post is not None else None
    if post is not None:
        db.session.delete(post)
        record("post.kept_sent" if send else "post.kept_discarded", user=user,
               practice_id=user.practice_id, object_type="kept_post", object_id=post_id,
               detail={"path": path})
    cutoff = utcnow() - timedelta(hours=current_app.config["KEPT_POST_HOURS"])
    db.session.execute(sa.delete(KeptPost).where(KeptPost.created_at < cutoff))
    db.session.commit()
    return path
