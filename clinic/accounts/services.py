"""Invitations and password resets: single-use links mailed to staff.

A link carries a random token (256 bits); only its SHA-256 is stored, and the mail carries the
link sealed (the outbox never holds it readable). An invitation is valid 72 hours, a reset one
hour; each works once. Neither gets anybody past a second factor: for an account that has one,
the same form asks for a code, and nothing changes (password, sessions, link) until it checks.
A reset request only notes the address; the worker makes the link (send_reset_links), so the
answer is the same, in content and in time, for known and unknown addresses.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from ..audit.services import record
from ..auth.models import User
from ..auth.services import NewUser, add_user, check_password, find_by_email, replace_password
from ..auth.twofactor import verify_second_factor
from ..domain import TokenPurpose
from ..errors import DomainError
from ..extensions import db
from ..i18n import supported
from ..jobs import wake
from ..mail.services import cancel_queued, queue_message
from ..practice.services import get_member, get_practice
from ..timeutil import utcnow
from .models import AccountToken, ResetRequest

PATHS = {TokenPurpose.INVITATION: "/accounts/invitation/", TokenPurpose.RESET: "/accounts/reset/"}


class LinkRefused(DomainError):
    """The link is unknown, used or expired: one answer, so they cannot be told apart."""


class CodeRefused(DomainError):
    """The account has a second factor and the code given with the new password is not right."""


@dataclass(frozen=True)
class Invitation:
    email: str
    name: str
    role: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _lifetime(purpose: TokenPurpose) -> timedelta:
    config = current_app.config
    if purpose is TokenPurpose.INVITATION:
        return timedelta(hours=config["INVITATION_HOURS"])
    return timedelta(minutes=config["PASSWORD_RESET_MINUTES"])


def _issue(user: User, purpose: TokenPurpose, *, actor: User | None) -> str:
    """A new token for `user` in the caller's transaction; returns the link to mail."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(AccountToken(
        user_id=user.id, purpose=purpose, token_hash=_hash(token), created_at=now,
        expires_at=now + _lifetime(purpose), created_by_id=actor.id if actor else None,
    ))
    return current_app.config["BASE_URL"].rstrip("/") + PATHS[purpose] + token


def _mail(user: User, purpose: TokenPurpose, link: str, practice_name: str) -> None:
    """Queue the link's mail, written in the recipient's language (whoever or whatever asked:
    the owner's request, or the worker for a reset)."""
    language = supported(user.locale)
    with force_locale(language):
        if purpose is TokenPurpose.INVITATION:
            subject = _("You are invited to %(practice)s on Clinic", practice=practice_name)
            body = _(
                "Hello %(name)s,\n\n%(practice)s has added you to its team on Clinic. Choose your "
                "password here (the link works once, for 72 hours):\n\n{{link}}\n\nIf you did not "
                "expect this, you can ignore this message.\n", name=user.name, practice=practice_name,
            )
        else:
            subject = _("Choose a new password for Clinic")
            body = _(
                "Hello %(name)s,\n\nSomebody asked to reset the password of your account at "
                "%(practice)s. If it was you, choose a new password here (the link works once, for "
                "one hour):\n\n{{link}}\n\nIf it was not you, ignore this message: your password "
                "stays as it is.\n", name=user.name, practice=practice_name,
            )
    # A mail still waiting with an earlier link of this kind would only confuse: that link has
    # stopped (a re-sent invitation) or is about to be one of two (a second reset).
    kind = f"account_{purpose.value}"
    cancel_queued(kind=kind, user_id=user.id)
    queue_message(
        practice_id=user.practice_id, kind=kind, to_address=user.email,
        to_name=user.name, subject=subject, body=body, user_id=user.id, sealed={"link": link},
        locale=language,
    )


def invite_member(owner: User, data: Invitation) -> User:
    """The owner adds a member by email; the member is mailed a link to choose a password.

    Raises NotFound for anyone but an owner, DomainError on field `email` or `role`.
    """
    if not owner.is_owner:
        raise NotFound()
    practice = get_practice(owner.practice_id)
    member = add_user(
        owner.practice_id, NewUser(email=data.email, name=data.name, role=data.role, password=None),
        actor=owner,
    )
    _mail(member, TokenPurpose.INVITATION, _issue(member, TokenPurpose.INVITATION, actor=owner),
          practice.name)
    record("user.invite", user=owner, object_type="user", object_id=member.id)
    db.session.commit()
    return member


