"""Portal links and the partner's portal session: issue, revoke, exchange, and the scoped getter."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from ..audit.services import record
from ..auth.models import User
from ..couples.models import Couple, Partner
from ..couples.services import get_couple
from ..extensions import db
from ..practice.models import Practice
from ..timeutil import utcnow
from .models import PortalLink


class LinkRefused(Exception):
    """The token is unknown, expired or revoked: one error, so the three cannot be told apart."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    link: PortalLink
    token: str  # shown to the clinician once; never stored


def _partner_of(user, couple_id: int, partner_id: int) -> Partner:
    couple = get_couple(user, couple_id)
    for partner in couple.partners:
        if partner.id == partner_id:
            return partner
    raise NotFound()


def current_link(partner: Partner) -> PortalLink | None:
    return db.session.scalar(
        sa.select(PortalLink)
        .where(PortalLink.partner_id == partner.id, PortalLink.revoked_at.is_(None))
        .order_by(PortalLink.created_at.desc())
        .limit(1)
    )


def links_for_couple(user, couple_id: int) -> dict[int, PortalLink | None]:
    """The live link (if any) of each partner of a couple the user may open."""
    couple = get_couple(user, couple_id)
    return {p.id: current_link(p) for p in couple.partners}


def _end_portal_sessions(partner: Partner) -> None:
    """Refuse every portal session this partner holds, on every device (the caller commits)."""
    partner.portal_session_version = Partner.portal_session_version + 1


def issue_link(user, couple_id: int, partner_id: int, *, valid_days: int | None) -> IssuedLink:
    """A new personal link for one partner; any earlier link of theirs, and every portal
    session opened with it, stops working.

    Raises NotFound when the couple or partner is outside the user's caseload.
    """
    partner = _partner_of(user, couple_id, partner_id)
    now = utcnow()
    db.session.execute(
        sa.update(PortalLink)
        .where(PortalLink.partner_id == partner.id, PortalLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    _end_portal_sessions(partner)
    token = secrets.token_urlsafe(32)
    link = PortalLink(
        partner_id=partner.id,
        token_hash=hash_token(token),
        created_by_id=user.id,
        created_at=now,
        expires_at=now + timedelta(days=valid_days) if valid_days else None,
    )
    db.session.add(link)
    db.session.flush()
    record(
        "portal_link.issue", user=user, object_type="partner", object_id=partner.id,
        couple_id=couple_id, detail={"link": link.id, "valid_days": valid_days},
    )
    db.session.commit()
    return IssuedLink(link=link, token=token)


def revoke_link(user, couple_id: int, partner_id: int) -> int:
    """Stop a partner's link (and any portal session opened with it). Returns how many."""
    partner = _partner_of(user, couple_id, partner_id)
    result = db.session.execute(
        sa.update(PortalLink)
        .where(PortalLink.partner_id == partner.id, PortalLink.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    _end_portal_sessions(partner)
    record(
        "portal_link.revoke", user=user, object_type="partner", object_id=partner.id,
        couple_id=couple_id,
    )
    db.session.commit()
    return result.rowcount


def exchange_token(token: str) -> PortalLink:
    """Trade a link's token for its PortalLink (the caller starts a portal session).

    The lookup is by hash (an index seek, whose timing reveals nothing about the token);
    the final comparison is constant-time. Raises LinkRefused for any unusable token.
    """
    digest = hash_token(token or "")
    link = db.session.scalar(sa.select(PortalLink).where(PortalLink.token_hash == digest))
    now = utcnow()
    if link is None or not hmac.compare_digest(link.token_hash, digest) or not link.usable(now):
        record("portal.refused", detail={"known": False})
        db.session.commit()
        raise LinkRefused()
    link.last_used_at = now
    partner = link.partner
    record(
        "portal.open", partner=partner, practice_id=partner.couple.practice_id,
        object_type="partner", object_id=partner.id, couple_id=partner.couple_id,
    )
    db.session.commit()
    return link


def portal_partner(
    link_id: int | None, partner_id: int | None, now: datetime, *, version: int | None
) -> Partner | None:
    """The partner a portal session belongs to, if its link still works and the partner has
    not ended their sessions since (`version`); None otherwise.

    This is the portal's one scoped entry point: every portal query starts from this partner.
    """
    if not link_id or not partner_id or version is None:
        return None
    link = db.session.get(PortalLink, link_id)
    if link is None or link.partner_id != partner_id or not link.usable(now):
        return None
    partner = link.partner
    if partner.portal_session_version != version:
        return None
    return partner


def leave_portal(partner: Partner) -> None:
    """The partner left: every portal session of theirs ends on the server, not only this one."""
    _end_portal_sessions(partner)
    record(
        "portal.leave", partner=partner, practice_id=partner.couple.practice_id,
        object_type="partner", object_id=partner.id, couple_id=partner.couple_id,
    )
    db.session.commit()


@dataclass(frozen=True)
class PortalOwner:
    """Whose portal this is: shown to the partner only after the link was exchanged."""

    practice: str
    therapist: str


def owner_of(partner: Partner) -> PortalOwner:
    """The practice and the therapist of a partner's couple (plain strings for the page)."""
    practice, therapist = db.session.execute(
        sa.select(Practice.name, User.name)
        .join(Couple, Couple.practice_id == Practice.id)
        .join(User, User.id == Couple.primary_clinician_id)
        .where(Couple.id == partner.couple_id)
    ).one()
    return PortalOwner(practice=practice, therapist=therapist)


def audit_view(partner: Partner, what: str, object_id: int | None = None) -> None:
    """Record that a partner looked at a page of their portal."""
    record(
        f"portal.view_{what}", partner=partner, practice_id=partner.couple.practice_id,
        object_type=what, object_id=object_id, couple_id=partner.couple_id,
    )
    db.session.commit()
