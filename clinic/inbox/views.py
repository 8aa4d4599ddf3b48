"""The clinician's inbox page and its mark-read buttons."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from . import services
from .forms import MarkForm

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def _user():
    return current_user._get_current_object()


@bp.before_request
@login_required
def _clinicians_only():
    if not current_user.sees_charts:
        abort(404)


@bp.route("/")
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    items = services.inbox(_user(), page=page, per_page=current_app.config["CASELOAD_PAGE_SIZE"])
    return render_template("inbox/index.html", items=items, form=MarkForm())


@bp.route("/<any(submission, exception, scale):kind>/<int:item_id>/read", methods=["POST"])
def read(kind: str, item_id: int):
    if MarkForm().validate_on_submit():
        services.mark_read(_user(), kind, item_id)
    return redirect(url_for("inbox.index", page=request.args.get("page", type=int)))


@bp.route("/read-all", methods=["POST"])
def read_all():
    if MarkForm().validate_on_submit():
        count = services.mark_all_read(_user())
        flash(ngettext("%(num)d item marked read.", "%(num)d items marked read.", count), "success")
    return redirect(url_for("inbox.index"))
