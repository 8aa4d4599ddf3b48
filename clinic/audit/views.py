"""The owner's view of the audit log."""

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from .. import web
from ..formkit import options
from ..inputs import bounded_int
from ..practice.services import team
from .forms import AuditFilterForm
from .services import AuditFilter, list_events

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(web.signed_in)


@bp.route("/")
def index():
    user = web.user()
    members = team(user)  # owners only (NotFound otherwise)
    form = AuditFilterForm(request.args)
    form.user_id.choices = options([(0, _("Anyone")), *[(m.id, m.name) for m in members]])
    filters = AuditFilter()
    if form.validate():
        filters = AuditFilter(
            user_id=form.user_id.data or None, couple_id=form.couple_id.data,
            since=form.since.data, until=form.until.data,
        )
    page = max(request.args.get("page", 1, type=bounded_int), 1)
    events = list_events(
        user, filters, page=page, per_page=current_app.config["AUDIT_PAGE_SIZE"]
    )
    names = {m.id: m.name for m in members}
    return render_template(
        "audit/index.html", events=events, form=form, names=names, filters=filters
    )
