"""The owner's view of the audit log."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from ..formkit import options
from ..practice.services import team
from .forms import AuditFilterForm
from .services import AuditFilter, list_events

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@login_required
def index():
    if current_user.role != "owner":
        abort(404)
    members = team(current_user)
    form = AuditFilterForm(request.args)
    form.user_id.choices = options([(0, "Anyone"), *[(m.id, m.name) for m in members]])
    filters = AuditFilter()
    if form.validate():
        filters = AuditFilter(
            user_id=form.user_id.data or None, couple_id=form.couple_id.data,
            since=form.since.data, until=form.until.data,
        )
    page = max(request.args.get("page", 1, type=int), 1)
    events = list_events(
        current_user, filters, page=page, per_page=current_app.config["AUDIT_PAGE_SIZE"]
    )
    names = {m.id: m.name for m in members}
    return render_template(
        "audit/index.html", events=events, form=form, names=names, filters=filters
    )
