"""Sign-in, sign-out and changing one's own password."""

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError
from ..extensions import limiter
from ..security import start_session
from . import bp, services
from .forms import LoginForm, PasswordForm
from .passwords import verify_password


def _account_key() -> str:
    from flask import request

    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _per_address():
    from flask import current_app

    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _per_account():
    from flask import current_app

    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _begin_session(user) -> None:
    """A brand-new session for this user: nothing from before sign-in survives."""
    session.clear()
    login_user(user)
    start_session()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
@limiter.limit(_per_account, key_func=_account_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            _begin_session(user)
            # No `next` parameter: a fixed landing page leaves nothing to redirect elsewhere.
            return redirect(url_for("index"))
    return render_template("auth/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_sessions(current_user._get_current_object(), reason="sign-out")
        logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            try:
                services.set_password(user, form.password.data)
            except DomainError as error:
                form.password.errors.append(error.message)
            else:
                _begin_session(user)
                flash("Your password is changed. Other devices were signed out.", "success")
                return redirect(url_for("index"))
    return render_template("auth/password.html", form=form)