def resend_invitation(owner: User, user_id: int) -> User:
    """A new invitation link for a member who has not chosen a password; earlier links stop.

    Raises NotFound outside the owner's practice, DomainError once the member has a password.
    """
    member = get_member(owner, user_id)
    if not member.invitation_pending:
        raise DomainError(_("%(name)s has already chosen a password.", name=member.name))
    _spend(member, TokenPurpose.INVITATION)
    _mail(member, TokenPurpose.INVITATION, _issue(member, TokenPurpose.INVITATION, actor=owner),
          get_practice(owner.practice_id).name)
    record("user.invite", user=owner, object_type="user", object_id=member.id,
           detail={"again": True})
    db.session.commit()
    return member


def request_password_reset(email: str) -> None:
    """Note that somebody asked for a reset link for `email`; the worker sends it.

    The request does the same work whatever the address (one row written, the worker woken):
    same answer, same status, same timing for known and unknown addresses.
    """
    db.session.add(ResetRequest(
        email=email.strip().lower()[:254], requested_at=utcnow(),
        ip=request.remote_addr if has_request_context() else None,
    ))
    db.session.commit()
    wake(current_app._get_current_object())


def send_reset_links() -> int:
    """The worker's job: mail a reset link for each pending request whose address belongs to an
    active account (audited either way), then forget the requests. Returns how many were mailed.

    At most RESET_MAILS_PER_HOUR links are mailed per account per hour; earlier links keep
    working, so somebody asking again and again cannot lock the owner of the address out.
    """
    mailed = 0
    for pending in db.session.scalars(sa.select(ResetRequest).order_by(ResetRequest.id)).all():
        user = find_by_email(pending.email)
        send = (user is not None and user.active
                and _recent_resets(user.id) < current_app.config["RESET_MAILS_PER_HOUR"])
        if send:
            _mail(user, TokenPurpose.RESET, _issue(user, TokenPurpose.RESET, actor=None),
                  user.practice.name)
            mailed += 1
        event = record(
            "auth.reset_requested", user=None, practice_id=user.practice_id if user else None,
            object_type="user", object_id=user.id if user else None, detail={"mailed": send},
        )
        event.ip, event.at = pending.ip, pending.requested_at  # who asked, and when, not the worker
        db.session.delete(pending)
        db.session.commit()
    return mailed


def _recent_resets(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AccountToken.id)).where(
            AccountToken.user_id == user_id, AccountToken.purpose == TokenPurpose.RESET,
            AccountToken.created_at > utcnow() - timedelta(hours=1),
        )
    )


def holder(token: str | None, purpose: TokenPurpose) -> User | None:
    """Whose link this is, while it works (for the page that asks for the new password)."""
    found = _usable(token, purpose)
    return found.user if found else None


def _usable(token: str | None, purpose: TokenPurpose) -> AccountToken | None:
    if not token:
        return None
    found = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == _hash(token),
                                      AccountToken.purpose == purpose)
    )
    if found is None or not found.usable(utcnow()) or not found.user.active:
        return None
    return found


def _spend(user: User, purpose: TokenPurpose | None) -> None:
    """Stop the user's open links of one kind (None: of every kind), in the caller's transaction."""
    kind = [AccountToken.purpose == purpose] if purpose is not None else []
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, *kind, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def use_link(token: str | None, purpose: TokenPurpose, password: str, code: str | None = None
             ) -> User:
    """Set the password through an invitation or reset link, once; returns the user, whose
    every session has ended.

    For an account with a second factor `code` (from the app, or a recovery code) is checked
    first, and used up; without it nothing changes. The caller then completes the sign-in (the
    code was just given); without a second factor it continues it as a password would.

    Raises DomainError(field="password") for a refused password and CodeRefused(field="code")
    for a missing or wrong code (the link still works in both cases), and LinkRefused for a link
    that is unknown, used or expired.
    """
    found = _usable(token, purpose)
    if found is None:
        raise LinkRefused(_("This link has expired or was already used."))
    user = found.user
    check_password(password)  # before the code: a refused password must not spend a good code
    if user.has_two_factor and verify_second_factor(user, code or "") is None:
        db.session.rollback()
        raise CodeRefused(_("That code is not right."), field="code")
    action = "user.invitation_accepted" if purpose is TokenPurpose.INVITATION else "auth.password_reset"
    replace_password(user, password, action=action)
    spent = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == found.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:  # used meanwhile by a twin request
        db.session.rollback()
        raise LinkRefused(_("This link has expired or was already used."))
    _spend(user, None)  # every other link stops too, of either kind: the password is chosen
    db.session.commit()
    return user
