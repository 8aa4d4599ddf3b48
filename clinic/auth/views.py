"""Sign-in (password, then the second factor when set up), sign-out, the account page (one's
own password) and setting up two-factor sign-in."""

import segno
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup

from .. import web
from ..errors import DomainError
from ..extensions import limiter
from ..resend import render_kept
from . import challenge, kept, services, throttle, twofactor
from . import session as staff_session
from .forms import CodeForm, EnrolForm, KeptForm, LanguageForm, LoginForm, PasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")

# What a signed-in person with a step to take first may still open.
_STEP_PAGES = {
    "password": {"auth.password", "auth.logout", "static"},
    "two_factor": {"auth.two_factor", "auth.logout", "static"},
}


@bp.before_app_request
def _next_step_first():
    """A password somebody else chose is replaced, and a second factor the practice requires is
    set up, before any other page opens."""
    if not current_user.is_authenticated:
        return None
    step = services.next_step(web.user())
    if step is None or request.endpoint in _STEP_PAGES[step]:
        return None
    return redirect(url_for("auth.password" if step == "password" else "auth.two_factor"))


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
            return staff_session.continue_sign_in(user)
    return render_template("auth/login.html", form=form), 200


def _pending_user():
    """Who this browser is signing in as (password accepted, code pending), or None."""
    if "pending_user" not in g:
        g.pending_user = challenge.pending(staff_session.challenge_token())
    return g.pending_user


def _code_account_key() -> str:
    user = _pending_user()
    return f"code:{user.id if user else ''}"


def _code_account_exempt() -> bool:
    # No challenge: the view sends the browser to sign in. A browser this account signed in on
    # before is not slowed by guesses made elsewhere.
    user = _pending_user()
    return user is None or throttle.trusted_device(user.email) is not None


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(throttle.per_address, methods=["POST"], deduct_when=throttle.code_refused)
@limiter.limit(throttle.per_account_code, key_func=_code_account_key, methods=["POST"],
               exempt_when=_code_account_exempt, deduct_when=throttle.code_refused)
def code():
    """The second step of signing in: a code from the app, or a recovery code."""
    if _pending_user() is None:
        flash(_("Please sign in."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            user = challenge.finish(staff_session.challenge_token(), form.code.data)
        except challenge.ChallengeEnded as ended:
            throttle.mark_code_refused()
            session.clear()
            flash(ended.message, "error")
            return redirect(url_for("auth.login"))
        except DomainError as error:
            throttle.mark_code_refused()
            web.field_error(form, error, default="code")
        else:
            response = staff_session.complete(user)
            if twofactor.remaining_recovery_codes(user) <= 2:
                flash(_("You have few recovery codes left: make new ones on your account page."),
                      "info")
            return response
    return render_template("auth/code.html", form=form), 200


@bp.route("/logout", methods=["POST"])
def logout():
    user_id = None
    if current_user.is_authenticated:
        user_id = web.user().id
        services.end_sessions(web.user(), reason="sign-out")
        logout_user()
    session.clear()
    if user_id is not None:
        staff_session.ended(user_id)  # a post still on its way from another tab is kept for them
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/kept", methods=["GET", "POST"])
@login_required
def kept_post():
    """What this person sent after their session had ended: shown (GET), then sent again in one
    press or discarded (POST, with its CSRF token). Sending removes it and hands the same post on
    to where it was going (307 keeps the method and the body)."""
    user = web.user()
    if request.method == "POST":
        form = KeptForm()
        if not form.validate_on_submit():
            return redirect(url_for("auth.kept_post"))
        send = form.kept_post_decision.data == "send"
        path = kept.settle(user, form.kept_post_id.data, send=send)
        if path is None:
            flash(_("This was already sent or discarded."), "info")
        elif send:
            return redirect(path, code=307)
        else:
            flash(_("It was discarded."), "info")
        return redirect(url_for("auth.kept_post"))  # the next one waiting, if any
    post = kept.peek(user)
    if post is None:
        return redirect(url_for("index"))
    return render_kept(post["fields"], post["id"])


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    _password_change_limit, key_func=_password_change_key, methods=["POST"],
    deduct_when=throttle.refused,
)
def password():
    user = web.user()
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except DomainError as error:
            web.field_error(form, error, default="password")
        else:
            staff_session.begin(user)
            flash(_("Your password is changed. Other devices were signed out."), "success")
            return redirect(url_for("index"))
    return render_template(
        "auth/password.html", form=form, must_change=user.must_change_password,
        two_factor=user.has_two_factor, language_form=LanguageForm(locale=user.locale),
    )


@bp.route("/language", methods=["POST"])
@login_required
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        services.set_language(web.user(), form.locale.data)
        refresh()  # the message below is already in the new language
        flash(_("Your language is saved."), "success")
    return redirect(url_for("auth.password", _anchor="language"))


def _qr(uri: str) -> Markup:
    # segno writes the SVG from the otpauth:// URI alone (our key, the email, our name).
    svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code of your key"))
    return Markup(svg)  # noqa: S704


def _enrolled_page(user, form):
    return render_template(
        "auth/two_factor.html", enrolled=True, form=form,
        remaining=twofactor.remaining_recovery_codes(user),
    )


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up the second factor (key as a QR code and as text, confirmed by a code), or, once
    it is on, see how many recovery codes are left."""
    user = web.user()
    if user.has_two_factor:
        return _enrolled_page(user, CodeForm())
    enrolment = twofactor.begin_enrolment(user)
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm_enrolment(user, form.code.data)
        except DomainError as error:
            web.field_error(form, error, default="code")
        else:
            return render_template("auth/recovery_codes.html", codes=codes, first=True)
    return render_template(
        "auth/two_factor.html", enrolled=False, form=form, qr=_qr(enrolment.uri),
        key=enrolment.grouped_secret, required=services.next_step(user) == "two_factor",
    )


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(
    _password_change_limit, key_func=_password_change_key, methods=["POST"],
    deduct_when=throttle.refused,
)
def recovery_codes():
    """New recovery codes (the old ones stop working), for someone who proves the second factor."""
    user = web.user()
    if not user.has_two_factor:
        return redirect(url_for("auth.two_factor"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.replace_recovery_codes(user, form.code.data)
        except DomainError as error:
            web.field_error(form, error, default="code")
        else:
            return render_template("auth/recovery_codes.html", codes=codes, first=False)
    return _enrolled_page(user, form)
