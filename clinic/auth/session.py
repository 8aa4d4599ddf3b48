"""The staff session: which account a cookie speaks for, when it began, and how a sign-in is
finished wherever it starts (the password form, an invitation or reset link): the second factor
first when the account has one, then a brand-new session."""

import time

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_url, login_user

from ..extensions import login_manager
from ..resend import render_resend
from . import challenge, kept, throttle
from .models import User
from .services import load_user

CHALLENGE_KEY = "sign_in_challenge"
# Which account this browser was signed in to before its session ended (an id in the signed
# cookie): a post that arrives afterwards is kept for that account alone.
SIGNED_OUT_KEY = "signed_out_user"


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # Our own session version check replaces Flask-Login's identifier heuristics.
    login_manager.session_protection = None
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_unauthorized)


def _unauthorized():
    """Flask-Login's answer to a visitor (the sign-in page), except that a post that arrives
    after the session ended keeps what was typed."""
    if request.method == "POST" and request.form and request.blueprint not in ("auth", "accounts"):
        return post_without_session()
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def ended(user_id: int) -> None:
    """The session has just been cleared: remember whose it was, for a post still on its way."""
    session[SIGNED_OUT_KEY] = user_id


def keep_post(user: User | int) -> bool:
    """Keep this request's post for `user` (see kept.py); True when something was kept."""
    if request.blueprint == "auth":
        return False
    return kept.keep(user, request.path, list(request.form.items(multi=True))) is not None


def post_without_session():
    """A staff post with no session (signed out elsewhere, an old page): kept for the account
    this browser was signed in to, who sees it right after signing in; otherwise shown here to
    copy, like the portal does."""
    user_id = session.get(SIGNED_OUT_KEY)
    if isinstance(user_id, int) and keep_post(user_id):
        flash(_("You are signed out. What you were sending is kept: sign in and you can send it "
                "again."), "info")
        return redirect(url_for("auth.login"))
    return render_resend("signed-out")


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
    # No `next` parameter: a fixed landing page leaves nothing to redirect elsewhere; but what
    # they sent while signed out comes first.
    landing = url_for("auth.kept_post") if kept.waiting(user) else url_for("index")
    return throttle.remember_device(redirect(landing), user.email)


def challenge_token() -> str | None:
    return session.get(CHALLENGE_KEY)
