"""Portal links and the partner's portal session: issue, revoke, exchange, and the scoped getter."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from ..audit.services import record, record_access
from ..couples.models import Couple, Partner
from ..couples.services import get_couple
from ..domain import MessageKind
from ..errors import DomainError
from ..extensions import db
from ..i18n import LANGUAGES
from ..mail.services import cancel_queued
from ..safety import services as safety
from ..timeutil import utcnow
from .link_mail import queue_link_mail
from .models import PortalLink, PortalReturn


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


@dataclass(frozen=True)
class LinkOverview:
    """A partner's link as the clinician's page shows it (never the token)."""

    couple_id: int
    case_label: str
    partner_id: int
    name: str
    email: str | None
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None

    @property
    def live(self) -> bool:
        return self.created_at is not None


def view_link(user, couple_id: int, partner_id: int) -> LinkOverview:
    """A partner's live link, for the page that also shows its mail. Audited; NotFound outside
    the user's caseload."""
    partner = _partner_of(user, couple_id, partner_id)
    link = current_link(partner)
    overview = LinkOverview(
        couple_id=partner.couple_id, case_label=partner.couple.case_label, partner_id=partner.id,
        name=partner.display_name, email=partner.email,
        created_at=link.created_at if link else None, expires_at=link.expires_at if link else None,
        last_used_at=link.last_used_at if link else None,
    )
    record_access("portal_link.view", user=user, object_type="partner", object_id=partner.id,
                  couple_id=couple_id)
    return overview


def links_for_couple(user, couple_id: int) -> dict[int, PortalLink | None]:
    """The live link (if any) of each partner of a couple the user may open: one query."""
    couple = get_couple(user, couple_id)
    found: dict[int, PortalLink | None] = dict.fromkeys((p.id for p in couple.partners), None)
    newest_first = db.session.scalars(
        sa.select(PortalLink)
        .where(PortalLink.partner_id.in_(list(found)), PortalLink.revoked_at.is_(None))
        .order_by(PortalLink.created_at.desc())
    )
    for link in newest_first:  # re-issuing revokes the old link: about one live link each
        if found[link.partner_id] is None:
            found[link.partner_id] = link
    return found


def _end_portal_sessions(partner: Partner) -> None:
    """Refuse every portal session this partner holds, on every device (the caller commits)."""
    partner.portal_session_version = Partner.portal_session_version + 1


def link_url(token: str) -> str:
    """The absolute link, built from BASE_URL (never from the request's Host header)."""
    path = current_app.url_map.bind("localhost").build("portal.open", {"token": token})
    return current_app.config["BASE_URL"].rstrip("/") + path


def _require_email(partner: Partner) -> None:
    if not partner.email:
        raise DomainError(
            _("%(name)s has no email address on file: add one on the couple's page to email "
              "the link.", name=partner.display_name),
            field="email",
        )


def _email_link(user, partner: Partner, link: PortalLink, token: str):
    owner = owner_of(partner)
    return queue_link_mail(
        partner, url=link_url(token), practice=owner.practice, therapist=owner.therapist,
        expires_at=link.expires_at, user_id=user.id,
    )


