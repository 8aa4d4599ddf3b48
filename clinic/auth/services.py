"""Sign-in, sign-out, session checks and account management."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..errors import DomainError
from ..extensions import db
from ..timeutil import utcnow
from .models import ROLES, User
from .passwords import hash_password, password_problem, verify_password

GENERIC_LOGIN_ERROR = "That email and password do not match an active account."


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User:
    """The active user with this email and password; one error for every failure.

    The password is always checked against some hash so that an unknown address costs the
    same time as a wrong password. Raises DomainError(GENERIC_LOGIN_ERROR).
    """
    user = find_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        record(
            "auth.login_failed", user=None,
            practice_id=user.practice_id if user else None,
            object_type="user", object_id=user.id if user else None,
        )
        db.session.commit()
        raise DomainError(GENERIC_LOGIN_ERROR)
    user.last_login_at = utcnow()
    record("auth.login", user=user, object_type="user", object_id=user.id)
    db.session.commit()
    return user


def load_user(user_id: str) -> User | None:
    """Resolve a session's `<id>.<version>`; a stale version means the session was ended."""
    try:
        raw_id, raw_version = user_id.split(".", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def end_sessions(user: User, *, reason: str) -> None:
    """Invalidate every session cookie this user holds, on every device."""
    user.session_version = User.session_version + 1
    record("auth.logout", user=user, object_type="user", object_id=user.id, detail={"reason": reason})
    db.session.commit()


@dataclass
class NewUser:
    email: str
    name: str
    role: str
    password: str


def create_user(practice_id: int, data: NewUser, *, actor: User | None = None) -> User:
    """Add an account to a practice. Raises DomainError on field `email`, `role` or `password`."""
    email = data.email.strip().lower()
    if data.role not in ROLES:
        raise DomainError("Choose owner, clinician or supervisor.", field="role")
    problem = password_problem(
        data.password,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        max_length=current_app.config["PASSWORD_MAX_LENGTH"],
    )
    if problem:
        raise DomainError(problem, field="password")
    if find_by_email(email) is not None:
        raise DomainError("An account with this email already exists.", field="email")
    user = User(
        practice_id=practice_id, email=email, name=data.name.strip(), role=data.role,
        password_hash=hash_password(data.password), active=True, session_version=1,
    )
    db.session.add(user)
    db.session.flush()
    record(
        "user.create", user=actor, practice_id=practice_id, object_type="user", object_id=user.id,
        detail={"role": data.role},
    )
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    """Replace a password and end the user's other sessions. Raises DomainError(field=password)."""
    problem = password_problem(
        password,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        max_length=current_app.config["PASSWORD_MAX_LENGTH"],
    )
    if problem:
        raise DomainError(problem, field="password")
    user.password_hash = hash_password(password)
    user.session_version = User.session_version + 1
    record("user.password", user=user, object_type="user", object_id=user.id)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """The signed-in user replaces their own password, proving the current one first.

    A wrong current password is audited. Raises DomainError on field `current_password`
    or `password`.
    """
    if not verify_password(user.password_hash, current):
        record("auth.password_check_failed", user=user, object_type="user", object_id=user.id)
        db.session.commit()
        raise DomainError(_("That is not your current password."), field="current_password")
    set_password(user, new)
