"""The portal session: which partner this browser speaks for, and for how long."""

import time

from flask import current_app, g, session

from ..i18n import SESSION_KEY
from ..timeutil import utcnow
from . import services

KEY = "portal"
# Set by a quick exit: for a while, portal pages reopened in this browser show the neutral page.
AWAY_KEY = "portal_away"


def start(link) -> None:
    """Begin a portal session for a link's partner.

    The session is cleared first (no clinician session survives alongside), except that a
    partner who re-opens their own link keeps their CSRF secret: a page they were writing on
    in another tab can then still be sent.
    """
    previous = session.get(KEY) or {}
    csrf_secret = session.get("csrf_token") if previous.get("partner") == link.partner_id else None
    session.clear()
    if csrf_secret:
        session["csrf_token"] = csrf_secret
    now = int(time.time())
    session.permanent = True
    session[KEY] = {
        "link": link.id, "partner": link.partner_id, "v": link.partner.portal_session_version,
        "at": now, "seen": now,
    }


def end(*, quick: bool = False) -> None:
    """Leave: end this partner's portal sessions on the server, then forget this browser's.

    A quick exit also marks the browser, so that going back shows the neutral page.
    """
    partner = current_partner()
    language = partner.locale if partner is not None else session.get(SESSION_KEY)
    if partner is not None:
        services.leave_portal(partner, quick=quick)
    session.pop(KEY, None)
    session.clear()
    if quick:
        session[AWAY_KEY] = int(time.time())
        if language:
            session[SESSION_KEY] = language  # the neutral page in the language they read


def recently_left() -> bool:
    """This browser left through the quick exit within QUICK_EXIT_HIDE_SECONDS."""
    left = session.get(AWAY_KEY)
    return bool(left) and int(time.time()) - int(left) <= current_app.config["QUICK_EXIT_HIDE_SECONDS"]


def current_partner():
    """The partner of this portal session, or None if there is none or it has lapsed."""
    if "portal_partner" in g:
        return g.portal_partner
    data = session.get(KEY) or {}
    now = int(time.time())
    partner = None
    idle = current_app.config["IDLE_TIMEOUT_SECONDS"]
    absolute = current_app.config["ABSOLUTE_TIMEOUT_SECONDS"]
    if data and now - data.get("seen", 0) <= idle and now - data.get("at", 0) <= absolute:
        partner = services.portal_partner(
            data.get("link"), data.get("partner"), utcnow(), version=data.get("v")
        )
    if partner is not None and now - data.get("seen", 0) >= current_app.config["SESSION_ACTIVITY_STEP"]:
        data["seen"] = now  # not at every request: config.SESSION_ACTIVITY_STEP says why
        session[KEY] = data
    g.portal_partner = partner
    return partner


def had_session() -> bool:
    return bool(session.get(KEY))
