"""Clinician pages for recording an exception entry or a scale placement during a session."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..couples.services import get_couple
from ..exercises.answers import parse_answers
from . import bp, services
from .forms import SessionRecordForm


@bp.before_request
@login_required
def _clinicians_only():
    if not current_user.sees_charts:
        abort(404)


@bp.route("/couples/<int:couple_id>/<any(exception, scale):kind>/new", methods=["GET", "POST"])
def create(couple_id: int, kind: str):
    user = current_user._get_current_object()
    couple = get_couple(user, couple_id)
    exercise = services.record_exercise(kind)
    form = SessionRecordForm()
    form.set_partners(couple)
    answers, errors = {}, {}
    if request.method == "GET":
        form.partner_id.data = request.args.get("partner", type=int)
    else:
        answers, errors = parse_answers(exercise, request.form, final=True)
        if form.validate_on_submit() and not errors:
            services.add_in_session(
                user, couple.id, form.partner_id.data, kind, answers, shared=form.shared.data
            )
            flash(
                "Exception entry recorded." if kind == "exception" else "Scale placement recorded.",
                "success",
            )
            return redirect(url_for("couples.detail", couple_id=couple.id, _anchor="records"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "records/create.html", couple=couple, kind=kind, exercise=exercise, form=form,
        answers=answers, errors=errors,
    ), status
