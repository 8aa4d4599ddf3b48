"""The daily digest switch: its form sits on the account page, its post lands here."""

from flask import Blueprint, flash, has_request_context, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import web
from . import services
from .forms import DigestForm

bp = Blueprint("digest", __name__, url_prefix="/digest")
bp.before_request(web.clinicians_only)


@bp.app_context_processor
def _form_on_the_account_page():
    # The account page belongs to auth, which sits below the digest: the digest brings its form.
    # PDFs and the CLI render templates outside any request.
    if not has_request_context() or request.endpoint != "auth.password":
        return {}
    if not current_user.is_authenticated:
        return {}
    if not current_user.sees_charts:
        return {}
    user = web.user()
    return {"digest_form": DigestForm(formdata=None, daily_digest=services.subscribed(user))}


@bp.route("/", methods=["POST"])
def setting():
    form = DigestForm()
    if form.validate_on_submit():
        services.subscribe(web.user(), form.daily_digest.data)
        flash(
            _("You will get a daily digest.") if form.daily_digest.data
            else _("No more daily digests."),
            "success",
        )
    return redirect(url_for("auth.password", _anchor="digest"))
