"""Supervision reports: the page, the PDF and CSV downloads, and the owner's supervision pairs."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import web
from ..errors import DomainError
from ..formkit import options
from ..practice.services import team
from . import export
from . import supervision as pairs
from .forms import ReportForm, SupervisionForm
from .report import ReportRequest, build_report

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.before_request(web.signed_in)


def _form() -> ReportForm:
    form = ReportForm(request.args)
    clinicians = pairs.reportable_clinicians(web.user())
    form.clinician_id.choices = options([(0, _("All")), *[(c.id, c.name) for c in clinicians]])
    return form


_QUERY_FIELDS = ("since", "until", "clinician_id", "identified")


def _request(form: ReportForm) -> ReportRequest:
    return ReportRequest(
        since=form.since.data, until=form.until.data,
        clinician_id=form.clinician_id.data or None, identified=bool(form.identified.data),
    )


@bp.route("/")
def index():
    form = _form()
    report = None
    if request.args and form.validate():
        try:
            report = build_report(web.user(), _request(form), fmt="page")
        except DomainError as error:
            web.field_error(form, error, default="until")
    # Only the form's own fields go into the download links: any other name (fmt, _external,
    # _anchor) would clash with url_for's arguments (a 500) or change the link it builds.
    query = {name: value for name, value in request.args.items() if name in _QUERY_FIELDS}
    return render_template("reports/index.html", form=form, report=report, query=query)


@bp.route("/report.<any(pdf, csv):fmt>")
def download(fmt: str):
    form = _form()
    if not form.validate():
        flash(_("Choose a start and an end date for the report."), "error")
        return redirect(url_for("reports.index"))
    try:
        file = export.report_file(web.user(), _request(form), fmt)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("reports.index"))
    return web.file_response(file.content(), filename=file.filename, mimetype=file.mimetype)


@bp.route("/supervision", methods=["GET", "POST"])
def supervision():
    members = team(web.user())  # owners only (NotFound otherwise)
    form = SupervisionForm()
    form.supervisor_id.choices = options((m.id, m.name) for m in members if m.is_supervisor)
    form.clinician_id.choices = options(
        (m.id, m.name) for m in members if m.sees_charts
    )
    if form.validate_on_submit():
        try:
            pairs.add_supervision(web.user(), form.supervisor_id.data, form.clinician_id.data)
        except DomainError as error:
            web.field_error(form, error, default="clinician_id")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("reports.supervision"))
    names = {m.id: m.name for m in members}
    return render_template(
        "reports/supervision.html", form=form, pairs=pairs.supervisions(web.user()), names=names
    )


@bp.route("/supervision/<int:supervision_id>/remove", methods=["POST"])
def remove_supervision(supervision_id: int):
    pairs.remove_supervision(web.user(), supervision_id)
    flash(_("Removed."), "success")
    return redirect(url_for("reports.supervision"))
