"""The mailed links: ask for a password reset, choose a password through a reset or an
invitation link. Choosing one continues the sign-in, second factor included."""

from flask import Blueprint, current_app, flash, render_template, request
from flask_babel import gettext as _

from .. import web
from ..auth import throttle
from ..auth.session import complete, continue_sign_in
from ..domain import TokenPurpose
from ..errors import DomainError
from ..extensions import limiter
from . import services
from .forms import NewPasswordForm, ResetRequestForm

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.after_request
def _link_headers(response):
    # The token is in the URL: never pass it on in a Referer header, never cache the page.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _reset_limit() -> str:
    return current_app.config["RESET_LIMIT_PER_ADDRESS"]


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_request():
    """Ask for a reset link. The answer is the same whether the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/reset_sent.html")
    return render_template("accounts/reset_request.html", form=form)


def _link_code_key() -> str:
    """Wrong codes given on a link's page count against a budget per account
    (CODE_LIMIT_PER_ACCOUNT, the size the sign-in code page allows), whatever the address."""
    token = (request.view_args or {}).get("token")
    user = services.holder(token, TokenPurpose.INVITATION) or services.holder(token, TokenPurpose.RESET)
    return f"code:{user.id if user else ''}"


def _choose_password(token: str, purpose: TokenPurpose):
    """The page behind a link: GET changes nothing (mail scanners open links); POST sets the
    password once and continues the sign-in. An account with a second factor gives its code in
    the same form, and nothing changes until the code checks."""
    holder = services.holder(token, purpose)
    if holder is None:
        return render_template("accounts/refused.html", purpose=purpose.value), 404
    needs_code = holder.has_two_factor
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.use_link(token, purpose, form.password.data, form.code.data)
        except services.LinkRefused:
            return render_template("accounts/refused.html", purpose=purpose.value), 404
        except services.CodeRefused as error:
            throttle.mark_code_refused()
            web.field_error(form, error, default="code")
        except DomainError as error:
            web.field_error(form, error, default="password")
        else:
            # A new session (flash into it, not the old one); signed in outright when the code
            # was just given with the password.
            response = complete(user) if needs_code else continue_sign_in(user)
            flash(_("Your password is set.") if purpose is TokenPurpose.INVITATION
                  else _("Your password is changed, and every session of yours has ended."),
                  "success")
            return response
    return render_template("accounts/choose_password.html", form=form, purpose=purpose.value,
                           needs_code=needs_code)


_code_limit = limiter.limit(throttle.per_account_code, key_func=_link_code_key, methods=["POST"],
                            deduct_when=throttle.code_refused)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@_code_limit
def invitation(token: str):
    return _choose_password(token, TokenPurpose.INVITATION)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@_code_limit
def reset(token: str):
    return _choose_password(token, TokenPurpose.RESET)
