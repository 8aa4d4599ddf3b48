"""The owner's mail page: where replies go, and every message that could not be delivered."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import web
from ..inputs import bounded_int
from ..practice import services as practice
from . import services
from .forms import ReplyToForm

bp = Blueprint("mail", __name__, url_prefix="/mail")
bp.before_request(web.signed_in)


@bp.route("/", methods=["GET", "POST"])
def index():
    settings = practice.mail_settings(web.user())  # owners only: NotFound for anyone else
    form = ReplyToForm(obj=settings)
    if form.validate_on_submit():
        practice.set_reply_to(web.user(), form.reply_to.data)
        flash(_("Saved."), "success")
        return redirect(url_for("mail.index"))
    page = max(request.args.get("page", 1, type=bounded_int), 1)
    pagination, failures = services.practice_failures(
        web.user(), page=page, per_page=current_app.config["AUDIT_PAGE_SIZE"]
    )
    return render_template(
        "mail/index.html", form=form, pagination=pagination, failures=failures,
        sender=current_app.config["MAIL_FROM"],
    ), 422 if form.errors else 200
