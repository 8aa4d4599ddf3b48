"""Request-wide protections: the staff session's timeouts, and security headers."""

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from .auth import session as staff_session

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    app.before_request(_enforce_session_timeouts)
    app.after_request(_security_headers)


def _enforce_session_timeouts():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    started = session.get("auth_at", 0)
    seen = session.get("seen_at", 0)
    idle = current_app.config["IDLE_TIMEOUT_SECONDS"]
    absolute = current_app.config["ABSOLUTE_TIMEOUT_SECONDS"]
    if now - seen > idle or now - started > absolute:
        # Said in their language while they are still known, before they are signed out.
        message = _("You were signed out to protect client records. Please sign in again.")
        user = current_user._get_current_object()
        if request.method == "POST" and request.form and staff_session.keep_post(user):
            message = _("You were signed out to protect client records. What you were sending "
                        "is kept: sign in and you can send it again.")
        logout_user()
        session.clear()
        staff_session.ended(user.id)
        flash(message, "info")
        return redirect(url_for("auth.login"))
    if now - seen >= current_app.config["SESSION_ACTIVITY_STEP"]:
        session["seen_at"] = now  # config: why not at every request
    return None


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        # Pages may show client material: never keep them in a browser or proxy cache.
        headers["Cache-Control"] = "no-store"
    return response
