"""The mailed links: ask for a password reset, choose a password through a reset or an
invitation link. Choosing one continues the sign-in, second factor included."""

from flask import Blueprint, current_app, flash, render_template
from flask_babel import gettext as _

from .. import web
from ..auth.session import continue_sign_in
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


def _choose_password(token: str, purpose: TokenPurpose):
    """The page behind a link: GET changes nothing (mail scanners open links); POST sets the
    password once and continues the sign-in."""
    if services.holder(token, purpose) is None:
        return render_template("accounts/refused.html", purpose=purpose.value), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.use_link(token, purpose, form.password.data)
        except services.LinkRefused:
            return render_template("accounts/refused.html", purpose=purpose.value), 404
        except DomainError as error:
            web.field_error(form, error, default="password")
        else:
            response = continue_sign_in(user)  # a new session: flash into it, not the old one
            flash(_("Your password is set.") if purpose is TokenPurpose.INVITATION
                  else _("Your password is changed, and every session of yours has ended."),
                  "success")
            return response
    return render_template("accounts/choose_password.html", form=form, purpose=purpose.value)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def invitation(token: str):
    return _choose_password(token, TokenPurpose.INVITATION)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset(token: str):
    return _choose_password(token, TokenPurpose.RESET)
