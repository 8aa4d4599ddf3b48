"""Between the password and the second factor: a short-lived challenge kept on the server.

The browser holds only a random token in its session; the row holds its hash, the user, an
expiry and the number of codes tried. Nothing about the half-signed-in person is in the cookie,
and the challenge ends when it is used, when it lapses, or after a few wrong codes.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..errors import DomainError
from ..extensions import db
from ..timeutil import utcnow
from .models import SignInChallenge, User
from .twofactor import verify_second_factor


class ChallengeEnded(DomainError):
    """The challenge lapsed, was used, or had too many wrong codes: sign in again."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(user: User) -> str:
    """The password was right and the user has a second factor: open a challenge; returns the
    token for the browser's session. Older challenges of this user are dropped."""
    now = utcnow()
    db.session.execute(sa.delete(SignInChallenge).where(
        sa.or_(SignInChallenge.user_id == user.id, SignInChallenge.expires_at < now)
    ))
    token = secrets.token_urlsafe(32)
    db.session.add(SignInChallenge(
        user_id=user.id, token_hash=_hash(token), created_at=now, attempts=0,
        expires_at=now + timedelta(seconds=current_app.config["SIGN_IN_CHALLENGE_SECONDS"]),
    ))
    record("auth.password_ok", user=user, object_type="user", object_id=user.id)
    db.session.commit()
    return token


def _open(token: str | None) -> SignInChallenge | None:
    if not token:
        return None
    found = db.session.scalar(
        sa.select(SignInChallenge).where(SignInChallenge.token_hash == _hash(token))
    )
    if found is None or found.expires_at <= utcnow() or not found.user.active:
        return None
    return found


def pending(token: str | None) -> User | None:
    """Who this browser is signing in as, while the challenge is open."""
    found = _open(token)
    return found.user if found else None


def finish(token: str | None, code: str) -> User:
    """Check the second factor; on success the challenge is gone and the sign-in recorded.

    Raises DomainError(field="code") for a wrong code, ChallengeEnded when there is no open
    challenge any more (including after the last allowed wrong code).
    """
    found = _open(token)
    if found is None:
        raise ChallengeEnded(_("Your sign-in timed out. Please enter your password again."))
    user = found.user
    used = verify_second_factor(user, code)
    if used is None:
        found.attempts += 1
        record("auth.code_failed", user=user, object_type="user", object_id=user.id)
        if found.attempts >= current_app.config["SIGN_IN_CHALLENGE_ATTEMPTS"]:
            db.session.delete(found)
            db.session.commit()
            raise ChallengeEnded(_("Too many wrong codes. Please enter your password again."))
        db.session.commit()
        raise DomainError(_("That code is not right. Try the newest code from your app, or a "
                            "recovery code."), field="code")
    db.session.delete(found)
    user.last_login_at = utcnow()
    record("auth.login", user=user, object_type="user", object_id=user.id,
           detail={"second_factor": used})
    db.session.commit()
    return user
