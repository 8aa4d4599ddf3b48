"""The second factor: TOTP enrolment (key and QR code, confirmed by a code), codes accepted once
within ±30 seconds, ten single-use recovery codes stored hashed, and resetting it. The TOTP key
is stored sealed (clinic/sealing.py, purpose "totp") and opened only to check a code."""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import pyotp
import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..errors import DomainError
from ..extensions import db
from ..sealing import open_text, seal_text
from ..timeutil import utcnow
from .models import RecoveryCode, User

RECOVERY_CODES = 10
STEP_SECONDS = 30
ISSUER = "Clinic"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the key as text and as a QR code of its otpauth:// URI."""

    secret: str
    uri: str

    @property
    def grouped_secret(self) -> str:
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


def begin_enrolment(user: User) -> Enrolment:
    """A new key for `user` to add to their app; not in use until confirmed with a code.

    Raises DomainError when a confirmed second factor is already set (reset it first).
    """
    if user.has_two_factor:
        raise DomainError(_("Two-factor sign-in is already set up."))
    if not user.totp_secret:
        user.totp_secret = seal_text("totp", pyotp.random_base32())
        db.session.commit()
    return enrolment_for(user)


def enrolment_for(user: User) -> Enrolment:
    secret = _secret(user)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrolment(secret=secret, uri=uri)


def _secret(user: User) -> str:
    """The user's TOTP key in clear (SealBroken when the sealing key changed without rotation)."""
    return open_text("totp", user.totp_secret)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn the second factor on once the app shows a right code; returns the recovery codes
    (shown once, only their hashes kept). Raises DomainError(field="code")."""
    if user.has_two_factor or not user.totp_secret:
        raise DomainError(_("Start setting up two-factor sign-in again."), field="code")
    if not _accept_totp(user, code):
        raise DomainError(_("That code is not right. Check the time on your phone and try the "
                            "newest code."), field="code")
    user.totp_confirmed_at = utcnow()
    codes = _new_recovery_codes(user)
    record("user.two_factor_on", user=user, object_type="user", object_id=user.id)
    db.session.commit()
    return codes


def verify_second_factor(user: User, code: str) -> str | None:
    """Check a code from the app or a recovery code; each is accepted once. Returns which kind
    was used ("totp" or "recovery_code"), or None. The caller commits."""
    cleaned = "".join(code.split()).replace("-", "").lower()
    if cleaned.isdigit() and len(cleaned) == 6:
        return "totp" if _accept_totp(user, cleaned) else None
    return "recovery_code" if _use_recovery_code(user, cleaned) else None


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def replace_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes for a user who proves the second factor; the old ones stop working.
    Raises DomainError(field="code")."""
    if not user.has_two_factor or verify_second_factor(user, code) is None:
        db.session.rollback()
        raise DomainError(_("That code is not right."), field="code")
    codes = _new_recovery_codes(user)
    record("user.recovery_codes", user=user, object_type="user", object_id=user.id)
    db.session.commit()
    return codes


def reset_two_factor(member: User, *, actor: User) -> None:
    """Remove a member's second factor (a lost phone) and end their sessions; audited. They set
    it up again at their next sign-in when the practice requires it. The caller checks that
    `actor` may do this."""
    member.totp_secret = None
    member.totp_confirmed_at = None
    member.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == member.id))
    member.session_version = User.session_version + 1
    record("user.two_factor_reset", user=actor, object_type="user", object_id=member.id)
    db.session.commit()


def _accept_totp(user: User, code: str, now: float | None = None) -> bool:
    """A code for the previous, current or next 30-second step, newer than the last one used.

    The step is claimed with a conditional update, so two requests racing with one code cannot
    both succeed.
    """
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(_secret(user))
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            claimed = db.session.execute(
                sa.update(User)
                .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None),
                                                  User.totp_last_step < step))
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.refresh(user, ["totp_last_step"])
            return claimed == 1
    return False


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes of 16 letters and digits (80 bits: a plain SHA-256 is enough to keep)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(c)) for c in codes)
    return ["-".join(c[i:i + 4] for i in range(0, 16, 4)) for c in codes]


def _use_recovery_code(user: User, cleaned: str) -> bool:
    if len(cleaned) != 16 or not all(ch in _RECOVERY_ALPHABET for ch in cleaned):
        return False
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(cleaned),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return used == 1
