"""Password hashing (argon2id, cost from the configuration) and the password policy."""

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> tuple[PasswordHasher, str]:
    """The hasher for one cost, and a hash made with it to verify against when the email is
    unknown, so that both answers take the same time."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher, hasher.hash("not-a-real-password-only-for-timing")


def _hasher() -> tuple[PasswordHasher, str]:
    # The PASSWORD_HASH_* settings; the defaults (clinic/config.py) are the production cost.
    config = current_app.config
    return _hasher_for(
        int(config["PASSWORD_HASH_TIME_COST"]),
        int(config["PASSWORD_HASH_MEMORY_COST"]),
        int(config["PASSWORD_HASH_PARALLELISM"]),
    )


def hash_password(password: str) -> str:
    hasher, _dummy = _hasher()
    return hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; an unknown account (None) or one without a password yet ('')
    costs one full check against a dummy hash and never matches."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(stored_hash or dummy, password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, *, min_length: int = 8, max_length: int = 128) -> str | None:
    """Why a new password is refused, or None. Length and a common-password list only."""
    if len(password) < min_length:
        return _("Use at least %(num)d characters.", num=min_length)
    if len(password) > max_length:
        return _("Use at most %(num)d characters.", num=max_length)
    if password.lower() in _common_passwords():
        return _("This password is among the most commonly used ones; please choose another.")
    return None
