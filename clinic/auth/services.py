"""Sign-in, sign-out, session checks and account management."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..domain import Role
from ..errors import DomainError
from ..extensions import db
from ..i18n import LANGUAGES, N_
from ..timeutil import utcnow
from .models import SignInChallenge, User
from .passwords import hash_password, password_problem, verify_password

GENERIC_LOGIN_ERROR = N_("That email and password do not match an active account.")


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User:
    """The active user with this email and password; one error for every failure. For a user
    with a second factor this is only the first step (nothing is recorded as a sign-in yet).

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
        raise DomainError(_(GENERIC_LOGIN_ERROR))
    if user.has_two_factor:
        return user  # not signed in yet: the second factor comes next (challenge.start)
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
    # With its practice: every page reads its settings (time zone, two-factor rule).
    user = db.session.get(User, uid, options=[sa.orm.joinedload(User.practice)])
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
    # None: an invited person, who sets their own password through the invitation's link.
    password: str | None
    # True when somebody else chose the password (the CLI): it is replaced at first sign-in.
    must_change_password: bool = False


def check_password(password: str) -> None:
    """Raises DomainError(field="password") when the password breaks the policy."""
    problem = password_problem(
        password,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        max_length=current_app.config["PASSWORD_MAX_LENGTH"],
    )
    if problem:
        raise DomainError(problem, field="password")


def add_user(practice_id: int, data: NewUser, *, actor: User | None = None) -> User:
    """Add an account to a practice in the caller's transaction (the caller commits).

    Raises DomainError on field `email`, `role` or `password`.
    """
    email = data.email.strip().lower()
    if data.role not in Role._value2member_map_:
        raise DomainError(_("Choose owner, clinician or supervisor."), field="role")
    if data.password is not None:
        check_password(data.password)
    if find_by_email(email) is not None:
        raise DomainError(_("An account with this email already exists."), field="email")
    user = User(
        practice_id=practice_id, email=email, name=data.name.strip(), role=data.role,
        password_hash=hash_password(data.password) if data.password is not None else "",
        must_change_password=data.must_change_password and data.password is not None,
        active=True, session_version=1,
    )
    db.session.add(user)
    db.session.flush()
    user.locale = user.practice.locale  # the practice's language, until they pick their own
    record(
        "user.create", user=actor, practice_id=practice_id, object_type="user", object_id=user.id,
        detail={"role": data.role},
    )
    return user


def create_user(practice_id: int, data: NewUser, *, actor: User | None = None) -> User:
    """Add an account to a practice. Raises DomainError on field `email`, `role` or `password`."""
    user = add_user(practice_id, data, actor=actor)
    db.session.commit()
    return user


def set_language(user: User, locale: str) -> None:
    """The user reads the app and their mail in `locale` from now on; audited.

    DomainError(field="locale") for a language the app does not speak.
    """
    if locale not in LANGUAGES:
        raise DomainError(_("Choose one of the languages offered."), field="locale")
    if user.locale == locale:
        return
    record("user.language", user=user, object_type="user", object_id=user.id,
           detail={"from": user.locale, "to": locale})
    user.locale = locale
    db.session.commit()


def replace_password(user: User, password: str, *, action: str = "user.password") -> None:
    """Put a new password in the caller's transaction: the policy is checked, every session of
    the user ends (a sign-in waiting for its code too), and the person chose it (no change
    required at next sign-in).
    Raises DomainError(field=password)."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.session_version = User.session_version + 1
    # A sign-in half done with the old password (code pending) ends too.
    db.session.execute(sa.delete(SignInChallenge).where(SignInChallenge.user_id == user.id))
    record(action, user=user, object_type="user", object_id=user.id)


def set_password(user: User, password: str) -> None:
    """Replace a password and end the user's other sessions. Raises DomainError(field=password)."""
    replace_password(user, password)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """The signed-in user replaces their own password, proving the current one first.

    A wrong current password is audited. Raises DomainError on field `current_password`
    or `password` (also when a password somebody else chose is kept as it is).
    """
    if not verify_password(user.password_hash, current):
        record("auth.password_check_failed", user=user, object_type="user", object_id=user.id)
        db.session.commit()
        raise DomainError(_("That is not your current password."), field="current_password")
    if user.must_change_password and new == current:
        raise DomainError(_("Choose a new password of your own, not the one you were given."),
                          field="password")
    set_password(user, new)


def next_step(user: User) -> str | None:
    """What a signed-in user must do before anything else: "password" (replace a password
    somebody else chose), "two_factor" (the practice requires a second factor and none is set
    up), or None."""
    if user.must_change_password:
        return "password"
    if not user.has_two_factor and user.practice.require_two_factor:
        return "two_factor"
    return None
