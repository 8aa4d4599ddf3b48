"""The staff session: which account a cookie speaks for, and when it began."""

import time

from flask import Flask, session
from flask_login import login_user

from ..extensions import login_manager
from .models import User
from .services import load_user


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
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
