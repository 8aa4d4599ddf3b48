"""The staff session: which account a cookie speaks for, when it began, and how a sign-in is
finished wherever it starts (the password form, an invitation or reset link): the second factor
first when the account has one, then a brand-new session."""

import time

from flask import Flask, redirect, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from ..extensions import login_manager
from . import challenge, throttle
from .models import User
from .services import load_user

CHALLENGE_KEY = "sign_in_challenge"


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # Our own session version check replaces Flask-Login's identifier heuristics.
    login_manager.session_protection = None
    login_manager.user_loader(load_user)


def begin(user: User) -> None:
    """A brand-new session for this user: nothing from before sign-in survives."""
    session.clear()
    login_user(user)
    now = int(time.time())
    session.permanent = True
    session["auth_at"] = now
    session["seen_at"] = now


def continue_sign_in(user: User):
    """The response after the password (or a link that set one) was accepted.

    With a second factor the browser gets only a challenge token and goes to the code page;
    without one the session starts. A practice that requires a second factor then sends the
    person on to set one up before anything else (auth.views).
    """
    if user.has_two_factor:
        token = challenge.start(user)
        session.clear()
        session[CHALLENGE_KEY] = token
        return redirect(url_for("auth.code"))
    return complete(user)


def complete(user: User):
    """Signed in: a new session, and this browser trusted for this account from now on."""
    begin(user)
    # No `next` parameter: a fixed landing page leaves nothing to redirect elsewhere.
    return throttle.remember_device(redirect(url_for("index")), user.email)


def challenge_token() -> str | None:
    return session.get(CHALLENGE_KEY)
