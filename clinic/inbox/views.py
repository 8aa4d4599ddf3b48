"""The clinician's inbox page and its mark-read buttons."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from .. import web
from ..inputs import bounded_int
from . import services
from .forms import MarkForm

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
bp.before_request(web.clinicians_only)


@bp.route("/")
def index():
    page = max(request.args.get("page", 1, type=bounded_int), 1)
    items = services.inbox(web.user(), page=page, per_page=current_app.config["CASELOAD_PAGE_SIZE"])
    return render_template("inbox/index.html", items=items, form=MarkForm())


@bp.route("/<any(submission, exception, scale):kind>/<int:item_id>/read", methods=["POST"])
def read(kind: str, item_id: int):
    if MarkForm().validate_on_submit():
        services.mark_read(web.user(), kind, item_id)
    return redirect(url_for("inbox.index", page=request.args.get("page", type=bounded_int)))


@bp.route("/read-all", methods=["POST"])
def read_all():
    if MarkForm().validate_on_submit():
        count = services.mark_all_read(web.user())
        flash(ngettext("%(num)d item marked read.", "%(num)d items marked read.", count), "success")
    return redirect(url_for("inbox.index"))