def issue_link(user, couple_id: int, partner_id: int, *, valid_days: int | None,
               email: bool = False) -> IssuedLink:
    """A new personal link for one partner; any earlier link of theirs, and every portal
    session opened with it, stops working; mail still queued with the old link is withdrawn.
    With `email`, the new link is also queued for mail to the partner in the same transaction.

    Raises NotFound when the couple or partner is outside the user's caseload, DomainError
    when `email` is asked for a partner without an address.
    """
    partner = _partner_of(user, couple_id, partner_id)
    if email:
        _require_email(partner)
    now = utcnow()
    db.session.execute(
        sa.update(PortalLink)
        .where(PortalLink.partner_id == partner.id, PortalLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    _end_portal_sessions(partner)
    cancel_queued(kind=MessageKind.PORTAL_LINK, partner_id=partner.id)
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
    detail = {"link": link.id, "valid_days": valid_days}
    if email:
        message = _email_link(user, partner, link, token)
        db.session.flush()
        detail["message"] = message.id
    record(
        "portal_link.issue", user=user, object_type="partner", object_id=partner.id,
        couple_id=couple_id, detail=detail,
    )
    db.session.commit()
    return IssuedLink(link=link, token=token)


def email_link(user, couple_id: int, partner_id: int, token: str) -> None:
    """Queue mail with the link the clinician was just shown (its token comes back from that
    page; only its hash is on file, so this checks the token is the partner's live link).

    An earlier, still-queued copy is withdrawn. Raises NotFound outside the user's caseload,
    DomainError when the partner has no address or the link was replaced or has expired.
    """
    partner = _partner_of(user, couple_id, partner_id)
    _require_email(partner)
    link = current_link(partner)
    if (link is None or not hmac.compare_digest(link.token_hash, hash_token(token or ""))
            or not link.usable(utcnow())):
        raise DomainError(_("This link has been replaced or has expired. Make a new link and "
                            "email that one."))
    cancel_queued(kind=MessageKind.PORTAL_LINK, partner_id=partner.id)
    message = _email_link(user, partner, link, token)
    db.session.flush()
    record(
        "portal_link.email", user=user, object_type="partner", object_id=partner.id,
        couple_id=couple_id, detail={"link": link.id, "message": message.id},
    )
    db.session.commit()


def revoke_link(user, couple_id: int, partner_id: int) -> int:
    """Stop a partner's link (and any portal session opened with it). Returns how many."""
    partner = _partner_of(user, couple_id, partner_id)
    result = db.session.execute(
        sa.update(PortalLink)
        .where(PortalLink.partner_id == partner.id, PortalLink.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    _end_portal_sessions(partner)
    cancel_queued(kind=MessageKind.PORTAL_LINK, partner_id=partner.id)
    record(
        "portal_link.revoke", user=user, object_type="partner", object_id=partner.id,
        couple_id=couple_id,
    )
    db.session.commit()
    return result.rowcount


def return_addresses(recipients: dict[int, int | None], now: datetime) -> dict[int, dict | None]:
    """The worker's filler for reminders (mail.delivery.register_filler): for each message id
    (-> its partner id), a fresh single-use portal address through the partner's newest working
    link, or None when they have none any more (the message must then not be sent).

    Made in the worker's claim transaction, as the message is about to go: a link re-issued
    after the reminder was queued is the one it carries. Only the token's hash is stored; it
    opens the portal once, within PORTAL_RETURN_DAYS, while the link works. The partner's
    earlier unused addresses lapse now, so at most the newest reminders' addresses work.
    """
    partner_ids = {p for p in recipients.values() if p is not None}
    links: dict[int, PortalLink] = {}
    if partner_ids:
        for link in db.session.scalars(
            sa.select(PortalLink)
            .where(PortalLink.partner_id.in_(partner_ids), PortalLink.revoked_at.is_(None),
                   sa.or_(PortalLink.expires_at.is_(None), PortalLink.expires_at > now))
            .order_by(PortalLink.created_at, PortalLink.id)
        ):
            links[link.partner_id] = link  # the newest wins
    if links:
        db.session.execute(
            sa.update(PortalReturn)
            .where(PortalReturn.link_id.in_([link.id for link in links.values()]),
                   PortalReturn.used_at.is_(None), PortalReturn.expires_at > now)
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )
    lifetime = timedelta(days=current_app.config["PORTAL_RETURN_DAYS"])
    filled: dict[int, dict | None] = {}
    for message_id, partner_id in recipients.items():
        link = links.get(partner_id)
        if link is None:
            filled[message_id] = None
            continue
        token = secrets.token_urlsafe(32)
        db.session.add(PortalReturn(link_id=link.id, token_hash=hash_token(token),
                                    created_at=now, expires_at=now + lifetime))
        filled[message_id] = {"portal_link": link_url(token)}
    return filled


def _link_for(token: str, now: datetime) -> tuple[PortalLink | None, bool]:
    """The link a token opens, and whether it came through a reminder's address (which is
    used up here, by a conditional update: two taps at once cannot both pass)."""
    digest = hash_token(token)
    link = db.session.scalar(sa.select(PortalLink).where(PortalLink.token_hash == digest))
    if link is not None:
        return (link if hmac.compare_digest(link.token_hash, digest) else None), False
    found = db.session.scalar(sa.select(PortalReturn).where(PortalReturn.token_hash == digest))
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None, True
    used = db.session.execute(
        sa.update(PortalReturn)
        .where(PortalReturn.id == found.id, PortalReturn.used_at.is_(None),
               PortalReturn.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return (found.link if used.rowcount == 1 else None), True


def exchange_token(token: str) -> PortalLink:
    """Trade a link's token, or a reminder's single-use address, for its PortalLink (the
    caller starts a portal session).

    Either is looked up by the hash of the token (an index seek, whose timing reveals nothing
    about the token) and compared in constant time. Raises LinkRefused for any unusable token:
    unknown, expired, revoked, or a reminder's address already used.
    """
    now = utcnow()
    link, returning = _link_for(token or "", now)
    if link is None or not link.usable(now):
        record("portal.refused", detail={"known": False})
        db.session.commit()
        raise LinkRefused()
    link.last_used_at = now
    partner = link.partner
    record(
        "portal.open", partner=partner, practice_id=partner.couple.practice_id,
        object_type="partner", object_id=partner.id, couple_id=partner.couple_id,
        detail={"reminder": True} if returning else None,
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
    # One query for what every portal page reads: the partner, the couple, its practice (time
    # zone, name), therapist (portal_owner) and safety settings (the support contacts).
    found = db.session.execute(
        safety.with_settings(sa.select(PortalLink).join(PortalLink.partner).join(Partner.couple),
                             Couple.practice_id)
        .where(PortalLink.id == link_id)
        .options(sa.orm.contains_eager(PortalLink.partner).contains_eager(Partner.couple).options(
            sa.orm.joinedload(Couple.practice), sa.orm.joinedload(Couple.primary_clinician)))
    ).first()
    if found is None:
        return None
    link, settings = found
    if link.partner_id != partner_id or not link.usable(now):
        return None
    safety.settings_found(link.partner.couple.practice_id, settings)
    partner = link.partner
    if partner.portal_session_version != version:
        return None
    return partner


def set_language(partner: Partner, locale: str) -> None:
    """The partner reads their portal (and gets their mail) in `locale` from now on; audited.

    DomainError for a language the app does not speak.
    """
    if locale not in LANGUAGES:
        raise DomainError(_("Choose one of the languages offered."), field="locale")
    if partner.locale == locale:
        return
    record(
        "portal.language", partner=partner, practice_id=partner.couple.practice_id,
        object_type="partner", object_id=partner.id, couple_id=partner.couple_id,
        detail={"from": partner.locale, "to": locale},
    )
    partner.locale = locale
    db.session.commit()


def leave_portal(partner: Partner, *, quick: bool = False) -> None:
    """The partner left (`quick`: through the quick exit): every portal session of theirs ends
    on the server, not only this one."""
    _end_portal_sessions(partner)
    record(
        "portal.leave", partner=partner, practice_id=partner.couple.practice_id,
        object_type="partner", object_id=partner.id, couple_id=partner.couple_id,
        detail={"quick": True} if quick else None,
    )
    db.session.commit()


@dataclass(frozen=True)
class PortalOwner:
    """Whose portal this is: shown to the partner only after the link was exchanged."""

    practice: str
    therapist: str


def owner_of(partner: Partner) -> PortalOwner:
    """The practice and the therapist of a partner's couple (plain strings for the page; loaded
    with the partner by portal_partner)."""
    couple = partner.couple
    return PortalOwner(practice=couple.practice.name, therapist=couple.primary_clinician.name)


def audit_view(partner: Partner, what: str, object_id: int | None = None) -> None:
    """Record that a partner looked at a page of their portal (in a short transaction of its own:
    nothing the page has loaded is expired)."""
    record_access(
        f"portal.view_{what}", partner=partner, practice_id=partner.couple.practice_id,
        object_type=what, object_id=object_id, couple_id=partner.couple_id,
    )
