"""Password hashing (argon2id) and the password policy."""

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2id with m = 19 MiB, t = 2, p = 1: the OWASP minimum, well above Werkzeug's scrypt default.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, *, min_length: int = 8, max_length: int = 128) -> str | None:
    """Why a new password is refused, or None. Length and a common-password list only."""
    if len(password) < min_length:
        return f"Use at least {min_length} characters."
    if len(password) > max_length:
        return f"Use at most {max_length} characters."
    if password.lower() in _common_passwords():
        return "This password is among the most commonly used ones; please choose another."
    return None
