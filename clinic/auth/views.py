"""Sign-in, sign-out and changing one's own password."""

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from .. import web
from ..errors import DomainError
from ..extensions import limiter
from . import services, throttle
from . import session as staff_session
from .forms import LoginForm, PasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _password_change_limit() -> str:
    return current_app.config["PASSWORD_CHANGE_LIMIT"]


def _password_change_key() -> str:
    return f"password:{current_user.get_id()}"


@bp.route("/login", methods=["GET", "POST"])
@throttle.sign_in_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            web.field_error(form, error, default="password")
        else:
            staff_session.begin(user)
            # No `next` parameter: a fixed landing page leaves nothing to redirect elsewhere.
            return throttle.remember_device(redirect(url_for("index")), user.email)
    return render_template("auth/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_sessions(web.user(), reason="sign-out")
        logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    _password_change_limit, key_func=_password_change_key, methods=["POST"],
    deduct_when=throttle.refused,
)
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = web.user()
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except DomainError as error:
            web.field_error(form, error, default="password")
        else:
            staff_session.begin(user)
            flash(_("Your password is changed. Other devices were signed out."), "success")
            return redirect(url_for("index"))
    return render_template("auth/password.html", form=form)
