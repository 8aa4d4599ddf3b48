"""Clinician pages for recording an exception entry or a scale placement during a session."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import web
from ..catalogue_texts import reader_locale
from ..couples.services import get_couple
from ..errors import DomainError
from ..exercises.answers import parse_answers
from ..inputs import bounded_int
from . import services
from .forms import SessionRecordForm, TagForm, TimelineForm
from .models import TAG_CATEGORIES
from .services import TAG_SUGGESTIONS, TimelineFilter

bp = Blueprint("records", __name__, url_prefix="/records")
bp.before_request(web.clinicians_only)


@bp.route("/couples/<int:couple_id>/<any(exception, scale):kind>/new", methods=["GET", "POST"])
def create(couple_id: int, kind: str):
    user = web.user()
    couple = get_couple(user, couple_id)
    exercise = services.record_exercise(kind, reader_locale())
    form = SessionRecordForm()
    form.set_partners(couple)
    answers, errors = {}, {}
    if request.method == "GET":
        form.partner_id.data = request.args.get("partner", type=bounded_int)
    else:
        answers, errors = parse_answers(exercise, request.form, final=True)
        if form.validate_on_submit() and not errors:
            services.add_in_session(
                user, couple.id, form.partner_id.data, kind, answers, shared=form.shared.data
            )
            flash(
                _("Exception entry recorded.") if kind == "exception" else _("Scale placement recorded."),
                "success",
            )
            return redirect(url_for("couples.detail", couple_id=couple.id, _anchor="records"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "records/create.html", couple=couple, kind=kind, exercise=exercise, form=form,
        answers=answers, errors=errors,
    ), status


@bp.route("/couples/<int:couple_id>/exceptions")
def timeline(couple_id: int):
    user = web.user()
    form = TimelineForm(request.args)
    filters = TimelineFilter()
    if form.validate():
        filters = TimelineFilter(
            partner_id=form.partner_id.data or None, since=form.since.data, until=form.until.data
        )
    page = max(request.args.get("page", 1, type=bounded_int), 1)
    couple, entries = services.timeline(
        user, couple_id, filters, page=page, per_page=current_app.config["TIMELINE_PAGE_SIZE"]
    )
    form.set_partners(couple)
    return render_template(
        "records/timeline.html", couple=couple, entries=entries, form=form, filters=filters,
        tag_form=TagForm(), categories=TAG_CATEGORIES, suggestions=TAG_SUGGESTIONS,
    )


@bp.route("/couples/<int:couple_id>/exceptions/<int:entry_id>/tags", methods=["POST"])
def tag(couple_id: int, entry_id: int):
    user = web.user()
    couple = get_couple(user, couple_id)
    form = TagForm()
    back = url_for("records.timeline", couple_id=couple_id, _anchor=f"entry-{entry_id}")
    if form.validate_on_submit():
        try:
            services.tag_entry(user, couple_id, entry_id, form.category.data, form.value.data)
        except DomainError as error:
            web.field_error(form, error, default="value")
        else:
            flash(_("Tag added."), "success")
            return redirect(back)
    # Shown again on its own page, with the condition as typed and the message beside it.
    return web.form_again(form, title=_("Add tag"), action=request.path, back=back,
                          back_label=couple.case_label)


@bp.route("/couples/<int:couple_id>/tags/<int:tag_id>/remove", methods=["POST"])
def untag(couple_id: int, tag_id: int):
    user = web.user()
    services.remove_tag(user, couple_id, tag_id)
    flash(_("Tag removed."), "success")
    return redirect(url_for("records.timeline", couple_id=couple_id))

