"""The User account (one per person, bound to one practice, with a role), its second factor's
recovery codes, and the short-lived half-signed-in state between the password and the second
factor."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, enum_text
from ..domain import CASELOAD_ROLES, REPORT_ROLES, Role
from ..extensions import db
from ..timeutil import utcnow

# How each role reads on a page, in the reader's language.
ROLE_LABELS = {
    Role.OWNER: _l("Owner"), Role.CLINICIAN: _l("Clinician"), Role.SUPERVISOR: _l("Supervisor"),
}
# The same, inside a sentence ("Created owner …").
ROLE_WORDS = {
    Role.OWNER: _l("owner"), Role.CLINICIAN: _l("clinician"), Role.SUPERVISOR: _l("supervisor"),
}


class User(UserMixin, db.Model):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Empty until an invited person sets their own password (no password matches it).
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Set when somebody else chose the password (the CLI): the person replaces it first thing.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    role: Mapped[Role] = mapped_column(enum_text(Role, name="role", length=20))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out, disabling and password change: every cookie issued before is refused.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP (RFC 6238): the shared key (set at enrolment, in use once confirmed by a code), sealed
    # with the "totp" key of clinic/sealing.py, and the last time step a code was accepted for,
    # so that each code works once.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The language this person reads the app and their mail in (clinic.i18n.LANGUAGES).
    locale: Mapped[str] = mapped_column(sa.String(16), default="en", server_default="en")
    # Degrees and licence, printed beside the name on the notes this person signs.
    credentials: Mapped[str | None] = mapped_column(sa.String(120))

    practice = relationship("Practice", back_populates="users")

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def sees_charts(self) -> bool:
        """Keeps a caseload (owner or clinician), so reads charts and notes."""
        return self.role in CASELOAD_ROLES

    @property
    def reads_reports(self) -> bool:
        return self.role in REPORT_ROLES

    @property
    def has_two_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def invitation_pending(self) -> bool:
        return not self.password_hash


class RecoveryCode(db.Model):
    """One of ten single-use codes that stand in for the authenticator app; only a hash kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInChallenge(db.Model):
    """Password accepted, second factor not yet: the server's half of a sign-in in progress.

    The browser holds a random token (in its session); only its hash is stored. Short-lived and
    good for a few codes; gone once used.
    """

    __tablename__ = "sign_in_challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)

    user = relationship("User")


class KeptPost(db.Model):
    """What a clinician sent after their session had ended (idle timeout, signed out in another
    tab): kept for them until they sign in again and see it, so nothing they typed is lost."""

    __tablename__ = "kept_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(500))
    # The posted fields as a JSON list of [name, value] (passwords and CSRF tokens left out).
    fields: Mapped[list] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
