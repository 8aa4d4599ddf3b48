"""Supervision reports: the page, the PDF and CSV downloads, and the owner's supervision pairs."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import DomainError
from ..formkit import options
from ..practice.services import team
from . import export, services
from .forms import ReportForm, SupervisionForm
from .models import Supervision  # noqa: F401  (registers the table with the app's metadata)
from .services import ReportRequest

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _user():
    return current_user._get_current_object()


@bp.before_request
@login_required
def _signed_in():
    return None


def _form() -> ReportForm:
    form = ReportForm(request.args)
    clinicians = services.reportable_clinicians(_user())
    form.clinician_id.choices = options([(0, "All"), *[(c.id, c.name) for c in clinicians]])
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
            report = services.build_report(_user(), _request(form), fmt="page")
        except DomainError as error:
            getattr(form, error.field or "until").errors.append(error.message)
    # Only the form's own fields go into the download links: any other name (fmt, _external,
    # _anchor) would clash with url_for's arguments (a 500) or change the link it builds.
    query = {name: value for name, value in request.args.items() if name in _QUERY_FIELDS}
    return render_template("reports/index.html", form=form, report=report, query=query)


@bp.route("/report.<any(pdf, csv):fmt>")
def download(fmt: str):
    form = _form()
    if not form.validate():
        flash("Choose a start and an end date for the report.", "error")
        return redirect(url_for("reports.index"))
    req = _request(form)
    try:
        report = services.build_report(_user(), req, fmt=fmt, with_rows=fmt == "pdf")
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("reports.index"))
    name = f"supervision-report-{req.since.isoformat()}-{req.until.isoformat()}"
    if req.identified:
        name += "-identified"
    if fmt == "csv":
        lines = export.csv_stream(report, current_user.practice_id, req, services.scope(_user(), req)[0])
        return Response(
            lines, mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        export.report_pdf(report), mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@bp.route("/supervision", methods=["GET", "POST"])
def supervision():
    members = team(_user())  # owners only (NotFound otherwise)
    form = SupervisionForm()
    form.supervisor_id.choices = options((m.id, m.name) for m in members if m.role == "supervisor")
    form.clinician_id.choices = options(
        (m.id, m.name) for m in members if m.role in ("clinician", "owner")
    )
    if form.validate_on_submit():
        try:
            services.add_supervision(_user(), form.supervisor_id.data, form.clinician_id.data)
        except DomainError as error:
            getattr(form, error.field or "clinician_id").errors.append(error.message)
        else:
            flash("Saved.", "success")
            return redirect(url_for("reports.supervision"))
    names = {m.id: m.name for m in members}
    return render_template(
        "reports/supervision.html", form=form, pairs=services.supervisions(_user()), names=names
    )


@bp.route("/supervision/<int:supervision_id>/remove", methods=["POST"])
def remove_supervision(supervision_id: int):
    services.remove_supervision(_user(), supervision_id)
    flash("Removed.", "success")
    return redirect(url_for("reports.supervision"))
